"""Writes sklearn_mv.txt: scikit-learn's maximum-likelihood GaussianMixture
fits with its four covariance types (full, tied, diag, spherical; mclust's
VVV, EEE, VVI and VII) on iris's four measurement columns and on Old
Faithful's two columns (eruptions, waiting), for K = 1..4, the best of many
initialisations.

Each case runs RUNS fits, a quarter each from scikit-learn's k-means,
k-means++, random and random-from-data initialisations (seeds 0..RUNS-1),
with reg_covar 1e-10 times the smallest column variance and at most MAXITER
EM steps, screened at tol 1e-6; every distinct screened result within SCREEN of the best is then run
on from where it stopped at tol 1e-12, and the best of those is recorded.
A run is degenerate, and cannot win, if a component has fewer than d + 1
distinct rows of responsibility at least 1e-3, or a covariance eigenvalue
below 1e-6 times the smallest eigenvalue of the data's covariance (a
standard deviation below 1e-3 of the data's smallest), the rule of
../shared/MULTIVARIATE.md ("Degenerate fits are not winners").

Run it from this directory with Debian's python3-sklearn:
    /usr/bin/python3 sklearn_mv.py > sklearn_mv.txt
"""
import csv
import sys

import numpy as np
import scipy
import sklearn
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture

RUNS = 200
MAXITER = 20000  # a run still going after this many EM steps cannot win
SCREEN = 5.0
INITS = ["kmeans", "k-means++", "random", "random_from_data"]
TYPES = ["full", "tied", "diag", "spherical"]


def iris():
    with open("../iris/iris.csv") as f:
        rows = list(csv.DictReader(f))
    cols = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    return np.array([[float(r[c]) for c in cols] for r in rows])


def faithful():
    cols = [np.loadtxt(f"realdata/faithful_{c}.csv", skiprows=1) for c in ("eruptions", "waiting")]
    return np.column_stack(cols)


def full_covariances(g, K, d):
    c = g.covariances_
    if g.covariance_type == "full":
        return c
    if g.covariance_type == "tied":
        return np.repeat(c[None, :, :], K, axis=0)
    if g.covariance_type == "diag":
        return np.array([np.diag(v) for v in c])
    return np.array([v * np.eye(d) for v in c])


def loglik(x, w, mu, cov):
    lp = np.column_stack([np.log(w[k]) + multivariate_normal(mu[k], cov[k]).logpdf(x) for k in range(len(w))])
    return logsumexp(lp, axis=1).sum()


def degenerate(x, g, cov, eig_floor):
    d = x.shape[1]
    if min(np.linalg.eigvalsh(c).min() for c in cov) < eig_floor:
        return True
    r = g.predict_proba(x)
    return any(len(np.unique(x[r[:, k] >= 1e-3], axis=0)) < d + 1 for k in range(r.shape[1]))


def precisions(g):
    c = g.covariances_
    if g.covariance_type in ("full", "tied"):
        return np.linalg.inv(c)
    return 1 / c


def case(x, typ, K):
    d = x.shape[1]
    reg = 1e-10 * x.var(axis=0).min()
    eig_floor = 1e-6 * np.linalg.eigvalsh(np.cov(x.T, bias=True)).min()

    def gm(**kw):
        return GaussianMixture(K, covariance_type=typ, max_iter=MAXITER, reg_covar=reg, n_init=1, **kw)

    def result(g):
        w, mu, cov = g.weights_, g.means_, full_covariances(g, K, d)
        return g.score(x) * len(x), w, mu, cov, g

    screened = [result(gm(tol=1e-6, init_params=INITS[s % 4], random_state=s).fit(x)) for s in range(RUNS)]
    ok = [r for r in screened if r[4].converged_ and not degenerate(x, r[4], r[3], eig_floor)]
    top = max(r[0] for r in ok)
    final, seen = [], set()
    for r in sorted(ok, key=lambda r: -r[0]):
        if r[0] < top - SCREEN:
            break
        key = round(r[0], 3)
        if key in seen:
            continue
        seen.add(key)
        g0 = r[4]
        g = gm(tol=1e-12, weights_init=g0.weights_, means_init=g0.means_, precisions_init=precisions(g0)).fit(x)
        f = result(g)
        if f[4].converged_ and not degenerate(x, f[4], f[3], eig_floor):
            final.append(f)
    ll, w, mu, cov, g = max(final, key=lambda r: r[0])
    # scikit-learn's score against a separate evaluation of the density.
    assert abs(loglik(x, w, mu, cov) - ll) < 1e-8 * len(x), (typ, K)
    reached = sum(1 for r in screened if abs(r[0] - ll) < 1e-2)
    o = np.lexsort(mu.T[::-1])
    return ll, w[o], mu[o], cov[o], reached, RUNS - len(ok), g.converged_


def fmt(v):
    return " ".join(f"{t:.15g}" for t in np.ravel(v))


def main():
    print(f"""# scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, numpy {np.__version__}:
# maximum-likelihood GaussianMixture fits, best of {RUNS} initialisations (see
# sklearn_mv.py), tol 1e-12, reg_covar 1e-10 times the smallest column variance.
# Data: iris = the four measurements of ../iris/iris.csv (n = 150, d = 4);
# faithful = Old Faithful's eruptions and waiting, realdata/faithful_*.csv
# (n = 272, d = 2).
#
# Rows, whitespace-separated, '#' starts a comment line:
#   DATA TYPE K D LOGLIK W_1..W_K MEAN_1..MEAN_K COV_1..COV_K
# TYPE is scikit-learn's covariance_type; each MEAN_k is D numbers and each
# COV_k the D*D numbers of component k's covariance matrix in row-major
# order (tied, diag and spherical written out in full); components in
# increasing order of their means' first coordinate. LOGLIK is the total
# log-likelihood. The comment after each row gives how many screened runs
# ended within 0.01 of it and how many were degenerate or did not converge.""")
    only = sys.argv[1:]
    for name, x in (("iris", iris()), ("faithful", faithful())):
        if only and name not in only:
            continue
        for typ in TYPES:
            for K in range(1, 5):
                ll, w, mu, cov, reached, bad, conv = case(x, typ, K)
                if not conv:
                    raise SystemExit(f"{name} {typ} {K}: did not converge")
                print(f"{name} {typ} {K} {x.shape[1]} {ll:.10f} {fmt(w)} {fmt(mu)} {fmt(cov)}")
                print(f"# {name} {typ} {K}: {reached}/{RUNS} screened runs within 0.01, {bad} degenerate or not converged",
                      flush=True)


if __name__ == "__main__":
    main()
