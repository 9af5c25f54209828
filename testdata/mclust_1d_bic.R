# Writes mclust_1d_bic.txt: R mclust's one-column model choice,
# Mclust(x, G = 1:9, modelNames = c("E", "V")), on three real columns, for
# the tests' comparison with Select.
#
# Run it from this directory with Debian's r-cran-mclust:
#     Rscript mclust_1d_bic.R > mclust_1d_bic.txt
#
# For each data set the file holds a block:
#
#     data <name> <n>
#     x <the n values>
#     pick <model> <K>                    mclust's choice by BIC
#     fit <model> <K> <loglik> <df> <bic> one line per cell of the table
#
# where bic is in mclust's sign convention (2 log L − df log n, higher is
# better) and loglik and bic are NA where mclust could not fit the cell.
# The log-likelihood of each cell comes from refitting that single cell with
# the same hierarchical start the table used; the script checks that it
# agrees with the table's BIC.
suppressPackageStartupMessages({
  library(mclust)
  library(MASS)
})

iris <- read.csv("../iris/iris.csv")
sets <- list(
  faithful_waiting = faithful$waiting,
  galaxies = galaxies / 1000,
  iris_petal_length = iris$petal_length
)

cat(sprintf("# R %s, mclust %s: Mclust(x, G = 1:9, modelNames = c(\"E\", \"V\"))\n",
            getRversion(), packageVersion("mclust")))
cat("# bic in mclust's convention: 2 log L - df log n (higher is better); NA: not fitted\n")
for (name in names(sets)) {
  x <- sets[[name]]
  n <- length(x)
  fit <- Mclust(x, G = 1:9, modelNames = c("E", "V"), verbose = FALSE)
  tab <- fit$BIC
  cat(sprintf("data %s %d\n", name, n))
  cat("x", format(x, digits = 17, trim = TRUE), "\n")
  cat(sprintf("pick %s %d\n", fit$modelName, fit$G))
  for (g in 1:9) {
    for (m in c("E", "V")) {
      b <- tab[as.character(g), m]
      df <- nMclustParams(m, 1, g)
      ll <- NA
      if (!is.na(b)) {
        one <- Mclust(x, G = g, modelNames = m, verbose = FALSE,
                      initialization = list(hcPairs = attr(tab, "hcPairs")))
        if (!is.null(one) && !is.na(one$loglik)) {
          ll <- one$loglik
          if (abs(2 * ll - df * log(n) - b) > 1e-6 * (1 + abs(b))) {
            stop(sprintf("%s %s %d: refit BIC %.10g, table %.10g", name, m, g, 2 * ll - df * log(n), b))
          }
        }
      }
      cat(sprintf("fit %s %d %s %d %s\n", m, g,
                  if (is.na(ll)) "NA" else sprintf("%.10f", ll), df,
                  if (is.na(b)) "NA" else sprintf("%.10f", b)))
    }
  }
}
