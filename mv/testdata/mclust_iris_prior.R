# Writes mclust_iris_prior.txt: the hyperparameters mclust's default prior,
# priorControl(), gives iris's four columns for G = 1, 2, 3 and 9 (the
# function defaultPrior as Mclust calls it, with modelName "VVV"), for the
# tests' comparison with DefaultPrior. One line per G:
#   G DOF SHRINKAGE MEAN(4 values) SCALE(16 values, row by row)
# Run it from this directory with Debian's r-cran-mclust:
#     Rscript mclust_iris_prior.R > mclust_iris_prior.txt
suppressMessages(library(mclust))
x <- as.matrix(iris[, 1:4])
cat(sprintf("# mclust %s, defaultPrior(iris[, 1:4], G, \"VVV\")\n", packageVersion("mclust")))
for (g in c(1, 2, 3, 9)) {
  p <- defaultPrior(x, G = g, modelName = "VVV")
  cat(g, sprintf("%.17g", c(p$dof, p$shrinkage, p$mean, as.vector(p$scale))), "\n")
}
