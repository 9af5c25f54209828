#!/bin/sh
# compare.sh times gmm's Fit and scikit-learn's GaussianMixture side by side
# on the same data, in one run, and prints a table of medians and ratios.
# See README.md beside it.
#
# usage: bench/compare.sh [WORKDIR]
#
# Environment: SIZES (default 1e5,1e6,1e7), RUNS_IRIS (51), RUNS (7, for
# 1e5 and 1e6), RUNS_BIG (3, for 1e7 and more), PYTHON (/usr/bin/python3).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
py=${PYTHON:-/usr/bin/python3}
sizes=${SIZES:-1e5,1e6,1e7}
runs_iris=${RUNS_IRIS:-51}
runs=${RUNS:-7}
runs_big=${RUNS_BIG:-3}
res=$work/results.txt

cd "$root"
mkdir -p "$work"
: >"$res"
echo "# work directory: $work"
echo "# $(go version); $("$py" -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)')"
echo "# $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

go build -o "$work/gofit" ./bench/gofit
"$work/gofit" gen -out "$work/data" -sizes "$sizes"

echo "# go test -bench '^BenchmarkFit\$' -count 5 (the root package's benchmarks, for the record)"
go test -run '^$' -bench '^BenchmarkFit$' -count 5 . | grep -E '^(Benchmark|ok|FAIL)' | tee "$work/gotest.txt"

# maxrss prints the peak resident set size, in KiB, of the command run with
# its arguments, as /usr/bin/time -v reports it; the command's output goes
# to the file named by the first argument.
maxrss() {
	out=$1
	shift
	/usr/bin/time -v "$@" >"$out" 2>"$work/time.txt"
	sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt"
}

# one NAME FILE K PRIOR METHOD RUNS runs both sides on one case, timing and
# memory in separate processes, and appends their lines to the results.
one() {
	name=$1 file=$2 k=$3 prior=$4 method=$5 r=$6
	echo "# case $name" >&2
	echo "case=$name side=go $("$work/gofit" fit -data "$file" -k "$k" -prior "$prior" -method "$method" -runs "$r")" >>"$res"
	echo "case=$name side=go1 $(GOMAXPROCS=1 "$work/gofit" fit -data "$file" -k "$k" -prior "$prior" -method "$method" -runs "$r")" >>"$res"
	echo "case=$name side=sk $("$py" bench/sklearn_fit.py "$file" "$k" "$r")" >>"$res"
	echo "case=$name side=sk1 $(OMP_NUM_THREADS=1 "$py" bench/sklearn_fit.py "$file" "$k" "$r")" >>"$res"
	kib=$(maxrss "$work/out.txt" "$work/gofit" fit -data "$file" -k "$k" -prior "$prior" -method "$method" -runs 0)
	echo "case=$name side=gomem maxrss_kib=$kib $(cat "$work/out.txt")" >>"$res"
	kib=$(maxrss "$work/out.txt" "$py" bench/sklearn_fit.py "$file" "$k" 0)
	echo "case=$name side=skmem maxrss_kib=$kib $(cat "$work/out.txt")" >>"$res"
}

one iris-em "$work/data/iris.f64" 2 notebook em "$runs_iris"
one iris-adam "$work/data/iris.f64" 2 notebook adam "$runs_iris"
for s in $(echo "$sizes" | tr ',' ' '); do
	r=$runs
	case $s in 1e7 | 1e8) r=$runs_big ;; esac
	one "mix3-$s" "$work/data/mix3_$s.f64" 3 none em "$r"
done

"$py" bench/table.py "$res"
