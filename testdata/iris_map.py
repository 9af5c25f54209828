"""Writes iris_map.txt: the maximum a posteriori fit of the notebook's model
(Dirichlet(1, 1) on the weights, Normal(0, 10) on each mean, InverseGamma(1, 1)
on each standard deviation) to the iris petal lengths with K = 2, the
reference of the tests' TestFitIrisMAPEverySeed.

The log joint is written out here from the model's definition, in the
constrained space with no Jacobian, and maximised by SciPy's BFGS over
(logit w_1, μ_1, μ_2, log σ_1, log σ_2) from 200 random starting points; the
best run is polished by Nelder–Mead and reported with its gradient norm.
The maximiser does not depend on the parametrisation, since no Jacobian is
added.

Run it from this directory with Debian's python3-scipy:
    /usr/bin/python3 iris_map.py > iris_map.txt
"""
import csv

import numpy as np
import scipy
from scipy.optimize import minimize
from scipy.special import gammaln, logsumexp

with open("../iris/iris.csv") as f:
    x = np.array([float(r["petal_length"]) for r in csv.DictReader(f)])


def unpack(t):
    w1 = 1 / (1 + np.exp(-t[0]))
    return np.array([w1, 1 - w1]), t[1:3], np.exp(t[3:5])


def loss(t):
    """Minus the log joint log p(x, w, μ, σ), every constant included."""
    w, mu, s = unpack(t)
    z = (x[:, None] - mu) / s
    ll = logsumexp(np.log(w) - np.log(s) - 0.5 * np.log(2 * np.pi) - 0.5 * z * z, axis=1).sum()
    lp = gammaln(2.0)  # Dirichlet(1, 1): log Γ(2) − 2 log Γ(1)
    lp += np.sum(-0.5 * (mu / 10) ** 2 - np.log(10) - 0.5 * np.log(2 * np.pi))
    lp += np.sum(-2 * np.log(s) - 1 / s)  # InverseGamma(1, 1): log 1 − log Γ(1) − 2 log σ − 1/σ
    return -(ll + lp)


rng = np.random.default_rng(0)
best = None
for _ in range(200):
    t0 = np.array([rng.normal(), *rng.uniform(x.min(), x.max(), 2), *np.log(rng.uniform(0.05, 3, 2))])
    r = minimize(loss, t0, method="BFGS", options={"gtol": 1e-10, "maxiter": 10000})
    if best is None or r.fun < best.fun:
        best = r
r = minimize(loss, best.x, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-13, "maxiter": 100000})
if r.fun < best.fun:
    best = r
w, mu, s = unpack(best.x)
h = 1e-6
g = [(loss(best.x + h * e) - loss(best.x - h * e)) / (2 * h) for e in np.eye(5)]
order = np.argsort(mu)
print(f"# SciPy {scipy.__version__}: BFGS from 200 random starts, then Nelder-Mead; gradient norm {np.linalg.norm(g):.1e}")
print("# columns: weight mean sigma, components in increasing order of mean; then the loss, minus the log joint")
for k in order:
    print(f"{w[k]:.10f} {mu[k]:.10f} {s[k]:.10f}")
print(f"{best.fun:.10f}")
