# Writes mclust_hc.txt: mclust's starting partitions for mclustBIC, the cuts
# of its model-based hierarchical agglomeration under the VVV model on the
# scaled SVD coordinates (hc(x, "VVV", use = "SVD"), mclust's defaults), of
# iris's four columns and of the Old Faithful data (faithful.csv, R's
# faithful), into G = 1..9 groups, for the tests of the agglomeration. One
# line per data set and G:
#   name G label_1 ... label_n
# Run it from this directory with Debian's r-cran-mclust:
#     Rscript mclust_hc.R > mclust_hc.txt
suppressMessages(library(mclust))
cat(sprintf("# mclust %s, hclass(hc(x, modelName = \"VVV\", use = \"SVD\"), G)\n", packageVersion("mclust")))
sets <- list(iris = iris[, 1:4], faithful = read.csv("faithful.csv"))
for (name in names(sets)) {
  cl <- hclass(hc(sets[[name]], modelName = "VVV", use = "SVD"), 1:9)
  for (g in 1:9) cat(name, g, cl[, g], "\n")
}
