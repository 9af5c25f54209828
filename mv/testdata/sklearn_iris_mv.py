"""Writes sklearn_iris_mv.txt: scikit-learn's maximum-likelihood
GaussianMixture fits of iris's four columns with K = 3 for its four
covariance types, run to a tight tolerance with no covariance
regularisation and twenty initialisations, for the tests' comparison with
the models mv shares (Full = VVV, Tied = EEE, Diagonal = VVI, Spherical =
VII).

For each type, one block:
    TYPE K LOGLIK        the total log-likelihood
    the K weights
    the K means, component by component, 4 values each
    the K covariances, component by component, 4×4 values row by row
with the components in increasing order of their means, compared column by
column, as mv numbers them.

Run it from this directory with Debian's python3-sklearn:
    /usr/bin/python3 sklearn_iris_mv.py > sklearn_iris_mv.txt
"""
import csv

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

with open("../../iris/iris.csv") as f:
    rows = list(csv.DictReader(f))
cols = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
x = np.array([[float(r[c]) for c in cols] for r in rows])
k = 3
print(f"# scikit-learn {sklearn.__version__}, GaussianMixture({k}, covariance_type=TYPE, tol=1e-12, "
      "max_iter=100000, reg_covar=0, n_init=20, random_state=0)")
for t in ["full", "tied", "diag", "spherical"]:
    g = GaussianMixture(k, covariance_type=t, tol=1e-12, max_iter=100000, reg_covar=0,
                        n_init=20, random_state=0).fit(x)
    if t == "full":
        cov = g.covariances_
    elif t == "tied":
        cov = np.array([g.covariances_] * k)
    elif t == "diag":
        cov = np.array([np.diag(v) for v in g.covariances_])
    else:
        cov = np.array([v * np.eye(4) for v in g.covariances_])
    order = sorted(range(k), key=lambda j: tuple(g.means_[j]))
    print(t, k, f"{g.score(x) * len(x):.12f}")
    print(" ".join(f"{g.weights_[j]:.17g}" for j in order))
    print(" ".join(f"{v:.17g}" for j in order for v in g.means_[j]))
    print(" ".join(f"{v:.17g}" for j in order for v in cov[j].ravel()))
