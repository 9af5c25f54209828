# Writes mclust_faithful_bic.txt: mclust's BIC table for R's Old Faithful
# data (faithful.csv: eruption durations and waiting times), all fourteen
# covariance models for K = 1..9, at mclust's defaults (no prior; the
# starting partition from model-based hierarchical agglomeration,
# mclust.options("hcUse")), with each fit's number of parameters and
# log-likelihood, in the format of ../../testdata/mclust_iris_bic.txt. NA
# where mclust has no value.
#
# Run it from this directory with Debian's r-cran-mclust:
#     Rscript mclust_faithful_bic.R > mclust_faithful_bic.txt
suppressPackageStartupMessages(library(mclust))

x <- read.csv("faithful.csv")
stopifnot(isTRUE(all.equal(as.matrix(x), as.matrix(faithful), check.attributes = FALSE)))
n <- nrow(x)
d <- ncol(x)
b <- mclustBIC(x)
codes <- attr(b, "returnCodes")
best <- summary(b)

cat(sprintf("# mclust %s, %s; mclustBIC(faithful) with hcUse = \"%s\".\n",
            packageVersion("mclust"), R.version.string, mclust.options("hcUse")))
cat(sprintf("# n = %d, d = %d. mclust's BIC is 2 log L - p log n: higher is better.\n", n, d))
cat("# LOGLIK = (BIC + p log n) / 2. CODE is mclust's return code (0 fitted).\n")
cat("#\n")
cat("#   MODEL K P BIC LOGLIK CODE   one per model and K, models in mclust's order\n")
cat("#   best MODEL K BIC            mclust's choice\n")
for (m in colnames(b)) {
  for (k in seq_len(nrow(b))) {
    g <- as.integer(rownames(b)[k])
    p <- nMclustParams(m, d, g)
    bic <- b[k, m]
    ll <- (bic + p * log(n)) / 2
    f <- function(v) if (is.na(v)) "NA" else formatC(v, digits = 12, format = "f")
    cat(sprintf("%s %d %d %s %s %d\n", m, g, p, f(bic), f(ll), codes[k, m]))
  }
}
top <- strsplit(names(best)[1], ",")[[1]]
cat(sprintf("best %s %s %s\n", top[1], top[2], formatC(best[1], digits = 12, format = "f")))
