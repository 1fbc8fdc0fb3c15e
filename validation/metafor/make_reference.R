# Reference values for sclerostem.stats.meta from R's metafor.
# Run from the repository root:  Rscript validation/metafor/make_reference.R
# Writes tests/data/meta/metafor_reference.json (R and package versions recorded).
#
# Data sets
#   bcg      : BCG vaccine trials (metadat::dat.bcg; also spec outcomes.md 3.3), log risk ratio
#   normand  : Normand 1999 stroke-unit length of stay (metadat::dat.normand1999), means -> SMD and MD
#   zeros    : a small 2x2 set with single- and double-zero studies (written here), OR / RR / RD
#   hsct_trm : HSCT treatment-related deaths at 12 months (hsct.md C6: ASSIST 0/10 vs 0/9,
#              ASTIS 8/79 vs 0/77, SCOT 1/36 vs 0/39), RD
# Iterative estimators are run to tight convergence (threshold/tol 1e-12) so that the
# comparison measures the method, not the root-finder's default tolerance.
suppressMessages(library(metafor))
suppressMessages(library(jsonlite))

ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 1000)
methods <- c("FE", "DL", "REML", "ML", "PM", "SJ", "HE")
tests <- c("z", "knha")

fit_row <- function(fit, ci) {
  p <- predict(fit)
  list(
    estimate = unname(fit$beta[1]), se = fit$se, ci_low = fit$ci.lb, ci_high = fit$ci.ub,
    stat = fit$zval, pval = fit$pval, tau2 = fit$tau2, i2 = fit$I2, h2 = fit$H2,
    q = fit$QE, q_p = fit$QEp,
    pi_low = if (is.null(p$pi.lb)) NULL else unname(p$pi.lb),
    pi_high = if (is.null(p$pi.ub)) NULL else unname(p$pi.ub),
    tau2_ci_low = if (is.null(ci)) NULL else ci$random["tau^2", "ci.lb"],
    tau2_ci_high = if (is.null(ci)) NULL else ci$random["tau^2", "ci.ub"]
  )
}

grid <- function(dat) {
  out <- list()
  for (m in methods) for (t in tests) {
    fit <- suppressWarnings(rma(yi, vi, data = dat, method = m, test = t, control = ctrl))
    # metafor caps the Q-profile search at tau2.max = 10 x tau2 by default and then prints
    # ">limit"; a wide cap makes it return the actual root, which is what we compute.
    ci <- if (m == "FE") NULL else confint(fit, control = c(ctrl, list(tau2.max = 1e6)))
    out[[length(out) + 1]] <- c(list(method = m, test = t), fit_row(fit, ci))
  }
  out
}

l1o <- function(dat, m) {
  fit <- rma(yi, vi, data = dat, method = m, control = ctrl)
  l <- leave1out(fit)
  list(method = m, estimate = unname(l$estimate), se = unname(l$se), tau2 = unname(l$tau2),
       i2 = unname(l$I2), q = unname(l$Q))
}

fixed_mh_peto <- function(d, measures) {
  out <- list()
  for (ms in measures) {
    f <- rma.mh(ai = ai, bi = bi, ci = ci, di = di, data = d, measure = ms)
    out[[length(out) + 1]] <- list(method = "MH", measure = ms, estimate = unname(f$beta[1]), se = f$se,
      ci_low = f$ci.lb, ci_high = f$ci.ub, q = f$QE, q_p = f$QEp, i2 = f$I2, h2 = f$H2)
  }
  f <- rma.peto(ai = ai, bi = bi, ci = ci, di = di, data = d)
  out[[length(out) + 1]] <- list(method = "PETO", measure = "PETO", estimate = unname(f$beta[1]), se = f$se,
    ci_low = f$ci.lb, ci_high = f$ci.ub, q = f$QE, q_p = f$QEp, i2 = f$I2, h2 = f$H2)
  out
}

bcg <- dat.bcg
bcg_counts <- data.frame(study = paste0("trial ", bcg$trial), ai = bcg$tpos, bi = bcg$tneg, ci = bcg$cpos, di = bcg$cneg)
bcg_es <- escalc("RR", ai = ai, bi = bi, ci = ci, di = di, data = bcg_counts)

