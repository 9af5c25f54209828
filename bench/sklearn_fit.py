"""The scikit-learn side of bench/compare.sh.

    /usr/bin/python3 sklearn_fit.py FILE K RUNS [nowarmup]

reads FILE, raw little-endian float64 as gofit gen writes it, fits
GaussianMixture(n_components=K) at its defaults (full covariance, tol 1e-3,
reg_covar 1e-6, max_iter 100, one k-means initialisation) once untimed
(unless the fourth argument is nowarmup) and then RUNS times, the r-th with random_state=r, and prints one line of
key=value pairs like gofit fit: the median and every time in milliseconds,
the average log-likelihood of the last fit (score), the resident set size
before the first fit and at its peak in MiB, and the data's size in MiB.
"""
import resource
import sys
import time

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture


def rss_mib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return float(line.split()[1]) / 1024
    return float("nan")


def main():
    path, k, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    first = 1 if sys.argv[4:] == ["nowarmup"] else 0
    x = np.fromfile(path, dtype="<f8").reshape(-1, 1)
    before = rss_mib("VmRSS")
    times = []
    g = None
    for r in range(first, runs + 1):
        t0 = time.perf_counter()
        g = GaussianMixture(n_components=k, random_state=r).fit(x)
        el = time.perf_counter() - t0
        if r > 0:
            times.append(el * 1e3)
    peak = rss_mib("VmHWM")
    med = float(np.median(times)) if times else float("nan")
    print(
        f"median_ms={med:.4f} times_ms={','.join(f'{t:.3f}' for t in times)} "
        f"avg_loglik={g.score(x):.8f} rss_before_mib={before:.1f} rss_peak_mib={peak:.1f} "
        f"data_mib={x.nbytes / 2**20:.2f} n={len(x)} k={k} n_iter={g.n_iter_} converged={g.converged_} "
        f"sklearn={sklearn.__version__} maxrss_mib={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}"
    )


if __name__ == "__main__":
    main()
