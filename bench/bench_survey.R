# Same work as bench_survey.py (rake, overall and 20-service estimates, one svyglm), with R's survey package (called by bench_survey.py).
# Usage: Rscript bench_survey.R answers.csv margins.csv out.csv
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(survey))
chr <- c(sexe = "character", tranche_age = "character", quartier = "character",
         service = "character")
d <- read.csv(args[1], colClasses = chr)
m <- read.csv(args[2], colClasses = c(modalite = "character"))
vars <- c("sexe", "tranche_age", "quartier")
pops <- lapply(vars, function(v) {
  x <- m[m$variable == v, ]
  df <- data.frame(x$modalite, x$effectif)
  names(df) <- c(v, "Freq")
  df
})

t0 <- Sys.time()
des <- svydesign(id = ~1, weights = ~w0, data = d)
# epsilon < 1 is relative to the sum of weights in rake()
r <- rake(des, list(~sexe, ~tranche_age, ~quartier), pops,
          control = list(maxit = 100, epsilon = 1e-10))
m1 <- svymean(~y, r, na.rm = TRUE)
m2 <- svymean(~sat, r, na.rm = TRUE)
b1 <- svyby(~y, ~service, r, svymean, na.rm = TRUE)
b2 <- svyby(~sat, ~service, r, svymean, na.rm = TRUE)
g <- svyglm(sat ~ sexe + tranche_age, r, family = quasibinomial())
elapsed <- as.numeric(difftime(Sys.time(), t0, units = "secs"))

out <- rbind(
  data.frame(what = c("mean", "prop"), group = "ensemble",
             estimate = c(coef(m1), coef(m2)), se = c(SE(m1), SE(m2))),
  data.frame(what = "mean", group = b1$service, estimate = coef(b1), se = SE(b1)),
  data.frame(what = "prop", group = b2$service, estimate = coef(b2), se = SE(b2)),
  data.frame(what = "glm", group = names(coef(g)), estimate = coef(g), se = SE(g)),
  data.frame(what = "seconds", group = "", estimate = elapsed, se = NA)
)
write.csv(out, args[3], row.names = FALSE)
