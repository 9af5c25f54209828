"""Writes optima.txt: the best known optima of one-column normal mixtures on
the real data sets of this directory, for K = 2..5 (and 6 for the galaxies),
by maximisers independent of the Go code.

Maximum likelihood ("ml" rows). scikit-learn's GaussianMixture is run from
RUNS starting points (a quarter each of its k-means, k-means++, random and
random-from-data initialisations, seeds 0..RUNS-1), with no practical
iteration limit and reg_covar 1e-10 times the data's variance, and each run
is kept apart. Every run is screened at tol 1e-6; each distinct result
within SCREEN of the best non-degenerate one is then run on from where it
stopped at tol 1e-12 (see sklearn_runs). A run is degenerate, and is disqualified, if a
component has a standard deviation below THRESH times the data's spread
(the smaller of the population standard deviation and the interquartile
range over 1.349, computed as gmm's Fit computes it for its SigmaFloor), or
if fewer than 2 distinct data values have a responsibility of at least
SUPPORT for it. The best run that is not degenerate is then polished by
scipy's BFGS on unconstrained coordinates (the logits of the weights with
the last fixed at 0, the means, the logarithms of the sigmas), with the
exact gradient, followed by Newton steps on a finite-difference Hessian of
that gradient. The row records the polished optimum; the comment below it
the largest gradient component there, the Hessian's eigenvalues (all
negative: a strict local maximum), how many runs reached it, how many were
degenerate and the best of those. A second, separate search checks it: a
vectorised expectation conditional maximisation written here, from MAPSTARTS
random starts, CONTIGUOUS random partitions of the sorted data into runs of
consecutive values, and, by brute force, the best fits with K - 1
components with one more component on every small group of WINDOWS
consecutive sorted values (see windows); its best distinct results are
polished in the same way. Where that search finds a better non-degenerate
optimum, it is the best known one, and the comment says so.

Maximum a posteriori ("map" rows). The objective is gmm's log joint,

    Σ_i log Σ_k w_k N(x_i | μ_k, σ_k) + log Dirichlet(w | α)
      + Σ_k log Normal(μ_k | μ0, s0) + Σ_k log InverseGamma(σ_k | a0, b0),

with every normalising constant and no Jacobian, with the hyperparameters
that gmm's DefaultPrior(x) gives (α = 1, μ0 the median, s0 three times the
robust spread s, a0 = 1, b0 = s/10), written in the "prior" rows. It is maximised by brute force: expectation conditional
maximisation from MAPSTARTS random starting points, CONTIGUOUS random
partitions into runs, every non-degenerate maximum-likelihood run, and the
best fits with K - 1 components with one more component put on each tied
value (see spikes) or on each small group of consecutive values (see
windows), the best distinct results polished as above.

Run it from this directory with Debian's python3-sklearn and python3-scipy
(about 20 minutes of CPU time for the five data sets other than the
galaxies, and 1 minute for the galaxies; see README.md):
    /usr/bin/python3 reference.py > optima.txt
"""
import sys
import time

import numpy as np
import scipy
import scipy.stats
import sklearn
from scipy.optimize import minimize
from scipy.special import gammaln, logsumexp
from sklearn.mixture import GaussianMixture

DATA = [
    ("galaxies", [2, 3, 4, 5, 6]),
    ("nile", [2, 3, 4, 5]),
    ("iris_petal_length", [2, 3, 4, 5]),
    ("faithful_waiting", [2, 3, 4, 5]),
    ("faithful_eruptions", [2, 3, 4, 5]),
    ("geyser_waiting", [2, 3, 4, 5]),
]
RUNS = 200  # scikit-learn runs per case
MAPSTARTS = 200  # random starts per case for the brute-force MAP search
THRESH = 1e-3  # relative sigma threshold of the degeneracy rule
SUPPORT = 1e-3  # responsibility that puts a value in a component's support
ECMSEP = 1e-3  # ECM results (tol 1e-9) this close count as one optimum
SCREEN = 5.0  # screened runs this close to the best are run on to tol 1e-12
CONTIGUOUS = 400  # random partitions into runs of consecutive values per case
WINDOWS = (2, 3, 4, 5, 6, 8, 12)  # sizes of the small groups windows() tries
INITS = ["kmeans", "k-means++", "random", "random_from_data"]
HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


