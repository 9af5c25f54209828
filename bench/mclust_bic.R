# The mclust side of bench/mv_compare.sh.
#
#     Rscript mclust_bic.R RUNS
#
# times mclustBIC on iris's four columns, all fourteen covariance models and
# G = 1..9 at mclust's defaults, once untimed and then RUNS times, and prints
# the median and every time in milliseconds as key=value pairs, wall time
# and CPU time (user and system), with the number of table cells mclust
# leaves NA.
suppressMessages(library(mclust))
args <- commandArgs(trailingOnly = TRUE)
runs <- as.integer(args[1])
x <- iris[, 1:4]
b <- mclustBIC(x, G = 1:9, verbose = FALSE)
times <- numeric(0)
cpu <- numeric(0)
for (r in seq_len(runs)) {
  t0 <- proc.time()
  b <- mclustBIC(x, G = 1:9, verbose = FALSE)
  t1 <- proc.time()
  times <- c(times, (t1[["elapsed"]] - t0[["elapsed"]]) * 1000)
  cpu <- c(cpu, (t1[["user.self"]] + t1[["sys.self"]] -
                 t0[["user.self"]] - t0[["sys.self"]]) * 1000)
}
cat(sprintf("median_ms=%.3f times_ms=%s cpu_median_ms=%.3f cpu_ms=%s na=%d mclust=%s\n",
            median(times), paste(sprintf("%.1f", times), collapse = ","),
            median(cpu), paste(sprintf("%.1f", cpu), collapse = ","),
            sum(is.na(b)), as.character(packageVersion("mclust"))))
