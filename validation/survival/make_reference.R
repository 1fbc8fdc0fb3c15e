# Reference values for sclerostem.stats.survival, generated with R.
#
# Run from the repository root:
#     Rscript validation/survival/make_reference.R
#
# Reads  src/sclerostem/data/datasets/{lung,rossi}.csv
# Writes tests/data/survival/{km_lung,km_rossi,km_toy,logrank,cox,cuminc_ties,fine_gray}.json
#        tests/data/survival/{cr_ties,fg_ties}.csv (simulated, seeded; written first, then read back)
# Every JSON file records the R, survival, cmprsk and jsonlite versions.

suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(jsonlite)
})

root <- "."
data_dir <- file.path(root, "src", "sclerostem", "data", "datasets")
out_dir <- file.path(root, "tests", "data", "survival")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

versions <- list(
  R = R.version.string,
  survival = as.character(packageVersion("survival")),
  cmprsk = as.character(packageVersion("cmprsk")),
  jsonlite = as.character(packageVersion("jsonlite")),
  script = "validation/survival/make_reference.R"
)

write_ref <- function(obj, name) {
  obj$versions <- versions
  writeLines(toJSON(obj, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
             file.path(out_dir, name))
}

lung <- read.csv(file.path(data_dir, "lung.csv"))
rossi <- read.csv(file.path(data_dir, "rossi.csv"))

# ---------------------------------------------------------------- Kaplan-Meier
km_table <- function(fit) {
  list(time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event,
       n_censor = fit$n.censor, surv = fit$surv, std_err = fit$std.err,
       lower = fit$lower, upper = fit$upper)
}
km_case <- function(formula, data, conf_type, at) {
  fit <- survfit(formula, data = data, conf.type = conf_type)
  q <- quantile(fit, probs = 0.5)
  s <- summary(fit, times = at, extend = TRUE)
  list(conf_type = conf_type,
       call = paste(deparse(formula), "conf.type =", conf_type),
       table = km_table(fit),
       median = unname(q$quantile[1]), median_lower = unname(q$lower[1]),
       median_upper = unname(q$upper[1]),
       at = list(time = s$time, surv = s$surv, lower = s$lower, upper = s$upper,
                 n_risk = s$n.risk))
}
lung_at <- c(100, 365, 730)
km_lung <- list(
  data = "lung (survival package), status 2 = dead, 1 = censored",
  at_times = lung_at,
  cases = lapply(c("log", "log-log", "plain"), function(ct)
    km_case(Surv(time, status == 2) ~ 1, lung, ct, lung_at)),
  by_sex = lapply(1:2, function(g)
    c(list(sex = g), km_case(Surv(time, status == 2) ~ 1, lung[lung$sex == g, ], "log", lung_at)))
)
write_ref(km_lung, "km_lung.json")

rossi_at <- c(10, 26, 52)
km_rossi <- list(
  data = "rossi (lifelines.datasets.load_rossi; carData::Rossi)",
  at_times = rossi_at,
  cases = lapply(c("log", "log-log", "plain"), function(ct)
    km_case(Surv(week, arrest) ~ 1, rossi, ct, rossi_at))
)
write_ref(km_rossi, "km_rossi.json")

# Small constructed cases for R's median rules: a flat stretch at exactly 0.5
# (median = midpoint), a curve ending at exactly 0.5 (midpoint with the last
# follow-up time), a median that is never reached, heavy ties, and censoring
# before the first event (S = 1 rows: missing log-log limits).
toy <- list(
  flat_half = data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 1, 1)),
  ends_at_half = data.frame(time = c(1, 2, 3, 5, 6, 8), status = c(1, 1, 1, 0, 0, 0)),
  not_reached = data.frame(time = c(2, 4, 6, 8, 10), status = c(1, 0, 0, 1, 0)),
  ties = data.frame(time = c(1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 5, 5),
                    status = c(1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0)),
  censored_first = data.frame(time = c(1, 2, 3, 4, 5, 6, 7), status = c(0, 0, 1, 1, 0, 1, 1))
)
km_toy <- list(cases = lapply(names(toy), function(nm) {
  lapply(c("log", "log-log", "plain"), function(ct)
    c(list(name = nm, data = as.list(toy[[nm]])), km_case(Surv(time, status) ~ 1, toy[[nm]], ct, c(0.5, 2, 4))))
}))
km_toy$cases <- do.call(c, km_toy$cases)
write_ref(km_toy, "km_toy.json")