def load(name):
    return np.loadtxt(f"{name}.csv", skiprows=1)


def quantile(s, p):
    """The type-7 sample quantile of the sorted s (Hyndman & Fan 1996), as
    gmm's quantile computes it."""
    return float(np.quantile(s, p, method="linear"))


def spread(x):
    """Fit's robust spread, as gmm's medianSpread computes it: the
    interquartile range over 2Φ⁻¹(3/4) = 1.349, or where that is zero, the
    range between the quantiles p and 1 - p over 2Φ⁻¹(1 - p) for the first
    p of 1/8, 1/16, ... that gives a positive value, and last the range."""
    s = np.sort(x)
    n = len(s)
    v = (quantile(s, 0.75) - quantile(s, 0.25)) / (2 * scipy.stats.norm.ppf(0.75))
    p = 0.125
    while v == 0 and p * (n - 1) >= 1:
        v = (quantile(s, 1 - p) - quantile(s, p)) / (2 * scipy.stats.norm.ppf(1 - p))
        p /= 2
    if v == 0:
        v = (s[-1] - s[0]) / (2 * scipy.stats.norm.ppf(1 - 1 / (2 * n)))
    return v


def default_prior(x):
    """gmm's DefaultPrior(x): Dirichlet(1), Normal(median, 3s) on the means
    and InverseGamma(1, s/10) on the sigmas, s the robust spread."""
    s = spread(x)
    return dict(alpha=1.0, mu0=quantile(np.sort(x), 0.5), s0=3 * s, a0=1.0, b0=s / 10)


def components(x, w, mu, sig):
    z = (x[:, None] - mu[None, :]) / sig[None, :]
    return np.log(w)[None, :] - np.log(sig)[None, :] - HALF_LOG_2PI - 0.5 * z * z


def loglik(x, w, mu, sig):
    return logsumexp(components(x, w, mu, sig), axis=1).sum()


def logprior(pr, w, mu, sig):
    if pr is None:
        return 0.0
    K = w.shape[-1]
    lp = gammaln(K * pr["alpha"]) - K * gammaln(pr["alpha"])
    if pr["alpha"] != 1:
        lp = lp + (pr["alpha"] - 1) * np.log(w).sum(axis=-1)
    z = (mu - pr["mu0"]) / pr["s0"]
    lp = lp + (-0.5 * z * z - np.log(pr["s0"]) - HALF_LOG_2PI).sum(axis=-1)
    a0, b0 = pr["a0"], pr["b0"]
    return lp + (a0 * np.log(b0) - gammaln(a0) - (a0 + 1) * np.log(sig) - b0 / sig).sum(axis=-1)


def objective(x, pr, w, mu, sig):
    return loglik(x, w, mu, sig) + logprior(pr, w, mu, sig)


def unpack(theta, K):
    eta = np.append(theta[: K - 1], 0.0)
    w = np.exp(eta - logsumexp(eta))
    return w, theta[K - 1 : 2 * K - 1], np.exp(theta[2 * K - 1 :])


def pack(w, mu, sig):
    lw = np.log(w)
    return np.concatenate([lw[:-1] - lw[-1], mu, np.log(sig)])


def loss_grad(theta, x, pr, K):
    """The negative objective and its gradient in the unconstrained
    coordinates."""
    w, mu, sig = unpack(theta, K)
    c = components(x, w, mu, sig)
    lse = logsumexp(c, axis=1)
    r = np.exp(c - lse[:, None])
    d = (x[:, None] - mu[None, :]) / sig[None, :]
    N = r.sum(axis=0)
    g_eta = N - len(x) * w
    g_mu = (r * d).sum(axis=0) / sig
    g_rho = (r * (d * d - 1)).sum(axis=0)
    f = lse.sum()
    if pr is not None:
        f += logprior(pr, w, mu, sig)
        g_eta = g_eta + (pr["alpha"] - 1) * (1 - K * w)
        g_mu = g_mu - (mu - pr["mu0"]) / pr["s0"] ** 2
        g_rho = g_rho - (pr["a0"] + 1) + pr["b0"] / sig
    g = np.concatenate([g_eta[:-1], g_mu, g_rho])
    return -f, -g


