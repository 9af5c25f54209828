"""The scikit-learn side of bench/mv_compare.sh.

    /usr/bin/python3 sklearn_mv.py FILE D K RUNS

reads FILE, raw little-endian float64 rows of D values as `mvfit gen`
writes them, fits GaussianMixture(n_components=K, covariance_type='full')
at its defaults (tol 1e-3, reg_covar 1e-6, max_iter 100, one k-means
initialisation) once untimed and then RUNS times, the r-th with
random_state=r, and prints the median and every time in milliseconds, the
median and every CPU time of the process (user and system, all threads)
and the average log-likelihood per point of the last fit, as key=value
pairs.
"""
import sys
import time

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture


def main():
    path, d, k, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    x = np.fromfile(path, dtype="<f8").reshape(-1, d)
    times, cpus = [], []
    g = None
    for r in range(runs + 1):
        c0 = time.process_time()
        t0 = time.perf_counter()
        g = GaussianMixture(n_components=k, covariance_type="full", random_state=r).fit(x)
        el = time.perf_counter() - t0
        if r > 0:
            times.append(el * 1e3)
            cpus.append((time.process_time() - c0) * 1e3)
    print(
        f"median_ms={float(np.median(times)):.3f} times_ms={','.join(f'{t:.2f}' for t in times)} "
        f"cpu_median_ms={float(np.median(cpus)):.3f} cpu_ms={','.join(f'{t:.2f}' for t in cpus)} "
        f"avg_loglik={g.score(x):.8f} n_iter={g.n_iter_} converged={g.converged_} "
        f"n={len(x)} sklearn={sklearn.__version__}"
    )


if __name__ == "__main__":
    main()
