"""Writes sklearn_iris.txt: scikit-learn's maximum-likelihood GaussianMixture
fit of the iris petal lengths, K = 2, run to a tight tolerance with no
covariance regularisation, for the tests' comparison with the zero Prior.

Run it from this directory with Debian's python3-sklearn:
    /usr/bin/python3 sklearn_iris.py > sklearn_iris.txt
"""
import csv

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

with open("../iris/iris.csv") as f:
    x = np.array([float(r["petal_length"]) for r in csv.DictReader(f)]).reshape(-1, 1)
g = GaussianMixture(2, tol=1e-14, max_iter=100000, reg_covar=0, n_init=10, random_state=0).fit(x)
order = np.argsort(g.means_.ravel())
print(f"# scikit-learn {sklearn.__version__}, GaussianMixture(2, tol=1e-14, reg_covar=0, n_init=10)")
print("# columns: weight mean sigma, components in increasing order of mean; then the total log-likelihood")
for k in order:
    print(f"{g.weights_[k]:.12f} {g.means_.ravel()[k]:.12f} {np.sqrt(g.covariances_.ravel()[k]):.12f}")
print(f"{g.score(x) * len(x):.10f}")
