# The independent reference for the element and overall indices' standard errors: R's survey
# package on the illustrative SIPAS responses. Each index is a smooth function of the item
# ratios y_i / n_i (y the share contribution, 0 when blank; n the answered indicator):
#   mean of items:      svyratio(~y_1 + …, ~n_1 + …, covmat = TRUE), then svycontrast with
#                       weights 1/k on the ratios y_i/n_i (covariances between items included);
#   pooled:             svyratio(~Σ y_i, ~Σ n_i);
#   mean of elements:   svycontrast over the items' (or the pooled elements') ratios.
# Four settings (element index / overall index), per unit and for everyone, with the file's
# design svydesign(ids = ~cluster, strata = ~stratum, weights = ~weight, nest = TRUE) and
# without clusters (ids = ~1): the latter checks the tally's per-respondent cross sums. The
# interval is the logit one from the linearised SE. Run from this folder:
#   Rscript reference_indices.R > ../expected/sipas-demo.reference-indices.csv
# (Debian: apt-get install r-cran-survey; written with survey 4.1.1.)
suppressMessages(library(survey))
d <- read.csv("sipas-demo.responses.csv", colClasses = "character")
d$weight <- as.numeric(d$weight)
num <- function(x) ifelse(x == "", NA, as.numeric(x))
elements <- list(access = c("A1", "A2"), procedures = c("P1", "P2"), civil_servants = c("C1", "C2"),
                 results = c("R1", "R2"), feedback = c("F1"))
for (it in unlist(elements)) {
  v <- num(d[[it]])
  y <- if (it == "R1") c(1, .6, .2, 0)[v] else as.numeric(v >= 4)  # options A/B/C/D = 100/60/20/0 %
  d[[paste0("y_", it)]] <- ifelse(is.na(v), 0, y)
  d[[paste0("n_", it)]] <- as.numeric(!is.na(v))
}
for (e in names(elements)) {
  d[[paste0("ye_", e)]] <- rowSums(d[paste0("y_", elements[[e]])])
  d[[paste0("ne_", e)]] <- rowSums(d[paste0("n_", elements[[e]])])
}
d$y_all <- rowSums(d[paste0("y_", unlist(elements))])
d$n_all <- rowSums(d[paste0("n_", unlist(elements))])
designs <- list(
  clustered = svydesign(ids = ~cluster, strata = ~stratum, weights = ~weight, data = d, nest = TRUE),
  unclustered = svydesign(ids = ~1, strata = ~stratum, weights = ~weight, data = d))
ratios <- function(des, ys, ns) {
  r <- svyratio(as.formula(paste0("~", paste(ys, collapse = "+"))),
                as.formula(paste0("~", paste(ns, collapse = "+"))), des, covmat = TRUE)
  list(r = r, names = paste0(ys, "/", ns))
}
# An estimate with its SE from a contrast of ratios.
contrast <- function(rr, weights) {
  w <- setNames(rep(0, length(coef(rr$r))), names(coef(rr$r)))
  w[names(weights)] <- weights
  s <- svycontrast(rr$r, w)
  c(coef(s)[[1]], SE(s)[[1]])
}
f <- function(x) sprintf("%.17g", x)
cat("design,element_index,overall_index,domain,id,index,value,se,ci_low,ci_high\n")
units <- unique(d$unit)
for (dn in names(designs)) {
  des <- designs[[dn]]
  for (dom in c(units, "all")) {
    sub <- if (dom == "all") des else des[d$unit == dom, ]
    keep <- if (dom == "all") rep(TRUE, nrow(d)) else d$unit == dom
    # Items with answers of positive weight in the domain.
    has <- function(it) sum(d$weight[keep] * d[[paste0("n_", it)]][keep]) > 0
    items <- Filter(has, unlist(elements))
    per_item <- ratios(sub, paste0("y_", items), paste0("n_", items))
    item_ratio <- setNames(per_item$names, items)
    els <- Filter(function(e) any(elements[[e]] %in% items), names(elements))
    pooled_el <- ratios(sub, paste0("ye_", els), paste0("ne_", els))
    pooled_ratio <- setNames(pooled_el$names, els)
    for (setting in c("mean_of_items/mean_of_elements", "pooled/pooled", "mean_of_items/mean_of_items",
                      "pooled/mean_of_elements")) {
      parts <- strsplit(setting, "/")[[1]]
      out <- list()
      for (e in els) {
        its <- intersect(elements[[e]], items)
        out[[e]] <- if (parts[1] == "pooled") contrast(pooled_el, setNames(1, pooled_ratio[[e]]))
                    else contrast(per_item, setNames(rep(1 / length(its), length(its)), item_ratio[its]))
      }
      out[["overall"]] <- switch(parts[2],
        mean_of_elements = if (parts[1] == "pooled")
            contrast(pooled_el, setNames(rep(1 / length(els), length(els)), pooled_ratio[els]))
          else {
            w <- unlist(lapply(els, function(e) {
              its <- intersect(elements[[e]], items)
              setNames(rep(1 / (length(els) * length(its)), length(its)), item_ratio[its])
            }))
            contrast(per_item, w)
          },
        mean_of_items = contrast(per_item, setNames(rep(1 / length(items), length(items)), item_ratio)),
        pooled = contrast(ratios(sub, "y_all", "n_all"), c("y_all/n_all" = 1)))
      for (name in names(out)) {
        p <- out[[name]][1]
        se <- out[[name]][2]
        half <- qnorm(0.975) * se / (p * (1 - p))
        cat(dn, parts[1], parts[2], if (dom == "all") "all" else "unit", dom, name, f(p), f(se),
            f(plogis(qlogis(p) - half)), f(plogis(qlogis(p) + half)), sep = ",")
        cat("\n")
      }
    }
  }
}
