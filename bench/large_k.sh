#!/bin/sh
# large_k.sh times gmm's Fit by EM and scikit-learn's GaussianMixture side by
# side on the same 10^5 points from a mixture of K = 200 components, in one
# run, and prints both times, their ratio and each side's average
# log-likelihood. See README.md beside it.
#
# usage: bench/large_k.sh [WORKDIR]
#
# Environment: K (default 200), N (1e5), RUNS (timed fits per side, default
# 1, with no untimed fit first: a fit of minutes needs no warming up),
# PYTHON (/usr/bin/python3).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
py=${PYTHON:-/usr/bin/python3}
k=${K:-200}
n=${N:-1e5}
runs=${RUNS:-1}

cd "$root"
mkdir -p "$work"
echo "# work directory: $work"
echo "# $(go version); $("$py" -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)')"
echo "# $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

go build -o "$work/gofit" ./bench/gofit
"$work/gofit" gen -out "$work/data" -sizes 150 -many "$k" -many-sizes "$n"
data="$work/data/many${k}_$n.f64"

go_line=$("$work/gofit" fit -data "$data" -k "$k" -prior none -method em -runs "$runs" -warmup=false)
echo "go: $go_line"
sk_line=$(OMP_NUM_THREADS=1 "$py" bench/sklearn_fit.py "$data" "$k" "$runs" nowarmup)
echo "scikit-learn (OMP_NUM_THREADS=1): $sk_line"
sk2_line=$("$py" bench/sklearn_fit.py "$data" "$k" "$runs" nowarmup)
echo "scikit-learn (default threads): $sk2_line"

"$py" - "$go_line" "$sk_line" "$sk2_line" <<'PY'
import sys
kv = [dict(p.split("=", 1) for p in a.split() if "=" in p) for a in sys.argv[1:]]
go, sks = kv[0], kv[1:]
sk = min(sks, key=lambda d: float(d["median_ms"]))
t_go, t_sk = float(go["median_ms"]) / 1e3, float(sk["median_ms"]) / 1e3
print()
print(f"| K = {go['k']}, n = {go['n']} | time (s) | avg log-lik | converged | iterations |")
print("|---|---|---|---|---|")
print(f"| gmm Fit, EM, Tol 1e-10 | {t_go:.2f} | {float(go['avg_loglik']):.6f} | {go['converged']} | {go['steps']} (last run) |")
print(f"| scikit-learn, tol 1e-3, max_iter 100 | {t_sk:.2f} | {float(sk['avg_loglik']):.6f} | {sk['converged']} | {sk['n_iter']} |")
print(f"\ntime ratio gmm/scikit-learn: {t_go / t_sk:.3f} (the faster of scikit-learn's two thread settings)")
PY