def hessian(theta, x, pr, K):
    """The Hessian of the loss by central differences of the exact
    gradient, symmetrised."""
    p = len(theta)
    H = np.empty((p, p))
    for j in range(p):
        h = 1e-5 * max(1.0, abs(theta[j]))
        e = np.zeros(p)
        e[j] = h
        H[:, j] = (loss_grad(theta + e, x, pr, K)[1] - loss_grad(theta - e, x, pr, K)[1]) / (2 * h)
    return (H + H.T) / 2


def polish(x, pr, w, mu, sig):
    """BFGS, then Newton steps that are kept only if the loss does not
    rise. Returns the parameters, the objective, the largest gradient
    component and the eigenvalues of the objective's Hessian."""
    K = len(w)
    theta = pack(w, mu, sig)
    res = minimize(loss_grad, theta, args=(x, pr, K), jac=True, method="BFGS",
                   options=dict(gtol=1e-11, maxiter=100000))
    theta = res.x
    f, g = loss_grad(theta, x, pr, K)
    for _ in range(20):
        H = hessian(theta, x, pr, K)
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        f1, g1 = loss_grad(theta - step, x, pr, K)
        if not f1 <= f:
            break
        theta, f, g = theta - step, f1, g1
        if np.abs(g).max() < 1e-12 * len(x):
            break
    H = hessian(theta, x, pr, K)
    w, mu, sig = unpack(theta, K)
    o = np.argsort(mu)
    return w[o], mu[o], sig[o], -f, np.abs(g).max(), -np.linalg.eigvalsh(H)[::-1]


def try_polish(x, pr, w, mu, sig):
    """polish, or None where it breaks down: a candidate with a collapsing
    component can drive a sigma to zero or overflow, and the Hessian there
    has no eigenvalues to report. Such a candidate is no optimum."""
    with np.errstate(all="ignore"):
        try:
            p = polish(x, pr, w, mu, sig)
        except np.linalg.LinAlgError:
            return None
    if not (np.isfinite(p[3]) and np.all(np.isfinite(p[2])) and np.all(p[2] > 0)):
        return None
    return p


def degenerate(x, w, mu, sig, floor):
    """The reason a fit is degenerate, or None."""
    if sig.min() < floor:
        k = int(np.argmin(sig))
        return f"sigma {sig[k]:.3g} < {floor:.3g}"
    c = components(x, w, mu, sig)
    r = np.exp(c - logsumexp(c, axis=1)[:, None])
    for k in range(len(w)):
        if len(np.unique(x[r[:, k] >= SUPPORT])) < 2:
            return f"component on {len(np.unique(x[r[:, k] >= SUPPORT]))} distinct value(s)"
    return None


def sklearn_runs(x, K):
    """RUNS scikit-learn fits, each from its own initialisation, screened at
    tol 1e-6; the distinct results within SCREEN of the best screened
    non-degenerate one are then continued from where they stopped at tol
    1e-12. Returns (loglik, w, mu, sigma, converged, refined) per run."""
    var = np.var(x)
    X = x.reshape(-1, 1)

    def gm(**kw):
        return GaussianMixture(K, max_iter=1000000, reg_covar=1e-10 * var, n_init=1, **kw)

    def result(g, refined):
        w, mu, sig = g.weights_, g.means_.ravel(), np.sqrt(g.covariances_.ravel())
        return [loglik(x, w, mu, sig), w, mu, sig, g.converged_, refined]

    out = [result(gm(tol=1e-6, init_params=INITS[s % 4], random_state=s).fit(X), False) for s in range(RUNS)]
    floor = THRESH * spread(x)
    top = max(r[0] for r in out if degenerate(x, r[1], r[2], r[3], floor) is None)
    done = {}
    for r in sorted(out, key=lambda r: -r[0]):
        if r[0] < top - SCREEN:
            break
        key = round(r[0], 3)
        if key not in done:
            g = gm(tol=1e-12, weights_init=r[1], means_init=r[2].reshape(-1, 1),
                   precisions_init=(1 / r[3] ** 2).reshape(-1, 1, 1)).fit(X)
            done[key] = result(g, True)
        r[:] = [done[key][0], done[key][1], done[key][2], done[key][3], done[key][4], True]
    return [tuple(r) for r in out]


