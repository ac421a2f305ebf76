# Regenerate the R reference values of the survey engine's tests (run from the repository root):
#   Rscript tests/reference/make_reference.R
# Writes tests/reference/data/*.csv (R's datasets) and one JSON per case in tests/reference/cases/
# holding the dataset(s), the R code (run after preamble.R), the R/survey versions and the values.
suppressMessages(library(jsonlite))
root <- "tests/reference"
source(file.path(root, "preamble.R"))
data(mu284)
for (nm in c("apistrat", "apiclus1", "apiclus2", "apisrs", "apipop", "fpc", "scd", "election", "mu284"))
  write.csv(get(nm), file.path(root, "data", paste0(nm, ".csv")), row.names = FALSE, na = "")

K <- function(id, source, data, code) list(id = id, source = source, data = data, code = code)
cases <- list(
  # ---- api.R and the svydesign examples --------------------------------------------------------
  K("api_strat_mean", "tests/api.R", "apistrat", "es(svymean(~api00, dstrat, deff = TRUE))"),
  K("api_strat_total", "tests/api.R", "apistrat", "es(svytotal(~enroll, dstrat))"),
  K("api_clus1_mean", "tests/api.R", "apiclus1", "esci(svymean(~api00, dclus1))"),
  K("api_clus1_total", "tests/api.R", "apiclus1", "es(svytotal(~enroll, dclus1))"),
  K("api_srs_mean", "man/svydesign.Rd", "apisrs", "es(svymean(~api00, dsrs))"),
  K("api_srs_total", "man/svydesign.Rd", "apisrs", "es(svytotal(~enroll, dsrs))"),
  K("api_strat_ratio", "man/svyratio.Rd", "apistrat", "es(svyratio(~api00, ~api99, dstrat))"),
  K("api_clus1_ratio", "man/svyratio.Rd", "apiclus1", "es(svyratio(~api.stu, ~enroll, dclus1))"),
  K("api_clus1_narm", "tests/api.R", "apiclus1", "es(svymean(~acs.46, dclus1, na.rm = TRUE))"),
  K("api_strat_nofpc", "man/svydesign.Rd", "apistrat",
    "es(svymean(~api00, svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)))"),
  # ---- multistage.R -----------------------------------------------------------------------------
  K("ms_clus2_mean", "tests/multistage.R", "apiclus2", "es(svymean(~api00, dclus2))"),
  K("ms_clus2_total", "tests/multistage.R", "apiclus2", "es(svytotal(~enroll, dclus2, na.rm = TRUE))"),
  K("ms_clus2_ratio", "tests/multistage.R", "apiclus2", "es(svyratio(~api.stu, ~enroll, dclus2, na.rm = TRUE))"),
  K("ms_clus2_nofpc", "tests/multistage.R", "apiclus2",
    "es(svymean(~api00, svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2)))"),
  K("ms_clus2_by", "tests/multistage.R", "apiclus2",
    "b <- svyby(~api00, ~stype, dclus2, svymean); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), names(coef(b))); v"),
  K("ms_fpc_nest", "man/fpc.Rd", "fpc",
    "es(svymean(~x, svydesign(weights = ~weight, ids = ~psuid, strata = ~stratid, fpc = ~Nh, data = fpc, nest = TRUE)))"),
  K("ms_fpc_nofpc", "man/fpc.Rd", "fpc",
    "es(svymean(~x, svydesign(weights = ~weight, ids = ~psuid, strata = ~stratid, data = fpc, nest = TRUE)))"),
  K("ms_fpc_fraction", "man/fpc.Rd", "fpc",
    "es(svymean(~x, svydesign(ids = ~psuid, strata = ~stratid, fpc = ~I(nh/Nh), data = fpc, nest = TRUE)))"),
  K("ms_fpc_total", "man/fpc.Rd", "fpc",
    "es(svytotal(~x, svydesign(ids = ~psuid, strata = ~stratid, fpc = ~Nh, data = fpc, nest = TRUE)))"),
  K("ms_mu284_total", "tests/multistage.R (mu284, Särndal et al.)", "mu284",
    "es(svytotal(~y1, svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)))"),
  K("ms_mu284_mean", "tests/multistage.R (mu284, Särndal et al.)", "mu284",
    "es(svymean(~y1, svydesign(id = ~id1 + id2, fpc = ~n1 + n2, data = mu284)))"),
  K("ms_clus2_ciprop", "man/svyciprop.Rd", "apiclus2", "prop(svyciprop(~I(sch.wide == 'Yes'), dclus2, method = 'logit'))"),
  K("ms_clus2_factor", "man/svymean.Rd", "apiclus2",
    "m <- svymean(~stype, dclus2); v <- c(coef(m), SE(m)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), c('E', 'H', 'M')); v"),
  # ---- domain.R and svyby ----------------------------------------------------------------------
  K("dom_by_two_vars", "tests/domain.R", "apiclus1",
    "b <- svyby(~api00, ~stype + sch.wide, dclus1, svymean); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = nrow(b)), b$stype, '.', b$sch.wide); v"),
  K("dom_by_ratio", "tests/domain.R", "apiclus1",
    "b <- svyby(~api.stu, ~stype, denominator = ~enroll, design = dclus1, FUN = svyratio); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), b$stype); v"),
  K("dom_by_quantile", "man/svyquantile.Rd", "apistrat",
    "b <- svyby(~api00, ~stype, dstrat, svyquantile, quantiles = 0.5, ci = TRUE); v <- c(b$api00, b$se.api00); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), b$stype); v"),
  K("dom_by_var", "man/svyvar.Rd", "apistrat",
    "b <- svyby(~api00, ~awards, dstrat, svyvar); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 2), b$awards); v"),

  K("dom_clus1_by_mean", "tests/domain.R", "apiclus1",
    "b <- svyby(~api00, ~stype, dclus1, svymean); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), names(coef(b))); v"),
  K("dom_strat_subset", "tests/domain.R", "apistrat", "es(svymean(~api00, subset(dstrat, awards == 'Yes')))"),
  K("dom_clus1_subset_ratio", "tests/domain.R", "apiclus1",
    "es(svyratio(~api.stu, ~enroll, subset(dclus1, stype == 'H')))"),
  K("dom_clus1_by_total", "tests/domain.R", "apiclus1",
    "b <- svyby(~enroll, ~stype, dclus1, svytotal); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), names(coef(b))); v"),
  K("dom_byciprop_df", "tests/svyby_se.R", "apiclus1",
    "b <- svyby(~I(sch.wide == 'Yes'), ~stype, dclus1, svyciprop, vartype = 'ci'); v <- c(coef(b), b$ci_l, b$ci_u); names(v) <- paste0(rep(c('estimate_', 'ci_low_', 'ci_high_'), each = 3), b$stype); v"),
  K("dom_factor_mean", "man/svymean.Rd", "apiclus1",
    "m <- svymean(~stype, dclus1); v <- c(coef(m), SE(m)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), c('E', 'H', 'M')); v"),
  K("dom_factor_total", "man/svymean.Rd", "apistrat",
    "m <- svytotal(~awards, dstrat); v <- c(coef(m), SE(m)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 2), c('No', 'Yes')); v"),
  # ---- deff.R ----------------------------------------------------------------------------------
  K("deff_clus1_mean", "tests/deff.R", "apiclus1", "m <- svymean(~api00, dclus1, deff = TRUE); c(es(m), deff = unname(deff(m)))"),
  K("deff_strat_total", "tests/deff.R", "apistrat", "m <- svytotal(~enroll, dstrat, deff = TRUE); c(es(m), deff = unname(deff(m)))"),
  K("deff_zero_weights", "tests/deff.R", "apistrat",
    "a <- apistrat; a$pw0 <- ifelse(seq_len(nrow(a)) %% 10 == 0, 0, a$pw); d0 <- svydesign(id = ~1, strata = ~stype, weights = ~pw0, data = a); m <- svymean(~api00, d0, deff = TRUE); c(es(m), deff = unname(deff(m)))"),
  # ---- lonely.psu.R ----------------------------------------------------------------------------
  K("lonely_remove", "tests/lonely.psu.R", "apiclus1",
    "options(survey.lonely.psu = 'remove'); es(svymean(~api00, svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1)))"),
  K("lonely_certainty", "tests/lonely.psu.R", "apiclus1",
    "options(survey.lonely.psu = 'certainty'); es(svymean(~api00, svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1)))"),
  K("lonely_adjust", "tests/lonely.psu.R", "apiclus1",
    "options(survey.lonely.psu = 'adjust'); es(svymean(~api00, svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1)))"),
  K("lonely_average", "tests/lonely.psu.R", "apiclus1",
    "options(survey.lonely.psu = 'average'); es(svymean(~api00, svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1)))"),
  K("lonely_fpc_certainty", "tests/lonely.psu.R", "apiclus1",
    "fpc1 <- ifelse(apiclus1$dnum == 413, 1, 1000); es(svymean(~api00, svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1, fpc = fpc1)))"),
  K("lonely_fpc_total", "tests/lonely.psu.R", "apiclus1",
    "fpc1 <- ifelse(apiclus1$dnum == 413, 1, 1000); es(svytotal(~enroll, svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1, fpc = fpc1)))"),
  # ---- svyciprop (tests/testthat/test-svyciprop.R, man/svyciprop.Rd) -----------------------------
  K("ciprop_logit", "man/svyciprop.Rd", "apiclus1", "prop(svyciprop(~I(ell == 0), dclus1, method = 'logit'))"),
  K("ciprop_logit_inf", "man/svyciprop.Rd", "apiclus1", "prop(svyciprop(~I(ell == 0), dclus1, method = 'logit', df = Inf))"),
  K("ciprop_mean", "man/svyciprop.Rd", "apiclus1", "prop(svyciprop(~I(ell == 0), dclus1, method = 'mean'))"),
  K("ciprop_asin", "man/svyciprop.Rd", "apiclus1", "prop(svyciprop(~I(ell == 0), dclus1, method = 'asin'))"),
  K("ciprop_beta", "man/svyciprop.Rd", "apiclus1", "prop(svyciprop(~I(ell == 0), dclus1, method = 'beta'))"),
  K("ciprop_xlogit", "man/svyciprop.Rd", "apiclus1", "prop(svyciprop(~I(ell == 0), dclus1, method = 'xlogit'))"),
  K("ciprop_strat_logit", "tests/testthat/test-svyciprop.R", "apistrat",
    "prop(svyciprop(~I(sch.wide == 'Yes'), dstrat, method = 'logit'))"),
  K("ciprop_raked", "tests/testthat/test-svyciprop.R", "apiclus1",
    "prop(svyciprop(~I(both == 'Yes'), rclus1, method = 'logit', df = Inf))"),
  # ---- svyvar ------------------------------------------------------------------------------------
  K("var_clus1", "man/svyvar.Rd", "apiclus1", "v <- svyvar(~api00, dclus1); c(estimate = unname(coef(v))[1], se = unname(SE(v))[1])"),
  K("var_strat", "man/svyvar.Rd", "apistrat", "v <- svyvar(~enroll, dstrat); c(estimate = unname(coef(v))[1], se = unname(SE(v))[1])"),
  K("var_clus2", "man/svyvar.Rd", "apiclus2", "v <- svyvar(~api00, dclus2); c(estimate = unname(coef(v))[1], se = unname(SE(v))[1])"),
  # ---- svyquantile (tests/quantile.R, man/svyquantile.Rd) -------------------------------------
  K("q_clus1", "man/svyquantile.Rd", "apiclus1", "quant(svyquantile(~api00, dclus1, c(0.25, 0.5, 0.75)))"),
  K("q_strat", "man/svyquantile.Rd", "apistrat", "quant(svyquantile(~api00, dstrat, c(0.25, 0.5, 0.75)))"),
  K("q_clus1_xlogit", "man/svyquantile.Rd", "apiclus1",
    "quant(svyquantile(~api00, dclus1, c(0.5, 0.9), interval.type = 'xlogit'))"),
  K("q_clus1_school", "tests/quantile.R", "apiclus1", "quant(svyquantile(~api00, dclus1, 0.5, qrule = 'school'))"),
  K("q_clus2_narm", "tests/quantile.R", "apiclus2", "quant(svyquantile(~enroll, dclus2, 0.5, na.rm = TRUE))"),
  K("q_srs_enroll", "man/svyquantile.Rd", "apisrs", "quant(svyquantile(~enroll, dsrs, c(0.1, 0.5)))"),
  # ---- rake (tests/rakecheck.R, man/rake.Rd) ----------------------------------------------------
  K("rake_clus1_mean", "tests/rakecheck.R", "apiclus1", "es(svymean(~api00, rclus1))"),
  K("rake_clus1_total", "tests/rakecheck.R", "apiclus1", "es(svytotal(~enroll, rclus1))"),
  K("rake_strat_backfit", "tests/rakecheck.R", "apistrat",
    "r <- rake(dstrat, list(~sch.wide, ~awards), list(pop.schwide, pop.awards), control = list(maxit = 100, epsilon = 1e-12)); es(svymean(~api00, r))"),
  K("rake_strat_backfit_total", "tests/rakecheck.R", "apistrat",
    "r <- rake(dstrat, list(~sch.wide, ~awards), list(pop.schwide, pop.awards), control = list(maxit = 100, epsilon = 1e-12)); es(svytotal(~enroll, r))"),
  K("rake_strat_calraking", "man/calibrate.Rd", "apistrat",
    "r <- calibrate(dstrat, list(~sch.wide, ~awards), list(pop.schwide, pop.awards), calfun = 'raking', epsilon = 1e-12, maxit = 100); es(svymean(~api00, r))"),
  K("rake_clus1_by", "man/rake.Rd", "apiclus1",
    "b <- svyby(~api00, ~awards, rclus1, svymean); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 2), names(coef(b))); v"),
  # R's own defaults (rake: control = list(maxit = 10, epsilon = 1); calibrate: maxit = 50, epsilon = 1e-7)
  K("default_rake_clus1", "man/rake.Rd", "apiclus1",
    "r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide)); es(svymean(~api00, r))"),
  K("default_rake_strat_total", "man/rake.Rd", "apistrat",
    "r <- rake(dstrat, list(~sch.wide, ~awards), list(pop.schwide, pop.awards)); es(svytotal(~enroll, r))"),
  K("default_calibrate_raking", "man/calibrate.Rd", "apistrat",
    "r <- calibrate(dstrat, list(~sch.wide, ~awards), list(pop.schwide, pop.awards), calfun = 'raking'); es(svymean(~api00, r))"),
  # ---- postStratify (man/postStratify.Rd, tests/toy_example_for_postStratify.R) -----------------
  K("ps_clus1_mean", "man/postStratify.Rd", "apiclus1", "es(svymean(~api00, postStratify(dclus1, ~stype, pop.types)))"),
  K("ps_clus1_total", "man/postStratify.Rd", "apiclus1", "es(svytotal(~enroll, postStratify(dclus1, ~stype, pop.types)))"),
  K("ps_strat_awards", "tests/toy_example_for_postStratify.R", "apistrat",
    "es(svymean(~api00, postStratify(dstrat, ~awards, pop.awards)))"),
  K("ps_clus1_by", "man/postStratify.Rd", "apiclus1",
    "b <- svyby(~api00, ~stype, postStratify(dclus1, ~stype, pop.types), svymean); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), names(coef(b))); v"),
  # ---- calibrate (tests/caleg.R, man/calibrate.Rd) ----------------------------------------------
  K("cal_linear_stype", "man/calibrate.Rd", "apiclus1",
    "g <- calibrate(dclus1, ~stype, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018)); es(svymean(~api00, g))"),
  K("cal_linear_stype_total", "man/calibrate.Rd", "apiclus1",
    "g <- calibrate(dclus1, ~stype, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018)); es(svytotal(~enroll, g))"),
  K("cal_linear_api99", "man/calibrate.Rd", "apiclus1",
    "g <- calibrate(dclus1, ~stype + api99, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)); es(svymean(~api00, g))"),
  K("cal_linear_schwide", "tests/caleg.R", "apiclus1",
    "g <- calibrate(dclus1, ~stype + sch.wide, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, sch.wideYes = 5122)); es(svymean(~api00, g))"),
  K("cal_raking_api99", "tests/caleg.R", "apiclus1",
    "g <- calibrate(dclus1, ~stype + api99, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069), calfun = 'raking', epsilon = 1e-12); es(svymean(~api00, g))"),
  # ---- svychisq -------------------------------------------------------------------------------
  K("chisq_F", "man/svychisq.Rd", "apiclus1",
    "t <- svychisq(~sch.wide + stype, dclus1); c(statistic = unname(t$statistic), df_num = unname(t$parameter[1]), df_den = unname(t$parameter[2]), pvalue = unname(t$p.value))"),
  K("chisq_Chisq", "man/svychisq.Rd", "apiclus1",
    "t <- svychisq(~sch.wide + stype, dclus1, statistic = 'Chisq'); c(statistic = unname(t$statistic), pvalue = unname(t$p.value))"),
  K("chisq_strat_F", "man/svychisq.Rd", "apistrat",
    "t <- svychisq(~stype + awards, dstrat); c(statistic = unname(t$statistic), df_num = unname(t$parameter[1]), df_den = unname(t$parameter[2]), pvalue = unname(t$p.value))"),
  # ---- svyglm (man/svyglm.Rd) -----------------------------------------------------------------
  K("glm_strat_gaussian", "man/svyglm.Rd", "apistrat", "glmvals(svyglm(api00 ~ ell + meals + mobility, design = dstrat))"),
  K("glm_clus2_gaussian", "man/svyglm.Rd", "apiclus2", "glmvals(svyglm(api00 ~ ell + meals + mobility, design = dclus2))"),
  K("glm_strat_logit", "man/svyglm.Rd", "apistrat",
    "glmvals(svyglm(I(sch.wide == 'Yes') ~ ell + meals + mobility, design = dstrat, family = quasibinomial()))"),
  K("glm_clus1_factor", "man/svyglm.Rd", "apiclus1", "glmvals(svyglm(api00 ~ ell + stype, design = dclus1))"),
  K("glm_clus1_logit_factor", "man/svyglm.Rd", "apiclus1",
    "glmvals(svyglm(I(comp.imp == 'Yes') ~ api99 + stype, design = dclus1, family = quasibinomial()))"),
  # ---- replicate weights (man/as.svrepdesign.Rd, man/svrepdesign.Rd) ----------------------------
  K("rep_jk1_mean", "man/as.svrepdesign.Rd", "apiclus1", "es(svymean(~api00, as.svrepdesign(dclus1)))"),
  K("rep_jk1_total", "man/as.svrepdesign.Rd", "apiclus1", "es(svytotal(~enroll, as.svrepdesign(dclus1)))"),
  K("rep_jk1_ratio", "man/as.svrepdesign.Rd", "apiclus1", "es(svyratio(~api.stu, ~enroll, as.svrepdesign(dclus1)))"),
  K("rep_jk1_by", "man/as.svrepdesign.Rd", "apiclus1",
    "b <- svyby(~api00, ~stype, as.svrepdesign(dclus1), svymean); v <- c(coef(b), SE(b)); names(v) <- paste0(rep(c('estimate_', 'se_'), each = 3), names(coef(b))); v"),
  K("rep_jkn_mean", "man/as.svrepdesign.Rd", "apistrat", "es(svymean(~api00, as.svrepdesign(dstrat, type = 'JKn')))"),
  K("rep_jkn_var", "man/svyvar.Rd", "apistrat", "v <- svyvar(~api00, as.svrepdesign(dstrat, type = 'JKn')); c(estimate = unname(coef(v))[1], se = unname(SE(v))[1])"),
  K("rep_jk1_glm", "man/svyglm.Rd", "apiclus1", "glmvals(svyglm(api00 ~ ell + meals, design = as.svrepdesign(dclus1)))"),
  K("rep_rake_jk1", "man/rake.Rd", "apiclus1",
    "r <- rake(as.svrepdesign(dclus1), list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = list(maxit = 100, epsilon = 1e-12)); es(svymean(~api00, r))"),
  K("rep_poststratify_jkn", "man/postStratify.Rd", "apistrat",
    "r <- postStratify(as.svrepdesign(dstrat, type = 'JKn'), ~awards, pop.awards); es(svymean(~api00, r))"),
  K("rep_calibrate_linear", "man/calibrate.Rd", "apiclus1",
    "r <- calibrate(as.svrepdesign(dclus1), ~stype + api99, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)); es(svytotal(~enroll, r))"),
  K("rep_brr_given", "man/svrepdesign.Rd", "scd",
    "rw <- 2 * cbind(c(1,0,1,0,1,0), c(1,0,0,1,0,1), c(0,1,1,0,0,1), c(0,1,0,1,1,0)); r <- svrepdesign(data = scd, type = 'BRR', repweights = rw, combined.weights = FALSE); es(svyratio(~alive, ~arrests, r))"),
  K("rep_brr_total", "man/as.svrepdesign.Rd", "scd",
    "d <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE); es(svytotal(~alive, as.svrepdesign(d, type = 'BRR')))"),
  K("rep_boot_given", "man/svrepdesign.Rd", "apiclus1",
    "set.seed(42); b <- as.svrepdesign(dclus1, type = 'bootstrap', replicates = 20); w <- weights(b, 'analysis'); write.csv(w, file.path(root, 'data', 'apiclus1_boot20.csv'), row.names = FALSE); c(es(svymean(~api00, b)), scale = b$scale)"),
  K("scd_lin_mean", "man/svrepdesign.Rd", "scd",
    "d <- svydesign(data = scd, prob = ~1, id = ~ambulance, strata = ~ESA, nest = TRUE, fpc = rep(5, 6)); es(svymean(~alive, d))"),
  # ---- the observatory's driver analysis and waiting-time quantiles on a wave of the sample ------
  K("enquete_determinants_t0", "man/svyglm.Rd + man/calibrate.Rd (observatory case)", "enquete_echantillon",
    "r <- wave_design('T0'); g <- svyglm(I(satisfaction_globale >= 4) ~ I(accueil >= 4) + I(delai >= 4) + I(information >= 4) + I(ecoute >= 4) + I(resolution >= 4), r, family = quasibinomial()); ci <- confint(g); dims <- c('accueil', 'delai', 'information', 'ecoute', 'resolution'); perf <- sapply(dims, function(v) coef(svymean(as.formula(paste0('~I(', v, ' >= 4)')), r, na.rm = TRUE))[2]); v <- c(exp(coef(g))[-1], exp(ci[-1, 1]), exp(ci[-1, 2]), perf); names(v) <- paste0(rep(c('importance_', 'ic_bas_', 'ic_haut_', 'performance_'), each = 5), dims); v"),
  K("enquete_attente_t6", "man/svyquantile.Rd (observatory case)", "enquete_echantillon",
    "r <- wave_design('T6'); quant(svyquantile(~temps_attente, r, c(0.25, 0.5, 0.75), na.rm = TRUE))"),
  # ---- election (man/election.Rd): with-replacement approximation of the PPS sample -------------
  K("election_total", "man/election.Rd", "election",
    "d <- svydesign(id = ~1, probs = ~p, data = election_pps); es(svytotal(~Bush, d))"),
  K("election_ratio", "man/election.Rd", "election",
    "d <- svydesign(id = ~1, probs = ~p, data = election_pps); es(svyratio(~Bush, ~votes, d))")
)

