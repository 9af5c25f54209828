"""The scikit-learn side of bench/quality.sh.

    /usr/bin/python3 sklearn_quality.py FILE K OPT SEEDS TOL FITTOL REPS N_INIT...

reads FILE, a one-column CSV file with a header line, and for each N_INIT
fits GaussianMixture(n_components=K, n_init=N_INIT, tol=FITTOL,
max_iter=10000, random_state=seed) for every seed from 0 to SEEDS - 1,
once untimed (seed 0) and then timed, REPS times over, and prints one line
of key=value pairs per N_INIT: how many seeds end with a total
log-likelihood within TOL of OPT, the best known optimum, and the medians
over the REPS of the wall and CPU time (time.process_time, all threads) of
the seeds' fits in milliseconds.
"""
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture


def main():
    path, k, opt, seeds, tol, fittol, reps = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
    x = np.loadtxt(path, skiprows=1).reshape(-1, 1)
    warnings.simplefilter("ignore", ConvergenceWarning)
    for n_init in map(int, sys.argv[8:]):
        fit = lambda seed: GaussianMixture(n_components=k, n_init=n_init, tol=fittol, max_iter=10000, random_state=seed).fit(x)
        fit(0)
        walls, cpus = [], []
        for _ in range(reps):
            # The fits are the same in every repetition: the last one's
            # counts are every one's.
            reached, worst, gaps = 0, 0.0, []
            w0, c0 = time.perf_counter(), time.process_time()
            for seed in range(seeds):
                ll = fit(seed).score(x) * len(x)
                reached += abs(ll - opt) <= tol
                worst = max(worst, opt - ll)
                gaps.append(opt - ll)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        wall, cpu = float(np.median(walls)), float(np.median(cpus))
        print(f"n_init={n_init} reached={reached}/{seeds} wall_ms={wall * 1e3:.1f} cpu_ms={cpu * 1e3:.1f} worst_gap={worst:.4g} gaps={','.join(f'{g:.3g}' for g in sorted(gaps))}", flush=True)


main()
