#!/bin/sh
# mv_bigd.sh times the mv package's full-covariance fit against
# scikit-learn's GaussianMixture in several dimensions, side by side in one
# run, and prints the ratios of wall and CPU time. It is not part of go
# test.
#
# usage: bench/mv_bigd.sh [WORKDIR]
#
# For each d in DS: N points in d dimensions from a K-component mixture
# with full covariances (mvfit gen, seed 1), fitted by mv.Model{K,
# Covariance: mv.Full} at its defaults and by GaussianMixture(K,
# covariance_type='full') at its defaults, with its default threads and
# with one. Both report the average log-likelihood per point.
# Environment: DS (default "20 50 100"), N (default 100000), K (default 5),
# RUNS (timed runs per side, default 3), PYTHON (/usr/bin/python3).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
py=${PYTHON:-/usr/bin/python3}
runs=${RUNS:-3}
n=${N:-100000}
k=${K:-5}
ds=${DS:-20 50 100}

cd "$root"
mkdir -p "$work"
echo "# work directory: $work"
echo "# $(go version); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
go build -o "$work/mvfit" ./bench/mvfit

key() { echo " $2" | sed "s/.* $1=\([-0-9.]*\).*/\1/"; }
for d in $ds; do
	f="$work/d$d.f64"
	"$work/mvfit" gen -out "$f" -n "$n" -d "$d" -k "$k"
	g=$("$work/mvfit" fit -data "$f" -d "$d" -k "$k" -runs "$runs")
	echo "d=$d go   $g"
	s=$("$py" bench/sklearn_mv.py "$f" "$d" "$k" "$runs")
	echo "d=$d sk   $s"
	s1=$(OMP_NUM_THREADS=1 "$py" bench/sklearn_mv.py "$f" "$d" "$k" "$runs")
	echo "d=$d sk1  $s1"
	awk -v d="$d" -v g="$(key median_ms "$g")" -v s="$(key median_ms "$s")" -v s1="$(key median_ms "$s1")" \
		-v gc="$(key cpu_median_ms "$g")" -v sc="$(key cpu_median_ms "$s")" -v sc1="$(key cpu_median_ms "$s1")" \
		-v gl="$(key avg_loglik "$g")" -v sl="$(key avg_loglik "$s")" \
		'BEGIN {
			b = (s < s1) ? s : s1; bc = (sc < sc1) ? sc : sc1
			printf "d=%d: wall mv %.0f ms, scikit-learn %.0f ms (the faster of its default and one thread): ratio %.3f; CPU mv %.0f ms, scikit-learn %.0f ms (the less): ratio %.3f; avg log-likelihood mv %.6f, scikit-learn %.6f\n", d, g, b, g / b, gc, bc, gc / bc, gl, sl
		}'
	rm -f "$f"
done
