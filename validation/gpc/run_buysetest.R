## Regenerates tests/data/gpc/buysetest_oracle.json with BuyseTest (R).
##
## BuyseTest is NOT installable on the project's build machine (not packaged in
## Debian, CRAN unreachable), so the committed JSON holds the values printed in
## shared/spec/outcomes.md section 1.4 (BuyseTest 3.3.9). Run this script where
## BuyseTest is available to refresh or extend them:
##
##   Rscript validation/gpc/run_buysetest.R
##
## It records the R and package versions in the "source" block.
suppressPackageStartupMessages({
  library(BuyseTest)
  library(jsonlite)
})

d <- read.csv("tests/data/gpc/oracle24.csv")
d$arm <- factor(d$arm, levels = c("C", "T"))

fit <- function(rule) {
  BuyseTest(arm ~ tte(time, status = status, threshold = 6) +
              cont(dfvc, threshold = 5) +
              cont(dmrss, threshold = 5, operator = "<0"),
            data = d, scoring.rule = rule, method.inference = "u-statistic",
            trace = 0)
}
grab <- function(e) {
  nb <- confint(e, statistic = "netBenefit")
  wr <- confint(e, statistic = "winRatio")
  list(net_benefit = unname(nb[, "estimate"]), net_benefit_se = unname(nb[, "se"]),
       win_ratio = unname(wr[, "estimate"]), win_ratio_se = unname(wr[, "se"]))
}
fs <- BuyseTest(arm ~ tte(time, status = status, threshold = 6) +
                  cont(dfvc, threshold = 5) + cont(dmrss, threshold = 5, operator = "<0"),
                data = d, scoring.rule = "Gehan", method.inference = "varexact permutation",
                trace = 0)
fs_ci <- confint(fs, statistic = "netBenefit", transformation = FALSE)
k <- nrow(fs_ci)

out <- list(
  source = list(
    document = "validation/gpc/run_buysetest.R",
    producer = paste("BuyseTest", as.character(packageVersion("BuyseTest"))),
    r_version = R.version.string,
    call = "BuyseTest(arm ~ tte(time, status, threshold = 6) + cont(dfvc, 5) + cont(dmrss, 5, '<0'), method.inference = 'u-statistic')"
  ),
  hierarchy = list(
    list(column = "time", type = "tte", status = "status", threshold = 6, direction = "higher"),
    list(column = "dfvc", type = "continuous", threshold = 5, direction = "higher"),
    list(column = "dmrss", type = "continuous", threshold = 5, direction = "lower")
  ),
  gehan = grab(fit("Gehan")),
  peron = grab(fit("Peron")),
  finkelstein_schoenfeld = list(net_benefit = fs_ci[k, "estimate"], se = fs_ci[k, "se"],
                                p_two_sided = fs_ci[k, "p.value"])
)
write_json(out, "tests/data/gpc/buysetest_oracle.json", auto_unbox = TRUE, digits = 10, pretty = TRUE)