def starts(x, K, S, rng):
    """S random starting points: a third from random data points as means,
    a third from random partitions, a third by k-means++ seeding, with
    random sigmas and weights where the method leaves them open."""
    n, sd = len(x), np.std(x)
    W, M, G = np.empty((S, K)), np.empty((S, K)), np.empty((S, K))
    for s in range(S):
        kind = s % 3
        if kind == 0:
            M[s] = rng.choice(x, K, replace=False)
            G[s] = sd * rng.uniform(0.05, 0.5, K)
            W[s] = rng.dirichlet(np.ones(K))
        elif kind == 1:
            z = rng.integers(0, K, n)
            for k in range(K):
                xs = x[z == k] if (z == k).sum() > 1 else rng.choice(x, 2)
                M[s, k], G[s, k], W[s, k] = xs.mean(), max(xs.std(), 0.05 * sd), max(len(xs), 1)
            W[s] /= W[s].sum()
        else:
            c = [rng.choice(x)]
            for _ in range(K - 1):
                d2 = np.min((x[:, None] - np.array(c)[None, :]) ** 2, axis=1)
                c.append(x[rng.choice(n, p=d2 / d2.sum())] if d2.sum() > 0 else rng.choice(x))
            c = np.array(c)
            z = np.argmin(np.abs(x[:, None] - c[None, :]), axis=1)
            for k in range(K):
                xs = x[z == k]
                M[s, k] = xs.mean() if len(xs) else c[k]
                G[s, k] = max(xs.std() if len(xs) > 1 else 0, 0.05 * sd)
                W[s, k] = max(len(xs), 1)
            W[s] /= W[s].sum()
    return W, M, G


def stack(parts):
    """Concatenates lists of (w, mu, sig) starting points into the arrays
    ecm takes."""
    return tuple(np.array([p[i] for p in parts]) for i in range(3))


def contiguous(x, K, S, rng, floor):
    """S starting points from random partitions of the sorted data into K
    runs of consecutive values, cut at K - 1 distinct places drawn
    uniformly: each component gets its run's share, mean and standard
    deviation (at least 10 floor)."""
    xs = np.sort(x)
    n = len(xs)
    out = []
    for _ in range(S):
        cuts = np.concatenate([[0], np.sort(rng.choice(np.arange(1, n), K - 1, replace=False)), [n]])
        runs = [xs[cuts[k]:cuts[k + 1]] for k in range(K)]
        out.append((np.array([len(r) / n for r in runs]), np.array([r.mean() for r in runs]),
                    np.array([max(r.std(), 10 * floor) for r in runs])))
    return out


def windows(x, bases, floor):
    """Starting points for K components from fits with K - 1, by brute
    force over small groups: each base with one more component on every
    run of m consecutive sorted values, for m in WINDOWS, that holds at
    least 2 distinct values, with the run's share of the points, its mean
    and its standard deviation (at least 10 floor). Narrow groups of a few
    close values are optima that random starts seldom find."""
    xs = np.sort(x)
    n = len(xs)
    out, seen = [], set()
    for m in WINDOWS:
        for i in range(n - m + 1):
            r = xs[i:i + m]
            if r[-1] == r[0] or (r[0], r[-1]) in seen:
                continue
            seen.add((r[0], r[-1]))
            f = m / n
            for w, mu, sig in bases:
                out.append((np.append(w * (1 - f), f), np.append(mu, r.mean()),
                            np.append(sig, max(r.std(), 10 * floor))))
    return out


