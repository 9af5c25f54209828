"""Writes sklearn_overlapping.txt: scikit-learn's maximum-likelihood
GaussianMixture fits of 10^5 points drawn from benchdata.Overlapping(10)
(seed 1, the points of the root package's BenchmarkFitOverlapping and of
bench/large_k.sh), for the test that Fit returns a fit, not a degenerate
error, at least as likely as scikit-learn's.

Two fits, each the best of 10 k-means initialisations (n_init=10): at
scikit-learn's defaults (tol 1e-3, reg_covar 1e-6, max_iter 100), what a
user gets, and run to a tighter tolerance (tol 1e-6, max_iter 100000) with
the default reg_covar, which keeps its components off a single point.

Run it from this directory with Debian's python3-sklearn (it draws the
points with bench/gofit, so it needs Go):
    /usr/bin/python3 sklearn_overlapping.py > sklearn_overlapping.txt
"""
import os
import subprocess
import tempfile

import numpy as np
import sklearn
from sklearn.mixture import GaussianMixture

K = 10
with tempfile.TemporaryDirectory() as d:
    subprocess.run(
        ["go", "run", "./bench/gofit", "gen", "-out", d, "-sizes", "150",
         "-overlapping", str(K), "-many-sizes", "1e5", "-seed", "1"],
        cwd="..", check=True, stdout=subprocess.DEVNULL)
    x = np.fromfile(os.path.join(d, f"overlapping{K}_1e5.f64"), dtype="<f8").reshape(-1, 1)

print(f"# scikit-learn {sklearn.__version__}, GaussianMixture({K}, n_init=10, random_state=0) "
      f"on benchdata.Overlapping({K}), {len(x)} points, seed 1")
print("# rows: sum, the points' sum, by which the test checks it draws the same points;")
print("# then setting, total log-likelihood, iterations of the best initialisation, converged")
print(f"sum {x.sum():.10f}")
for name, kw in [("defaults", {}), ("tight", {"tol": 1e-6, "max_iter": 100000})]:
    g = GaussianMixture(K, n_init=10, random_state=0, **kw).fit(x)
    print(f"{name} {g.score(x) * len(x):.6f} {g.n_iter_} {g.converged_}")
