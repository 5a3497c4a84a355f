# R's ets() (forecast 8.20, defaults: model "ZZZ", AICc, restrict = TRUE) on a fixed sample of
# the Tourism training series: every 18th monthly and every 21st quarterly series (20 each).
# Writes tests/fixtures/r_ets_seasonal.csv: the chosen model, its log-likelihood and AICc and
# the training data, for the unit test that compares chipcast's likelihood with R's.
# Run from the repository root:  Rscript benches/r/ets_seasonal.R
suppressMessages(library(forecast))
bench <- "/work/shared/bench/data"
sets <- list(list(name = "tourism_monthly", m = 12, step = 18),
             list(name = "tourism_quarterly", m = 4, step = 21))
rows <- list()
for (s in sets) {
  d <- read.csv(file.path(bench, s$name, "train.csv"), colClasses = c("character", "integer", "numeric"))
  ids <- unique(d$unique_id)
  pick <- ids[seq(1, length(ids), by = s$step)][1:20]
  for (id in pick) {
    x <- d[d$unique_id == id, ]
    x <- x[order(x$ds), ]
    fit <- ets(ts(x$y, frequency = s$m))
    comp <- fit$components
    rows[[length(rows) + 1]] <- data.frame(
      set = s$name, unique_id = id, m = s$m,
      error = comp[1], trend = comp[2], season = comp[3], damped = as.logical(comp[4]),
      loglik = sprintf("%.6f", fit$loglik), aicc = sprintf("%.6f", fit$aicc),
      y = paste(format(x$y, digits = 15, trim = TRUE), collapse = " "))
  }
}
out <- do.call(rbind, rows)
write.csv(out, "tests/fixtures/r_ets_seasonal.csv", row.names = FALSE, quote = TRUE)