def ecm(x, pr, W, M, G, floor, iters=2000, tol=1e-9):
    """Expectation conditional maximisation from S starting points at once:
    the weights, then the means, then the sigmas (at the new means), each in
    closed form, as gmm's EM does. Sigmas are held above floor only to keep
    collapsing runs finite. Returns the final parameters and objectives."""
    W, M, G = W.copy(), M.copy(), G.copy()
    n = len(x)
    K = W.shape[1]
    active = np.ones(len(W), bool)
    prev = np.full(len(W), -np.inf)
    for _ in range(iters):
        idx = np.nonzero(active)[0]
        if len(idx) == 0:
            break
        w, mu, sig = W[idx], M[idx], G[idx]
        z = (x[None, :, None] - mu[:, None, :]) / sig[:, None, :]
        c = np.log(w)[:, None, :] - np.log(sig)[:, None, :] - HALF_LOG_2PI - 0.5 * z * z
        cmax = c.max(axis=2, keepdims=True)
        r = np.exp(c - cmax)
        tot = r.sum(axis=2, keepdims=True)
        r /= tot
        lse = (cmax + np.log(tot))[:, :, 0]
        obj = lse.sum(axis=1)
        if pr is not None:
            obj += logprior(pr, w, mu, sig)
        done = np.abs(obj - prev[idx]) <= tol * (np.abs(obj) + n)
        prev[idx] = obj
        N = r.sum(axis=1)
        S1 = (r * x[None, :, None]).sum(axis=1)
        if pr is None:
            w = N / n
            mu = S1 / np.maximum(N, 1e-300)
        else:
            a = pr["alpha"]
            w = (N + a - 1) / (n + K * a - K)
            is2, ps = 1 / sig ** 2, 1 / pr["s0"] ** 2
            mu = (S1 * is2 + pr["mu0"] * ps) / (N * is2 + ps)
        S = (r * (x[None, :, None] - mu[:, None, :]) ** 2).sum(axis=1)
        if pr is None:
            sig = np.sqrt(S / np.maximum(N, 1e-300))
        else:
            cc = pr["a0"] + 1 + N
            sig = (pr["b0"] + np.sqrt(pr["b0"] ** 2 + 4 * cc * S)) / (2 * cc)
        sig = np.maximum(sig, floor)
        w = np.maximum(w, 1e-300)
        W[idx], M[idx], G[idx] = w / w.sum(axis=1, keepdims=True), mu, sig
        active[idx[done]] = False
    objs = np.array([objective(x, pr, W[s], M[s], G[s]) for s in range(len(W))])
    return W, M, G, objs


def fmt(v):
    return " ".join(f"{t:.17g}" for t in v)


def best_distinct(cands, count, sep):
    """Up to count candidates (obj, w, mu, sig) with objectives at least
    sep apart, best first."""
    out = []
    for c in sorted(cands, key=lambda c: -c[0]):
        if all(abs(c[0] - o[0]) > sep for o in out):
            out.append(c)
        if len(out) == count:
            break
    return out


