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
#     fit <model> <K> <loglik> <df> <bic> <icl>   one line per cell
#     par <loglik> <bic> <icl> <weights> <means> <sigmas>   after each fitted cell
#
# where bic and icl are in mclust's sign convention (2 log L − df log n, and
# that plus 2 Σ_i log max_k z_ik; higher is better), and loglik, bic and icl
# are NA where mclust could not fit the cell. The par line gives the
# fitted cell's K weights, K means and K standard deviations (all equal for
# model E), led by the log-likelihood, bic and icl at exactly those
# parameters, from mclust's estep and bic: the fit line's values are those
# of the E-step before the last M-step, as mclust's EM reports them.
# The log-likelihood of each cell comes from refitting that single cell with
# the same hierarchical start the table used; the script checks that it
# agrees with the table's BIC, and that its icl agrees with mclustICL's.
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
cat("# bic, icl in mclust's convention: 2 log L - df log n, plus 2 sum log max z for icl (higher is better); NA: not fitted\n")
for (name in names(sets)) {
  x <- sets[[name]]
  n <- length(x)
  fit <- Mclust(x, G = 1:9, modelNames = c("E", "V"), verbose = FALSE)
  tab <- fit$BIC
  itab <- mclustICL(x, G = 1:9, modelNames = c("E", "V"))
  cat(sprintf("data %s %d\n", name, n))
  cat("x", format(x, digits = 17, trim = TRUE), "\n")
  cat(sprintf("pick %s %d\n", fit$modelName, fit$G))
  for (g in 1:9) {
    for (m in c("E", "V")) {
      b <- tab[as.character(g), m]
      df <- nMclustParams(m, 1, g)
      ll <- NA
      ic <- NA
      if (!is.na(b)) {
        one <- Mclust(x, G = g, modelNames = m, verbose = FALSE,
                      initialization = list(hcPairs = attr(tab, "hcPairs")))
        if (!is.null(one) && !is.na(one$loglik)) {
          ll <- one$loglik
          ic <- icl(one)
          if (abs(ic - itab[as.character(g), m]) > 1e-6 * (1 + abs(ic))) {
            stop(sprintf("%s %s %d: refit ICL %.10g, table %.10g", name, m, g, ic, itab[as.character(g), m]))
          }
          if (abs(2 * ll - df * log(n) - b) > 1e-6 * (1 + abs(b))) {
            stop(sprintf("%s %s %d: refit BIC %.10g, table %.10g", name, m, g, 2 * ll - df * log(n), b))
          }
        }
      }
      num <- function(v) if (is.na(v)) "NA" else sprintf("%.10f", v)
      cat(sprintf("fit %s %d %s %d %s %s\n", m, g, num(ll), df, num(b), num(ic)))
      if (!is.na(ll)) {
        par <- one$parameters
        sd <- rep_len(sqrt(par$variance$sigmasq), g)
        es <- estep(data = x, modelName = m, parameters = par)
        b1 <- bic(m, es$loglik, n, 1, g)
        i1 <- b1 + 2 * sum(log(apply(es$z, 1, max)))
        cat("par", format(c(es$loglik, b1, i1, par$pro, par$mean, sd), digits = 17, trim = TRUE), "\n")
      }
    }
  }
}
