#!/bin/sh
# large_k.sh times gmm's Fit by EM and scikit-learn's GaussianMixture side by
# side on the same 10^5 points from a mixture of K = 200 components, in one
# run, gmm at its default Tol and at Tol 1e-4 (a stopping rule at least as
# tight as scikit-learn's), and prints the times, their ratios and each
# side's average log-likelihood: first on the evenly spaced mixture benchdata.Many, then
# on benchdata.Overlapping, whose components are placed at random and
# overlap heavily. See README.md beside it.
#
# usage: bench/large_k.sh [WORKDIR]
#
# Environment: K (default 200), N (1e5), RUNS (timed fits per side, default
# 1, with no untimed fit first: a fit of minutes needs no warming up),
# PYTHON (/usr/bin/python3), MIXTURES (default "many overlapping", either or
# both).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
py=${PYTHON:-/usr/bin/python3}
k=${K:-200}
n=${N:-1e5}
runs=${RUNS:-1}
mixtures=${MIXTURES:-many overlapping}

cd "$root"
mkdir -p "$work"
echo "# work directory: $work"
echo "# $(go version); $("$py" -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)')"
echo "# $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

go build -o "$work/gofit" ./bench/gofit

for mix in $mixtures; do
"$work/gofit" gen -out "$work/data" -sizes 150 -"$mix" "$k" -many-sizes "$n"
data="$work/data/${mix}${k}_$n.f64"
echo
echo "## $mix($k), $n points"

# A fit that fails (every run degenerate, say) is reported, not fatal.
go_line=$("$work/gofit" fit -data "$data" -k "$k" -prior none -method em -runs "$runs" -warmup=false 2>&1) || go_line="failed: $go_line"
echo "go: $go_line"
# Tol 1e-4 stops gmm's runs where a step changes the loss L (−log-likelihood
# of the standardised data; a change is the same in any units) by at most
# 1e-4·(|L| + n): within scikit-learn's 1e-3·n (its tol 1e-3 on the average
# log-likelihood) while |L|/n < 9.
go_tol_line=$("$work/gofit" fit -data "$data" -k "$k" -prior none -method em -runs "$runs" -warmup=false -tol 1e-4 2>&1) || go_tol_line="failed: $go_tol_line"
echo "go, Tol 1e-4: $go_tol_line"
sk_line=$(OMP_NUM_THREADS=1 "$py" bench/sklearn_fit.py "$data" "$k" "$runs" nowarmup)
echo "scikit-learn (OMP_NUM_THREADS=1): $sk_line"
sk2_line=$("$py" bench/sklearn_fit.py "$data" "$k" "$runs" nowarmup)
echo "scikit-learn (default threads): $sk2_line"
"$py" - "$go_line" "$go_tol_line" "$sk_line" "$sk2_line" "$mix" <<'PY'
import sys
kv = [dict(p.split("=", 1) for p in a.split() if "=" in p) for a in sys.argv[1:5]]
gos, sks = kv[:2], kv[2:]
sk = min(sks, key=lambda d: float(d["median_ms"]))
t_sk = float(sk["median_ms"]) / 1e3
print()
print(f"| {sys.argv[5]}, K = {sk['k']}, n = {sk['n']} | time (s) | avg log-lik | converged | iterations |")
print("|---|---|---|---|---|")
ratios = []
for go, tol, line in zip(gos, ("1e-10 (default)", "1e-4"), sys.argv[1:3]):
    if "median_ms" not in go:
        print(f"| gmm Fit, EM, Tol {tol} | {line} | | | |")
        continue
    t_go = float(go["median_ms"]) / 1e3
    print(f"| gmm Fit, EM, Tol {tol} (CPU {float(go['cpu_ms']) / 1e3:.2f} s) | {t_go:.2f} | {float(go['avg_loglik']):.6f} | {go['converged']} | {go['steps']} (last run) |")
    ratios.append((tol, t_go / t_sk))
print(f"| scikit-learn, tol 1e-3, max_iter 100 | {t_sk:.2f} | {float(sk['avg_loglik']):.6f} | {sk['converged']} | {sk['n_iter']} |")
print()
for tol, r in ratios:
    print(f"time ratio gmm at Tol {tol} / scikit-learn: {r:.3f} (the faster of scikit-learn's two thread settings)")
PY
done
