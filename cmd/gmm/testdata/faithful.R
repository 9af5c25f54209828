# faithful.R writes Old Faithful's eruptions and waiting times (R's
# datasets::faithful, Azzalini & Bowman 1990: 272 eruptions, the length in
# minutes and the wait before it in minutes) as faithful.csv, and mclust's
# BIC table for them as mclust_faithful.txt, the independent reference of
# the command's tests on two columns.
#
# usage: Rscript faithful.R    (in this directory; needs mclust)
suppressPackageStartupMessages(library(mclust))
write.csv(faithful, "faithful.csv", row.names = FALSE, quote = FALSE)
x <- faithful
n <- nrow(x)
bic <- mclustBIC(x, G = 1:9)
out <- file("mclust_faithful.txt", "w")
writeLines(c(
  sprintf("# mclust %s, %s; mclustBIC(faithful, G = 1:9).", packageVersion("mclust"), R.version.string),
  sprintf("# n = %d, d = 2. mclust's BIC is 2 log L - p log n: higher is better, the", n),
  "# negative of BIC as -2 log L + p log n. NA: mclust could not fit the model.",
  "#",
  "# Rows, whitespace-separated, '#' starts a comment line:",
  "#   MODEL K BIC      one per model and K, models in mclust's order",
  "#   best MODEL K BIC mclust's choice"), out)
for (m in colnames(bic)) {
  for (k in 1:9) {
    v <- bic[k, m]
    writeLines(sprintf("%s %d %s", m, k, if (is.na(v)) "NA" else sprintf("%.12f", v)), out)
  }
}
fit <- Mclust(x, G = 1:9, verbose = FALSE)
writeLines(sprintf("best %s %d %.12f", fit$modelName, fit$G, fit$bic), out)
close(out)
