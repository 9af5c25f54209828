# Writes mclust_iris_bic.txt: mclust's BIC table for the four measurement
# columns of R's iris data (see mclust_bic_table.R), and checks mclust's
# choice against the published one.
#
# Run it from this directory with Debian's r-cran-mclust:
#     Rscript mclust_iris_bic.R > mclust_iris_bic.txt
source("mclust_bic_table.R")

x <- iris[, 1:4]
n <- nrow(x)
d <- ncol(x)
t <- write_bic_table(x, "iris[, 1:4]")
b <- t$bic
best <- t$best
top <- t$top

# The published answer (Scrucca et al. 2016, The R Journal 8(1), and
# mclust's documentation): VEV with 2 components, BIC -561.73, and the
# log-likelihood above agrees with that of the fitted model.
stopifnot(top[1] == "VEV", top[2] == "2", abs(best[1] + 561.73) < 0.005)
fit <- Mclust(x, G = 2, modelNames = "VEV", verbose = FALSE)
stopifnot(abs(fit$loglik + 215.726) < 5e-4,
          abs(fit$loglik - (b["2", "VEV"] + nMclustParams("VEV", d, 2) * log(n)) / 2) < 1e-9)