def ml_case(name, x, K, floor, rng, bases):
    runs = sklearn_runs(x, K)
    good = [(ll, w, mu, sig) for ll, w, mu, sig, *_ in runs if degenerate(x, w, mu, sig, floor) is None]
    bad = [(ll, degenerate(x, w, mu, sig, floor)) for ll, w, mu, sig, *_ in runs
           if degenerate(x, w, mu, sig, floor) is not None]
    if not good:
        sys.exit(f"{name} K={K}: every run degenerate")
    sk = None
    for ll0, w, mu, sig in best_distinct(good, 3, 1e-6):
        p = polish(x, None, w, mu, sig)
        if degenerate(x, p[0], p[1], p[2], floor) is None and (sk is None or p[3] > sk[3]):
            sk = p
    # The separate search. Where it finds a better non-degenerate optimum
    # than scikit-learn's runs, that is the best known one.
    W, M, G = starts(x, K, MAPSTARTS, rng)
    W2, M2, G2 = stack(contiguous(x, K, CONTIGUOUS, rng, floor) + windows(x, bases, floor))
    W, M, G = np.vstack([W, W2]), np.vstack([M, M2]), np.vstack([G, G2])
    S = len(W)
    W, M, G, objs = ecm(x, None, W, M, G, floor * 1e-3)
    other = [(o, W[s], M[s], G[s]) for s, o in enumerate(objs) if degenerate(x, W[s], M[s], G[s], floor) is None]
    best, source = sk, "scikit-learn"
    for o, w2, mu2, sig2 in best_distinct(other, 3, ECMSEP):
        q = try_polish(x, None, w2, mu2, sig2)
        if q is not None and degenerate(x, q[0], q[1], q[2], floor) is None and q[3] > best[3] + 1e-6:
            best, source = q, "the ECM search"
    w, mu, sig, ll, gmax, eig = best
    reached = sum(1 for r in runs if abs(r[0] - ll) < 1e-6 and degenerate(x, r[1], r[2], r[3], floor) is None)
    ecm_reached = sum(1 for o, *_ in other if abs(o - ll) < ECMSEP)
    note = f"# ml {name} {K}: found by {source}; "
    if source != "scikit-learn":
        note += f"scikit-learn's best non-degenerate run ends at {sk[3]:.6f}; "
    note += (f"scikit-learn {reached}/{RUNS} runs reach it, "
             f"{sum(1 for r in runs if not r[4])} did not converge, {len(bad)} degenerate")
    if bad:
        b = max(bad, key=lambda t: t[0])
        note += f" (best {b[0]:.6f}: {b[1]})"
    note += (f"; ECM {ecm_reached}/{S} starts reach it ({MAPSTARTS} random, {CONTIGUOUS} contiguous, "
             f"{S - MAPSTARTS - CONTIGUOUS} from K - 1 with a small group), {S - len(other)} degenerate"
             f"; max|grad| {gmax:.1e}; Hessian eigenvalues {eig.min():.3g} .. {eig.max():.3g}")
    if eig.max() >= 0:
        sys.exit(f"{name} K={K}: the maximum-likelihood optimum is not a strict maximum")
    top = [(w, mu, sig)] + [c[1:] for c in best_distinct(other, 2, ECMSEP)]
    return f"ml {name} {K} {ll:.12f} {fmt(w)} {fmt(mu)} {fmt(sig)}\n{note}", top, good


def spikes(x, pr, bases):
    """Starting points for K components from fits with K - 1: each base
    (w, mu, sig) with one more component on each value that occurs at least
    twice, of that value's share of the points and the σ the prior's mode
    gives a component on c equal points, b0 / (a0 + 1 + c). Under the prior
    such components are proper maxima where data are tied, and random starts
    rarely land on the right combination of them."""
    vals, counts = np.unique(x, return_counts=True)
    out = []
    for w, mu, sig in bases:
        for v, c in zip(vals, counts):
            if c >= 2:
                f = c / len(x)
                out.append((np.append(w * (1 - f), f), np.append(mu, v),
                            np.append(sig, pr["b0"] / (pr["a0"] + 1 + c))))
    return out


