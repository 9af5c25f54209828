# The mclust side of bench/mv_compare.sh.
#
#     Rscript mclust_bic.R RUNS
#
# times mclustBIC on iris's four columns, all fourteen covariance models and
# G = 1..9 at mclust's defaults, once untimed and then RUNS times, and prints
# the median and every time in milliseconds as key=value pairs, with the
# number of table cells mclust leaves NA.
suppressMessages(library(mclust))
args <- commandArgs(trailingOnly = TRUE)
runs <- as.integer(args[1])
x <- iris[, 1:4]
b <- mclustBIC(x, G = 1:9, verbose = FALSE)
times <- numeric(0)
for (r in seq_len(runs)) {
  t0 <- proc.time()[["elapsed"]]
  b <- mclustBIC(x, G = 1:9, verbose = FALSE)
  times <- c(times, (proc.time()[["elapsed"]] - t0) * 1000)
}
cat(sprintf("median_ms=%.3f times_ms=%s na=%d mclust=%s\n", median(times),
            paste(sprintf("%.1f", times), collapse = ","), sum(is.na(b)),
            as.character(packageVersion("mclust"))))