# ---------------------------------------------------------------- log-rank
lr_case <- function(formula, data, label) {
  sd <- survdiff(formula, data = data)
  df <- length(sd$n) - 1
  list(case = label, chisq = sd$chisq, df = df,
       p = pchisq(sd$chisq, df, lower.tail = FALSE),
       groups = names(sd$n), n = as.numeric(sd$n), observed = as.numeric(sd$obs),
       expected = as.numeric(sd$exp))
}
# three-group case on lung: ph.ecog 0/1/2 (the single ph.ecog = 3 and the NA dropped)
lung3 <- lung[!is.na(lung$ph.ecog) & lung$ph.ecog <= 2, ]
logrank <- list(cases = list(
  lr_case(Surv(time, status == 2) ~ sex, lung, "lung_sex"),
  lr_case(Surv(time, status == 2) ~ ph.ecog, lung3, "lung_ecog012"),
  lr_case(Surv(week, arrest) ~ fin, rossi, "rossi_fin")
))
write_ref(logrank, "logrank.json")

# ---------------------------------------------------------------- Cox
cox_case <- function(formula, data, ties, label) {
  fit <- coxph(formula, data = data, ties = ties)
  s <- summary(fit)
  list(case = label, ties = ties, terms = names(coef(fit)),
       coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))),
       z = unname(s$coefficients[, "z"]), p = unname(s$coefficients[, "Pr(>|z|)"]),
       hr = unname(exp(coef(fit))),
       hr_lower = unname(s$conf.int[, "lower .95"]), hr_upper = unname(s$conf.int[, "upper .95"]),
       loglik = unname(fit$loglik), n = fit$n, n_event = fit$nevent)
}
lung_cc <- lung[, c("time", "status", "age", "sex")]
rossi_f <- Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio
cox <- list(cases = list(
  cox_case(Surv(time, status == 2) ~ age + sex, lung_cc, "efron", "lung_age_sex"),
  cox_case(Surv(time, status == 2) ~ age + sex, lung_cc, "breslow", "lung_age_sex"),
  cox_case(rossi_f, rossi, "efron", "rossi"),
  cox_case(rossi_f, rossi, "breslow", "rossi")
))
write_ref(cox, "cox.json")

# ---------------------------------------------------------------- competing risks
# Simulated, seeded: three groups, two causes, integer months -> heavy ties
# (including ties between the two causes and censoring at the same month).
set.seed(20261125)
n <- 600
group <- sample(c("A", "B", "C"), n, replace = TRUE)
rate1 <- c(A = 0.020, B = 0.024, C = 0.028)[group]
rate2 <- c(A = 0.015, B = 0.014, C = 0.011)[group]
t1 <- rexp(n, rate1)
t2 <- rexp(n, rate2)
tc <- runif(n, 6, 60)
tt <- pmin(t1, t2, tc)
cause <- ifelse(tt == tc, 0L, ifelse(tt == t1, 1L, 2L))
cr <- data.frame(id = seq_len(n), time_months = ceiling(tt), cause = cause, group = group)
write.csv(cr, file.path(out_dir, "cr_ties.csv"), row.names = FALSE, quote = FALSE)
cr <- read.csv(file.path(out_dir, "cr_ties.csv"))

cr_at <- c(6, 12, 24, 36, 48)
cif_list <- function(ci) {
  lapply(names(ci)[names(ci) != "Tests"], function(nm)
    list(name = nm, time = ci[[nm]]$time, est = ci[[nm]]$est, var = ci[[nm]]$var))
}
ci_all <- cuminc(cr$time_months, cr$cause, cencode = 0)
tp_all <- timepoints(ci_all, cr_at)
ci_grp <- cuminc(cr$time_months, cr$cause, cr$group, cencode = 0)
tp_grp <- timepoints(ci_grp, cr_at)
tests <- ci_grp$Tests
cuminc_ref <- list(
  data = "tests/data/survival/cr_ties.csv (simulated by this script, set.seed(20261125))",
  at_times = cr_at,
  overall = list(curves = cif_list(ci_all),
                 at = list(names = rownames(tp_all$est), est = unname(tp_all$est),
                           var = unname(tp_all$var))),
  by_group = list(curves = cif_list(ci_grp),
                  at = list(names = rownames(tp_grp$est), est = unname(tp_grp$est),
                            var = unname(tp_grp$var)),
                  tests = list(cause = rownames(tests), stat = unname(tests[, "stat"]),
                               pv = unname(tests[, "pv"]), df = unname(tests[, "df"])))
)
# two-group Gray's test (A vs C) as a second check of the k-sample code
ac <- cr[cr$group != "B", ]
t_ac <- cuminc(ac$time_months, ac$cause, ac$group, cencode = 0)$Tests
cuminc_ref$two_group <- list(groups = c("A", "C"), cause = rownames(t_ac),
                             stat = unname(t_ac[, "stat"]), pv = unname(t_ac[, "pv"]),
                             df = unname(t_ac[, "df"]))
