# Regenerates mclust_mstep.txt, the reference M-steps that mstep_ref_test.go
# checks MStep against:
#
#   Rscript mclust_mstep.R > mclust_mstep.txt
#
# For iris's four columns (K = 3) and Old Faithful's two columns (K = 3) it
# writes the data, fixed soft responsibilities z, and for each of mclust's
# fourteen covariance models, by maximum likelihood and with priorControl(),
# mclust's means, covariances and the log-likelihood of estep at them. The
# iterative M-steps are run to a relative tolerance of 1e-14 so that they
# stop at the optimum rather than at mclust's default sqrt(eps). It ends with
# mclust's parameter counts nMclustParams for every model, K = 1..9, d = 1..5.
suppressMessages(library(mclust))

models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE",
            "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")
fmt <- function(v) formatC(v, digits = 17, format = "g")
rows <- function(m) for (i in seq_len(nrow(m))) cat(fmt(m[i, ]), "\n")

# softz returns responsibilities that are smooth functions of the data:
# z_ik proportional to exp(-|x_i - c_k|^2 / (2 h)) for K centres c_k spread
# along the first principal axis, with h the mean variance of the columns.
softz <- function(x, K) {
  x <- as.matrix(x)
  pc <- prcomp(x)$x[, 1]
  centres <- x[order(pc)[round(seq(0.15, 0.85, length.out = K) * nrow(x))], , drop = FALSE]
  h <- mean(apply(x, 2, var))
  lz <- sapply(1:K, function(k) -rowSums(sweep(x, 2, centres[k, ])^2) / (2 * h))
  lz <- lz - apply(lz, 1, max)
  z <- exp(lz)
  z / rowSums(z)
}

ctl <- emControl(tol = c(1e-5, 1e-14), itmax = c(.Machine$integer.max, 100000))

dataset <- function(name, x, K) {
  x <- as.matrix(x)
  dimnames(x) <- NULL
  z <- softz(x, K)
  # Round z to its printed form so that mclust sees exactly what Go reads.
  z <- matrix(as.numeric(fmt(z)), nrow(z))
  cat("data", name, nrow(x), ncol(x), "\n"); rows(x)
  cat("z", name, K, "\n"); rows(z)
  for (m in models) for (usePrior in c(FALSE, TRUE)) {
    # mclust has no prior for VEE, EVE, VVE and EVV ("not available with prior").
    if (usePrior && m %in% c("VEE", "EVE", "VVE", "EVV")) next
    prior <- if (usePrior) priorControl() else NULL
    ms <- suppressWarnings(mstep(x, modelName = m, z = z, prior = prior, control = ctl))
    par <- ms$parameters
    if (usePrior) {
      # The scale is a number for the spherical and diagonal models and a
      # matrix for the others.
      pp <- defaultPrior(x, K, m)
      sc <- as.matrix(pp$scale)
      cat("prior", name, m, fmt(pp$shrinkage), fmt(pp$dof), nrow(sc), "\n")
      cat(fmt(pp$mean), "\n"); rows(sc)
    }
    if (anyNA(par$mean) || anyNA(par$variance$sigma)) {
      cat("case", name, m, as.integer(usePrior), "NA\n")
      next
    }
    ll <- estep(x, modelName = m, parameters = par)$loglik
    cat("case", name, m, as.integer(usePrior), fmt(ll), "\n")
    rows(t(par$mean))
    for (k in 1:K) rows(par$variance$sigma[, , k])
  }
}

cat("# written by mclust_mstep.R with mclust", as.character(packageVersion("mclust")), "\n")
dataset("iris", iris[, 1:4], 3)
dataset("faithful", faithful, 3)
for (m in models) for (K in 1:9) for (d in 1:5)
  cat("nparams", m, K, d, nMclustParams(m, d, K), "\n")
