#!/bin/sh
# mv_compare.sh times the mv package's fits against scikit-learn's
# GaussianMixture and R mclust's mclustBIC, side by side in one run, and
# prints the ratios. It is not part of go test.
#
# usage: bench/mv_compare.sh [WORKDIR]
#
# The cases:
#   full   10^6 points in 10 dimensions from a 5-component mixture with
#          full covariances; mv.Model{K: 5, Covariance: mv.Full} at its
#          defaults against GaussianMixture(5, covariance_type='full') at
#          its defaults. Both report the average log-likelihood per point.
#   table  the 14 covariance models × K = 1..9 on iris's four columns:
#          mv.Select(x, nil), which fits the candidates in parallel, against
#          mclustBIC(iris[, 1:4], G = 1:9). Both sides report wall and
#          CPU time per table; the ratio of CPU times is printed too.
# Environment: RUNS (timed runs per side, default 3), N (default 1000000),
# PYTHON (/usr/bin/python3), RSCRIPT (Rscript), CASES (the cases to run,
# default "full table").
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
py=${PYTHON:-/usr/bin/python3}
rs=${RSCRIPT:-Rscript}
runs=${RUNS:-3}
n=${N:-1000000}
cases=${CASES:-full table}
has() { case " $cases " in *" $1 "*) return 0 ;; esac; return 1; }

cd "$root"
mkdir -p "$work"
echo "# work directory: $work"
echo "# $(go version); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
go build -o "$work/mvfit" ./bench/mvfit
if has full; then
	"$work/mvfit" gen -out "$work/full.f64" -n "$n" -d 10 -k 5

	go_full=$("$work/mvfit" fit -data "$work/full.f64" -d 10 -k 5 -runs "$runs")
	echo "full  go   $go_full"
	sk_full=$("$py" bench/sklearn_mv.py "$work/full.f64" 10 5 "$runs")
	echo "full  sk   $sk_full"
	sk1_full=$(OMP_NUM_THREADS=1 "$py" bench/sklearn_mv.py "$work/full.f64" 10 5 "$runs")
	echo "full  sk1  $sk1_full"
fi
if has table; then
	go_table=$("$work/mvfit" table -runs "$runs")
	echo "table go   $go_table"
	r_table=$("$rs" bench/mclust_bic.R "$runs")
	echo "table R    $r_table"
fi

med() { echo "$1" | sed 's/^median_ms=\([0-9.]*\).*/\1/'; }
ll() { echo "$1" | sed 's/.*avg_loglik=\([-0-9.]*\).*/\1/'; }
if has full; then
	awk -v g="$(med "$go_full")" -v s="$(med "$sk_full")" -v s1="$(med "$sk1_full")" \
		-v gl="$(ll "$go_full")" -v sl="$(ll "$sk_full")" \
		'BEGIN { b = (s < s1) ? s : s1; printf "full:  mv %.0f ms, scikit-learn %.0f ms (faster of its default and one thread): ratio %.3f (target <= 0.2); avg log-likelihood mv %.6f, scikit-learn %.6f\n", g, b, g / b, gl, sl }'
fi
if has table; then
	cpu() { echo "$1" | sed 's/.*cpu_median_ms=\([0-9.]*\).*/\1/'; }
	awk -v g="$(med "$go_table")" -v r="$(med "$r_table")" -v gc="$(cpu "$go_table")" -v rc="$(cpu "$r_table")" \
		'BEGIN { printf "table: mv %.0f ms, mclustBIC %.0f ms: ratio %.3f (target <= 0.2); CPU time mv %.0f ms, mclustBIC %.0f ms: ratio %.3f\n", g, r, g / r, gc, rc, gc / rc }'
fi
