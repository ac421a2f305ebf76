# Common preamble of every case in tests/reference/cases/*.json (R 4.x, survey 4.1.1).
# Evaluated once, then each case's `r_code` in a fresh child environment.
suppressMessages(library(survey))
options(survey.lonely.psu = "fail")
data(api); data(fpc); data(scd); data(election)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
pop.awards <- data.frame(awards = c("No", "Yes"), Freq = c(2300, 3894))
rclus1 <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
               control = list(maxit = 100, epsilon = 1e-12))
es <- function(m) c(estimate = unname(coef(m))[1], se = unname(SE(m))[1])
esci <- function(m, df = Inf) {
  ci <- confint(m, df = df)
  c(es(m), ci_low = unname(ci[1, 1]), ci_high = unname(ci[1, 2]))
}
prop <- function(p) c(estimate = unname(coef(p))[1], se = unname(SE(p))[1],
                      ci_low = unname(attr(p, "ci"))[1], ci_high = unname(attr(p, "ci"))[2])
quant <- function(q) {  # svyquantile (survey >= 4.1): one variable, one or more quantiles
  m <- q[[1]]
  out <- c()
  for (i in seq_len(nrow(m))) {
    v <- m[i, ]
    names(v) <- paste0(c("estimate", "ci_low", "ci_high", "se"), "_", rownames(m)[i])
    out <- c(out, v)
  }
  out
}
glmvals <- function(g) {
  s <- summary(g)$coefficients
  ci <- confint(g)
  v <- c(s[, 1], s[, 2], ci[, 1], ci[, 2], df_residual = g$df.residual)
  names(v)[seq_len(4 * nrow(s))] <- paste0(rep(c("estimate", "se", "ci_low", "ci_high"), each = nrow(s)), "_",
                                          rep(rownames(s), 4))
  v
}