# stratified test (strata = id %% 2) and the rho = 1 weight
t_st <- cuminc(cr$time_months, cr$cause, cr$group, strata = cr$id %% 2, cencode = 0)$Tests
t_rho <- cuminc(cr$time_months, cr$cause, cr$group, rho = 1, cencode = 0)$Tests
cuminc_ref$stratified <- list(strata = "id %% 2", cause = rownames(t_st), stat = unname(t_st[, "stat"]),
                              pv = unname(t_st[, "pv"]), df = unname(t_st[, "df"]))
cuminc_ref$rho1 <- list(rho = 1, cause = rownames(t_rho), stat = unname(t_rho[, "stat"]),
                        pv = unname(t_rho[, "pv"]), df = unname(t_rho[, "df"]))
write_ref(cuminc_ref, "cuminc_ties.json")
# ---------------------------------------------------------------- Fine-Gray
# Simulated, seeded: 300 subjects, a binary and a continuous covariate, two
# causes, integer months (ties), written to fg_ties.csv and read back.
set.seed(20261126)
n <- 300
x1 <- rbinom(n, 1, 0.5)
x2 <- round(rnorm(n), 2)
h1 <- 0.03 * exp(0.6 * x1 - 0.4 * x2)
h2 <- 0.02 * exp(-0.3 * x1 + 0.2 * x2)
t1 <- rexp(n, h1)
t2 <- rexp(n, h2)
tc <- runif(n, 3, 48)
tt <- pmin(t1, t2, tc)
fs <- ifelse(tt == tc, 0L, ifelse(tt == t1, 1L, 2L))
fg <- data.frame(id = seq_len(n), time_months = ceiling(tt), cause = fs, x1 = x1, x2 = x2)
write.csv(fg, file.path(out_dir, "fg_ties.csv"), row.names = FALSE, quote = FALSE)
fg <- read.csv(file.path(out_dir, "fg_ties.csv"))
fg_case <- function(failcode, gtol, maxiter) {
  fit <- crr(fg$time_months, fg$cause, cbind(x1 = fg$x1, x2 = fg$x2), failcode = failcode,
             cencode = 0, gtol = gtol, maxiter = maxiter)
  list(failcode = failcode, gtol = gtol, maxiter = maxiter, converged = fit$converged,
       terms = c("x1", "x2"), coef = unname(fit$coef), se = unname(sqrt(diag(fit$var))),
       var = unname(fit$var), loglik = fit$loglik, n = length(fg$cause))
}
fine_gray <- list(
  data = "tests/data/survival/fg_ties.csv (simulated by this script, set.seed(20261126))",
  cases = list(fg_case(1, 1e-12, 50), fg_case(2, 1e-12, 50), fg_case(1, 1e-6, 10))
)
# the competing-risks data above, group dummies B and C (reference A), cause 1
gd <- cbind(groupB = as.integer(cr$group == "B"), groupC = as.integer(cr$group == "C"))
fit <- crr(cr$time_months, cr$cause, gd, failcode = 1, cencode = 0, gtol = 1e-12, maxiter = 50)
fine_gray$cr_ties_groups <- list(failcode = 1, terms = colnames(gd), coef = unname(fit$coef),
                                 se = unname(sqrt(diag(fit$var))), var = unname(fit$var),
                                 loglik = fit$loglik, converged = fit$converged)
write_ref(fine_gray, "fine_gray.json")
cat("reference files written to", out_dir, "\n")
