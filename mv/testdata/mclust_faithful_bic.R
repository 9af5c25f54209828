# Writes mclust_faithful_bic.txt: mclust's BIC table for R's Old Faithful
# data (faithful.csv: eruption durations and waiting times), as
# ../../testdata/mclust_iris_bic.txt is iris's (see mclust_bic_table.R
# there).
#
# Run it from this directory with Debian's r-cran-mclust:
#     Rscript mclust_faithful_bic.R > mclust_faithful_bic.txt
source("../../testdata/mclust_bic_table.R")

x <- read.csv("faithful.csv")
stopifnot(isTRUE(all.equal(as.matrix(x), as.matrix(faithful), check.attributes = FALSE)))
t <- write_bic_table(x, "faithful")