def map_case(name, x, K, pr, good, bases, rng, floor):
    """The MAP search for K components: random starts, the non-degenerate
    maximum-likelihood runs, and spikes() on bases, the best fits found for
    K - 1. Returns the row and the best few fits, as bases for K + 1."""
    W, M, G = starts(x, K, MAPSTARTS, rng)
    extra = ([g[1:4] for g in good] + spikes(x, pr, bases) + contiguous(x, K, CONTIGUOUS, rng, floor)
             + windows(x, bases[:2], floor))
    if extra:
        W = np.vstack([W] + [e[0][None, :] for e in extra])
        M = np.vstack([M] + [e[1][None, :] for e in extra])
        G = np.vstack([G] + [e[2][None, :] for e in extra])
    W, M, G, objs = ecm(x, pr, W, M, G, 0.0)
    cands = [(o, W[s], M[s], G[s]) for s, o in enumerate(objs)]
    best = None
    for o, w, mu, sig in best_distinct(cands, 5, ECMSEP):
        p = try_polish(x, pr, w, mu, sig)
        if p is not None and (best is None or p[3] > best[3]):
            best = p
    w, mu, sig, lj, gmax, eig = best
    reached = sum(1 for o in objs if abs(o - lj) < ECMSEP)
    second = max((o for o in objs if o < lj - ECMSEP), default=float("nan"))
    note = (f"# map {name} {K}: ECM {reached}/{len(objs)} starts reach it ({MAPSTARTS} random, "
            f"{len(good)} from the ml runs, {CONTIGUOUS} contiguous, "
            f"{len(objs) - MAPSTARTS - len(good) - CONTIGUOUS} from K - 1 with a spike or a small group), "
            f"the next best {second:.4f}"
            f"; max|grad| {gmax:.1e}; Hessian eigenvalues {eig.min():.3g} .. {eig.max():.3g}")
    if eig.max() >= 0:
        sys.exit(f"{name} K={K}: the MAP is not a strict maximum")
    top = [(w, mu, sig)] + [c[1:] for c in best_distinct(cands, 4, ECMSEP)]
    return f"map {name} {K} {lj:.12f} {fmt(w)} {fmt(mu)} {fmt(sig)}\n{note}", top


def main():
    only = sys.argv[1:]
    t0 = time.time()
    print(f"""# Best known optima of one-column normal mixtures on the data sets of this
# directory. Regenerate with: /usr/bin/python3 reference.py > optima.txt
# scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, numpy {np.__version__}.
# See reference.py for how each row was found.
#
# Rows, whitespace-separated, '#' starts a comment line:
#   data  NAME FILE N SPREAD FLOOR
#         SPREAD = the robust spread IQR/1.349 (type-7 quantiles) as gmm's Fit
#         computes it;
#         a component with sigma < FLOOR = {THRESH:g}*SPREAD, or with fewer than
#         2 distinct values of responsibility >= {SUPPORT:g}, is degenerate.
#   prior NAME ALPHA MU0 S0 A0 B0
#         Dirichlet(ALPHA), Normal(MU0, S0) on the means, InverseGamma(A0, B0)
#         on the sigmas: DefaultPrior(x), (1, median, 3 SPREAD, 1, SPREAD/10).
#   ml    NAME K LOGLIK W_1..W_K MU_1..MU_K SIGMA_1..SIGMA_K
#         the best non-degenerate maximum of the likelihood;
#   map   NAME K LOGJOINT W_1..W_K MU_1..MU_K SIGMA_1..SIGMA_K
#         the best maximum of the log joint under the prior row's prior;
#         components in increasing order of mean.""")
    for name, Ks in DATA:
        if only and name not in only:
            continue
        x = load(name)
        sp = spread(x)
        pr = default_prior(x)
        print(f"\ndata {name} {name}.csv {len(x)} {sp:.17g} {THRESH * sp:.17g}")
        print(f"prior {name} {fmt([pr['alpha'], pr['mu0'], pr['s0'], pr['a0'], pr['b0']])}")
        # The base for K = 2: one component at the sample's moments.
        bases = [(np.ones(1), np.array([x.mean()]), np.array([x.std()]))]
        ml_bases = bases
        for K in Ks:
            rng = np.random.default_rng([K, len(x)])
            row, ml_top, good = ml_case(name, x, K, THRESH * sp, rng, ml_bases)
            print(row)
            row, top = map_case(name, x, K, pr, good, bases, rng, THRESH * sp)
            print(row, flush=True)
            bases = top + ml_top[:1]
            ml_bases = ml_top
            print(f"{name} K={K} done at {time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
