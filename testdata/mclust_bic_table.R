# write_bic_table prints mclust's BIC table for the data x, all fourteen
# covariance models for K = 1..9, at mclust's defaults (no prior; the
# starting partition from model-based hierarchical agglomeration,
# mclust.options("hcUse")), with each fit's number of parameters and
# log-likelihood, NA where mclust has no value (its EM failed, for instance
# on a singular covariance), and returns the BIC table and mclust's choice.
# call names x in the header, as mclustBIC's argument.
suppressPackageStartupMessages(library(mclust))

write_bic_table <- function(x, call) {
  n <- nrow(x)
  d <- ncol(x)
  b <- mclustBIC(x)
  codes <- attr(b, "returnCodes")
  best <- summary(b)
  cat(sprintf("# mclust %s, %s; mclustBIC(%s) with hcUse = \"%s\".\n",
              packageVersion("mclust"), R.version.string, call, mclust.options("hcUse")))
  cat(sprintf("# n = %d, d = %d. mclust's BIC is 2 log L - p log n: higher is better, the\n", n, d))
  cat("# negative of BIC as -2 log L + p log n. LOGLIK = (BIC + p log n) / 2.\n")
  cat("# CODE is mclust's return code (0 fitted; -1 singular covariance, -2, -3\n")
  cat("# other failures; BIC and LOGLIK are then NA).\n")
  cat("#\n")
  cat("# Rows, whitespace-separated, '#' starts a comment line:\n")
  cat("#   MODEL K P BIC LOGLIK CODE   one per model and K, models in mclust's order\n")
  cat("#   best MODEL K BIC            mclust's choice\n")
  f <- function(v) if (is.na(v)) "NA" else formatC(v, digits = 12, format = "f")
  for (m in colnames(b)) {
    for (k in seq_len(nrow(b))) {
      g <- as.integer(rownames(b)[k])
      p <- nMclustParams(m, d, g)
      bic <- b[k, m]
      ll <- (bic + p * log(n)) / 2
      cat(sprintf("%s %d %d %s %s %d\n", m, g, p, f(bic), f(ll), codes[k, m]))
    }
  }
  top <- strsplit(names(best)[1], ",")[[1]]
  cat(sprintf("best %s %s %s\n", top[1], top[2], formatC(best[1], digits = 12, format = "f")))
  list(bic = b, best = best, top = top)
}
