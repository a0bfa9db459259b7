# The independent reference for the survey estimates: R's survey package on the illustrative
# SIPAS responses, per unit and overall: svymean (share, its linearised SE, deff = "replace"),
# the logit interval from that SE (plogis(qlogis(p) ± qnorm(0.975) · se / (p (1 − p)))), and
# svyciprop(method = "logit", df = Inf), whose quasibinomial fit converges only to about
# 1e-11 (glm's IRLS tolerance). Run from this folder:
#   Rscript reference.R > ../expected/sipas-demo.reference.csv
# (Debian: apt-get install r-cran-survey; written with survey 4.1.1.)
suppressMessages(library(survey))
d <- read.csv("sipas-demo.responses.csv", colClasses = "character")
d$weight <- as.numeric(d$weight)
num <- function(x) ifelse(x == "", NA, as.numeric(x))
columns <- c()
for (it in c("A1", "A2", "P1", "P2", "C1", "C2", "R2", "F1")) {
  v <- num(d[[it]])
  d[[paste0(it, "_s")]] <- as.numeric(v >= 4)
  d[[paste0(it, "_m")]] <- v
  columns <- c(columns, it)
}
d$Y1_s <- as.numeric(num(d$Y1) == 0)                 # "no" is the positive answer
d$R1_s <- c(1, .6, .2, 0)[num(d$R1)]                 # options A/B/C/D = 100/60/20/0 %
d$R1_m <- 100 * d$R1_s
columns <- c(columns, "Y1", "R1")
for (k in 1:6) {
  name <- paste0("E1.", k)
  d[[paste0(name, "_s")]] <- ifelse(d$E1 == "", NA,
    as.numeric(sapply(strsplit(d$E1, ";"), function(s) k %in% as.integer(s))))
  columns <- c(columns, name)
}
des <- svydesign(ids = ~cluster, strata = ~stratum, weights = ~weight, data = d, nest = TRUE)
f <- function(x) if (is.na(x)) "" else sprintf("%.17g", x)
cat("domain,id,column,n,share,se,ci_low,ci_high,mean,mean_se,deff,glm_ci_low,glm_ci_high\n")
units <- unique(d$unit)
for (dom in c(units, "all")) {
  for (col in columns) {
    s <- paste0(col, "_s")
    keep <- !is.na(d[[s]]) & (dom == "all" | d$unit == dom)
    sub <- des[keep, ]
    m <- svymean(as.formula(paste0("~`", s, "`")), sub, deff = "replace")
    ci <- confint(svyciprop(as.formula(paste0("~`", s, "`")), sub, method = "logit", df = Inf))
    mean <- NA
    mean_se <- NA
    mcol <- paste0(col, "_m")
    if (!is.null(d[[mcol]])) {
      mm <- svymean(as.formula(paste0("~`", mcol, "`")), sub)
      mean <- coef(mm)[[1]]
      mean_se <- SE(mm)[[1]]
    }
    p <- coef(m)[[1]]
    se <- SE(m)[[1]]
    half <- qnorm(0.975) * se / (p * (1 - p))
    cat(if (dom == "all") "all" else "unit", dom, col, sum(keep), f(p), f(se),
        f(plogis(qlogis(p) - half)), f(plogis(qlogis(p) + half)), f(mean), f(mean_se), f(deff(m)[[1]]),
        f(ci[1]), f(ci[2]), sep = ",")
    cat("\n")
  }
}
