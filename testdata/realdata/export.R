# Writes the one-column real data sets of this directory from R's datasets
# and MASS packages, each as a CSV file with a one-line header naming the
# column and one value per line, printed to 15 significant digits (every
# value here has at most 4).
#
# Run it from this directory:
#     Rscript export.R
library(MASS)

write1 <- function(x, file, name) {
  stopifnot(all(is.finite(x)))
  lines <- c(name, formatC(as.numeric(x), digits = 15, format = "g"))
  writeLines(trimws(lines), file)
  cat(sprintf("%-24s n = %3d  min %g  max %g\n", file, length(x), min(x), max(x)))
}

write1(faithful$waiting, "faithful_waiting.csv", "waiting")
write1(faithful$eruptions, "faithful_eruptions.csv", "eruptions")
write1(galaxies / 1000, "galaxies.csv", "velocity")
write1(geyser$waiting, "geyser_waiting.csv", "waiting")
write1(iris$Petal.Length, "iris_petal_length.csv", "petal_length")
write1(as.numeric(Nile), "nile.csv", "flow")
