# Writes mclust_iris_map.txt: mclust's fits of iris's four columns with its
# default prior (priorControl()), for the tests' comparison of the MAP.
# For each of VVV, EEE, VII and VVI with G = 3, one block:
#   model G loglik
#   the G weights
#   the G means, component by component, each d values
#   the G covariances, component by component, each d×d values row by row
# Run it from this directory with Debian's r-cran-mclust:
#     Rscript mclust_iris_map.R > mclust_iris_map.txt
suppressMessages(library(mclust))
x <- iris[, 1:4]
cat(sprintf("# mclust %s, Mclust(iris[, 1:4], G, model, prior = priorControl())\n", packageVersion("mclust")))
for (mn in c("VVV", "EEE", "VII", "VVI")) {
  m <- Mclust(x, G = 3, modelNames = mn, prior = priorControl(), verbose = FALSE)
  g <- m$G
  cat(mn, g, sprintf("%.17g", m$loglik), "\n")
  cat(sprintf("%.17g", m$parameters$pro), "\n")
  cat(sprintf("%.17g", as.vector(m$parameters$mean)), "\n")
  cat(sprintf("%.17g", as.vector(m$parameters$variance$sigma)), "\n")
}