ech <- read.csv(file.path(root, "data", "enquete_echantillon.csv"), colClasses = c(sexe = "character", tranche_age = "character", quartier = "character"))
pop_ech <- read.csv(file.path(root, "data", "population_echantillon.csv"), colClasses = c(modalite = "character"))
wave_design <- function(w) {  # equal weights N / n, then calibrate(calfun = "raking") on the 3 margins
  x <- ech[ech$vague == w, ]
  x$w0 <- sum(pop_ech$effectif[pop_ech$variable == "sexe"]) / nrow(x)
  d <- svydesign(id = ~1, weights = ~w0, data = x)
  vars <- c("sexe", "tranche_age", "quartier")
  pops <- lapply(vars, function(v) { m <- pop_ech[pop_ech$variable == v, ]; df <- data.frame(m$modalite, m$effectif); names(df) <- c(v, "Freq"); df })
  calibrate(d, lapply(vars, function(v) as.formula(paste0("~", v))), pops, calfun = "raking", epsilon = 1e-12, maxit = 100)
}
write.csv(election_pps, file.path(root, "data", "election_pps.csv"), row.names = FALSE, na = "")
versions <- c(R = paste(R.version$major, R.version$minor, sep = "."), survey = as.character(packageVersion("survey")))
for (k in cases) {
  env <- new.env(parent = globalenv())
  options(survey.lonely.psu = "fail")
  vals <- eval(parse(text = k$code), envir = env)
  out <- list(id = k$id, source = paste("cran/survey", k$source), data = k$data, preamble = "tests/reference/preamble.R",
              r_code = k$code, versions = as.list(versions), values = as.list(vals))
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(root, "cases", paste0(k$id, ".json")))
}
cat(length(cases), "cases written\n")
