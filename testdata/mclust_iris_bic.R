# Writes mclust_iris_bic.txt: mclust's BIC table for the four measurement
# columns of R's iris data, all fourteen covariance models for K = 1..9, at
# mclust's defaults (no prior; the starting partition from model-based
# hierarchical agglomeration, mclust.options("hcUse")), with each fit's
# number of parameters and log-likelihood. NA where mclust has no value
# (its EM failed, for instance on a singular covariance).
#
# Run it from this directory with Debian's r-cran-mclust:
#     Rscript mclust_iris_bic.R > mclust_iris_bic.txt
suppressPackageStartupMessages(library(mclust))

x <- iris[, 1:4]
n <- nrow(x)
d <- ncol(x)
b <- mclustBIC(x)
codes <- attr(b, "returnCodes")
best <- summary(b)

cat(sprintf("# mclust %s, %s; mclustBIC(iris[, 1:4]) with hcUse = \"%s\".\n",
            packageVersion("mclust"), R.version.string, mclust.options("hcUse")))
cat("# n = 150, d = 4. mclust's BIC is 2 log L - p log n: higher is better, the\n")
cat("# negative of BIC as -2 log L + p log n. LOGLIK = (BIC + p log n) / 2.\n")
cat("# CODE is mclust's return code (0 fitted; -1 singular covariance, -2, -3\n")
cat("# other failures; BIC and LOGLIK are then NA).\n")
cat("#\n")
cat("# Rows, whitespace-separated, '#' starts a comment line:\n")
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

# The published answer (Scrucca et al. 2016, The R Journal 8(1), and
# mclust's documentation): VEV with 2 components, BIC -561.73, and the
# log-likelihood above agrees with that of the fitted model.
stopifnot(top[1] == "VEV", top[2] == "2", abs(best[1] + 561.73) < 0.005)
fit <- Mclust(x, G = 2, modelNames = "VEV", verbose = FALSE)
stopifnot(abs(fit$loglik + 215.726) < 5e-4,
          abs(fit$loglik - (b["2", "VEV"] + nMclustParams("VEV", d, 2) * log(n)) / 2) < 1e-9)