nor <- dat.normand1999
nor_means <- data.frame(study = nor$source, m1i = nor$m1i, sd1i = nor$sd1i, n1i = nor$n1i,
                        m2i = nor$m2i, sd2i = nor$sd2i, n2i = nor$n2i)
nor_smd <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor_means)
nor_md <- escalc("MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = nor_means)

zeros <- data.frame(study = paste0("Z", 1:6), ai = c(0, 2, 5, 0, 12, 3), bi = c(20, 18, 45, 30, 88, 27),
                    ci = c(3, 0, 9, 0, 20, 6), di = c(17, 22, 41, 30, 80, 24))
z_or <- escalc("OR", ai = ai, bi = bi, ci = ci, di = di, data = zeros)
z_rr <- escalc("RR", ai = ai, bi = bi, ci = ci, di = di, data = zeros)
z_rd <- escalc("RD", ai = ai, bi = bi, ci = ci, di = di, data = zeros)

trm <- data.frame(study = c("ASSIST", "ASTIS", "SCOT"), ai = c(0, 8, 1), bi = c(10, 71, 35),
                  ci = c(0, 0, 0), di = c(9, 77, 39))
trm_rd <- escalc("RD", ai = ai, bi = bi, ci = ci, di = di, data = trm)

# subgroup: BCG by allocation (random vs not), REML per subgroup, Q-between from the subgroup estimates
sub <- list()
for (g in unique(bcg$alloc)) {
  f <- rma(yi, vi, data = bcg_es[bcg$alloc == g, ], method = "REML", control = ctrl)
  sub[[g]] <- list(estimate = unname(f$beta[1]), se = f$se, tau2 = f$tau2, k = f$k)
}
est <- sapply(sub, function(s) s$estimate); se <- sapply(sub, function(s) s$se)
qb <- rma(yi = est, sei = se, method = "FE")

ref <- list(
  generated_by = "validation/metafor/make_reference.R",
  r_version = R.version.string,
  metafor_version = as.character(packageVersion("metafor")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  control = ctrl,
  datasets = list(
    bcg_rr = list(measure = "RR", input = bcg_counts, yi = as.numeric(bcg_es$yi), vi = as.numeric(bcg_es$vi),
                  grid = grid(bcg_es), leave1out = list(l1o(bcg_es, "REML"), l1o(bcg_es, "DL")),
                  fixed = fixed_mh_peto(bcg_counts, c("RR", "OR", "RD"))),
    normand_smd = list(measure = "SMD", input = nor_means, yi = as.numeric(nor_smd$yi), vi = as.numeric(nor_smd$vi),
                       grid = grid(nor_smd)),
    normand_md = list(measure = "MD", input = nor_means, yi = as.numeric(nor_md$yi), vi = as.numeric(nor_md$vi),
                      grid = grid(nor_md)),
    zeros_or = list(measure = "OR", input = zeros, yi = as.numeric(z_or$yi), vi = as.numeric(z_or$vi),
                    grid = grid(z_or), fixed = fixed_mh_peto(zeros, c("OR", "RR", "RD"))),
    zeros_rr = list(measure = "RR", input = zeros, yi = as.numeric(z_rr$yi), vi = as.numeric(z_rr$vi), grid = grid(z_rr)),
    zeros_rd = list(measure = "RD", input = zeros, yi = as.numeric(z_rd$yi), vi = as.numeric(z_rd$vi), grid = grid(z_rd)),
    hsct_trm_rd = list(measure = "RD", input = trm, yi = as.numeric(trm_rd$yi), vi = as.numeric(trm_rd$vi),
                       grid = grid(trm_rd), fixed = fixed_mh_peto(trm, c("RD")))
  ),
  subgroup_bcg_alloc = list(groups = as.character(bcg$alloc), method = "REML", subgroups = sub,
                            q_between = qb$QE, df = length(sub) - 1, p = qb$QEp)
)
dir.create("tests/data/meta", recursive = TRUE, showWarnings = FALSE)
writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           "tests/data/meta/metafor_reference.json")
cat("wrote tests/data/meta/metafor_reference.json\n")
