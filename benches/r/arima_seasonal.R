# R reference for chipcast's seasonal auto.arima: orders, nsdiffs and AICc that
# forecast::auto.arima (defaults) picks on a fixed sample of Tourism dev series.
# Run from the repository root:
#   Rscript benches/r/arima_seasonal.R /work/shared/bench/data > tests/fixtures/r_arima_seasonal.csv
#   Rscript benches/r/arima_seasonal.R /work/shared/bench/data all > benches/r/arima_seasonal_tourism_all.csv
# Sample: every 15th series (sorted ids) of tourism_monthly (m = 12) and every 17th of
# tourism_quarterly (m = 4), training windows only; with `all`, every series.
suppressMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
root <- if (length(args) > 0) args[1] else "/work/shared/bench/data"
all <- length(args) > 1 && args[2] == "all"
cat("set,unique_id,m,n,p,d,q,P,D,Q,constant,nsdiffs,aicc\n")
for (s in list(list("tourism_monthly", 12, 15), list("tourism_quarterly", 4, 17))) {
  tr <- read.csv(file.path(root, s[[1]], "train.csv"), colClasses = c("character", "integer", "numeric"))
  ids <- sort(unique(tr$unique_id))
  if (!all) ids <- ids[seq(1, length(ids), by = s[[3]])]
  for (id in ids) {
    d <- tr[tr$unique_id == id, ]
    y <- ts(d$y[order(d$ds)], frequency = s[[2]])
    fit <- auto.arima(y)
    o <- arimaorder(fit)
    o <- c(o, rep(0, 7 - length(o)))
    cn <- names(coef(fit))
    const <- if ("drift" %in% cn) "drift" else if ("intercept" %in% cn) "mean" else "none"
    cat(sprintf("%s,%s,%d,%d,%d,%d,%d,%d,%d,%d,%s,%d,%.6f\n", s[[1]], id, s[[2]], length(y),
      o[1], o[2], o[3], o[4], o[5], o[6], const, nsdiffs(y), fit$aicc))
  }
}
