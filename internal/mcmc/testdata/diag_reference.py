"""Reference values for TestDiagnosticsReference.

A transcription in NumPy/SciPy of rhat() and ess_bulk() from the posterior
R package (Vehtari et al. 2021), with the Blom offsets (r - 3/8)/(S + 1/4)
of the paper and the folding about the median of the kept draws. From the
module's root, the first command writes the test's draws to draws0.txt,
draws1.txt and draws2.txt here, the second the reference values, one line
"chains draws R̂ ESS" per case, to diag_reference.txt:

    GMM_DIAG_DUMP=$PWD/internal/mcmc/testdata go test -run Reference ./internal/mcmc
    /usr/bin/python3 internal/mcmc/testdata/diag_reference.py internal/mcmc/testdata > internal/mcmc/testdata/diag_reference.txt

The root package's tests read the same files to check Posterior.RHat and
Posterior.ESS.
"""
import sys

import numpy as np
from scipy.stats import norm, rankdata


def split_chains(x):
    n = x.shape[0]
    h = n // 2
    return np.hstack([x[:h, :], x[n - h:, :]])


def z_scale(x):
    r = rankdata(x.ravel(), method="average").reshape(x.shape)
    return norm.ppf((r - 0.375) / (x.size + 0.25))


def rhat(x):
    n = x.shape[0]
    b = n * x.mean(axis=0).var(ddof=1)
    w = x.var(axis=0, ddof=1).mean()
    return np.sqrt((b / w + n - 1) / n)


def autocov(x):
    n = len(x)
    f = np.fft.fft(x - x.mean(), 4 * n)
    return np.fft.ifft(f * np.conj(f)).real[:n] / n


def ess(x):
    n, m = x.shape
    ac = np.array([autocov(x[:, i]) for i in range(m)]).T
    mean_var = ac[0].mean() * n / (n - 1)
    var_plus = mean_var * (n - 1) / n + (x.mean(axis=0).var(ddof=1) if m > 1 else 0)
    rho = np.zeros(n + 2)
    rho[0] = 1
    t, even, odd = 0, 1.0, 1 - (mean_var - ac[1].mean()) / var_plus
    rho[1] = odd
    while t < n - 5 and not np.isnan(even + odd) and even + odd > 0:
        t += 2
        even = 1 - (mean_var - ac[t].mean()) / var_plus
        odd = 1 - (mean_var - ac[t + 1].mean()) / var_plus
        if even + odd >= 0:
            rho[t], rho[t + 1] = even, odd
    max_t = t
    if even > 0:
        rho[max_t] = even
    t = 0
    while t <= max_t - 4:
        t += 2
        if rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]:
            rho[t] = rho[t + 1] = (rho[t - 2] + rho[t - 1]) / 2
    s = n * m
    tau = max(-1 + 2 * rho[:max_t].sum() + rho[max_t], 1 / np.log10(s))
    return s / tau


for i, (m, n) in enumerate([(4, 101), (3, 50), (4, 400)]):
    x = np.loadtxt("%s/draws%d.txt" % (sys.argv[1], i)).reshape(m, n).T
    xs = split_chains(x)
    folded = np.abs(xs - np.median(xs))
    print("%d %d %.12f %.12f" % (m, n, max(rhat(z_scale(xs)), rhat(z_scale(folded))), ess(z_scale(xs))))
