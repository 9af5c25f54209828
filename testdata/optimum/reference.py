"""Prints optima.txt: the best optima known of one-column normal mixtures on
the data sets of this directory, found by brute force, independently of the
Go code.

For each case, expectation conditional maximisation (the same updates as
Fit's EM, written here afresh in numpy) runs from STARTS random starting
points, all at once: half take K distinct data values at random as the means,
half cut the sorted data at K - 1 random places and take the pieces' moments;
every run goes on until the objective changes by less than 1e-11 of itself,
or for at most ITERS iterations. A run is degenerate, and is dropped, if
under maximum likelihood a component's sigma falls below FLOOR times the
data's spread (the smaller of the population standard deviation and the
interquartile range over 1.349, as Fit computes it), or fewer than 2
distinct data values have a responsibility of at least 1e-3 for it. The row
gives the best remaining objective, the number of runs that reach it within
1e-6, and the parameters in increasing order of mean.

Maximum a posteriori rows use the prior gmm.DefaultPrior(x) gives: Dirichlet(1),
Normal(midrange, range) on the means, InverseGamma(1, sd/10) on the sigmas,
with every normalising constant and no Jacobian, as gmm's LogJoint.

The data, one value a line, are R's faithful$waiting (Azzalini & Bowman
1990, Appl. Statist. 39: the minutes between 272 eruptions of Old Faithful)
and MASS::galaxies (Roeder 1990, JASA 85: the velocities in km/s of 82
galaxies), written by Rscript -e 'cat(faithful$waiting, sep="\n")' and
Rscript -e 'cat(MASS::galaxies, sep="\n")'.

Run it from this directory with Debian's python3-numpy and python3-scipy:
    /usr/bin/python3 reference.py > optima.txt
"""
import numpy as np
from scipy.special import gammaln, logsumexp

STARTS = 400
ITERS = 4000
FLOOR = 1e-3
CASES = [("faithful_waiting", 3, "ml"), ("galaxies", 4, "ml"), ("galaxies", 4, "map")]


def load(name):
    return np.loadtxt(f"{name}.txt")


def spread(x):
    s = np.sort(x)
    n = len(s)
    return min(np.std(x), (s[(3 * n) // 4] - s[n // 4]) / 1.349)


def default_prior(x):
    lo, hi = x.min(), x.max()
    return dict(alpha=1.0, mu0=lo / 2 + hi / 2, s0=hi - lo, a0=1.0, b0=np.std(x) / 10)


def log_prior(pr, w, mu, s):
    K = w.shape[1]
    lp = gammaln(K * pr["alpha"]) - K * gammaln(pr["alpha"])
    z = (mu - pr["mu0"]) / pr["s0"]
    lp = lp + np.sum(-0.5 * z * z - np.log(pr["s0"]) - 0.5 * np.log(2 * np.pi), axis=1)
    c = pr["a0"] * np.log(pr["b0"]) - gammaln(pr["a0"])
    return lp + np.sum(c - (pr["a0"] + 1) * np.log(s) - pr["b0"] / s, axis=1)


def estep(x, w, mu, s):
    # log w_k N(x_i | mu_k, s_k), shape (runs, n, K)
    z = (x[None, :, None] - mu[:, None, :]) / s[:, None, :]
    lt = np.log(w)[:, None, :] - np.log(s)[:, None, :] - 0.5 * np.log(2 * np.pi) - 0.5 * z * z
    ll = logsumexp(lt, axis=2)
    return ll.sum(axis=1), np.exp(lt - ll[:, :, None])


def mstep(x, r, mu, s, pr, floor):
    n = len(x)
    N = r.sum(axis=1)
    K = N.shape[1]
    if pr is None:
        w = N / n
        nu = (r * x[None, :, None]).sum(axis=1) / np.maximum(N, 1e-300)
    else:
        w = (N + pr["alpha"] - 1) / (n + K * pr["alpha"] - K)
        ps = 1 / pr["s0"] ** 2
        s2 = s * s
        nu = ((r * x[None, :, None]).sum(axis=1) / s2 + pr["mu0"] * ps) / (N / s2 + ps)
    S = (r * (x[None, :, None] - nu[:, None, :]) ** 2).sum(axis=1)
    if pr is None:
        sd = np.maximum(np.sqrt(S / np.maximum(N, 1e-300)), floor)
    else:
        c, b = pr["a0"] + 1 + N, pr["b0"]
        sd = (b + np.sqrt(b * b + 4 * c * S)) / (2 * c)
    return np.maximum(w, 1e-300), nu, sd


def starts(x, K, rng):
    xs = np.sort(x)
    n = len(x)
    w = np.full((STARTS, K), 1 / K)
    mu = np.empty((STARTS, K))
    s = np.empty((STARTS, K))
    vals = np.unique(x)
    for j in range(STARTS):
        if j % 2 == 0:
            mu[j] = rng.choice(vals, K, replace=False)
            s[j] = np.std(x) / K
        else:
            cuts = np.sort(rng.choice(np.arange(1, n), K - 1, replace=False))
            for k, piece in enumerate(np.split(xs, cuts)):
                mu[j, k] = piece.mean()
                s[j, k] = max(piece.std(), 1e-2 * np.std(x))
    return w, mu, s


def run(x, K, pr, rng):
    floor = FLOOR * spread(x) if pr is None else 0.0
    w, mu, s = starts(x, K, rng)
    prev = np.full(STARTS, -np.inf)
    for _ in range(ITERS):
        ll, r = estep(x, w, mu, s)
        obj = ll if pr is None else ll + log_prior(pr, w, mu, s)
        if np.all(np.abs(obj - prev) <= 1e-11 * np.abs(obj)):
            break
        prev = obj
        w, mu, s = mstep(x, r, mu, s, pr, floor)
    ll, r = estep(x, w, mu, s)
    obj = ll if pr is None else ll + log_prior(pr, w, mu, s)
    ok = np.ones(STARTS, bool)
    if pr is None:
        ok &= np.all(s > floor * (1 + 1e-6), axis=1)
        for j in range(STARTS):
            for k in range(K):
                if len(np.unique(x[r[j, :, k] >= 1e-3])) < 2:
                    ok[j] = False
    obj = np.where(ok, obj, -np.inf)
    b = int(np.argmax(obj))
    hits = int(np.sum(np.abs(obj - obj[b]) <= 1e-6))
    o = np.argsort(mu[b])
    return obj[b], hits, int(np.sum(~ok)), w[b][o], mu[b][o], s[b][o]


def main():
    rng = np.random.default_rng(20261202)
    print("# name K kind objective hits/starts degenerate weights... means... sigmas...")
    print("# objective: log-likelihood (ml) or log joint under DefaultPrior (map)")
    for name, K, kind in CASES:
        x = load(name)
        pr = default_prior(x) if kind == "map" else None
        obj, hits, bad, w, mu, s = run(x, K, pr, rng)
        nums = " ".join(repr(float(v)) for v in np.concatenate([w, mu, s]))
        print(f"{name} {K} {kind} {obj!r} {hits}/{STARTS} {bad} {nums}")


if __name__ == "__main__":
    main()
