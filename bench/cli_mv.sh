#!/bin/sh
# cli_mv.sh measures the command line on a large file of several columns
# against the library alone: the whole of `gmm -csv FILE -columns all -k K
# -covariance VVV` (reading the CSV, fitting, writing the figures and
# model.json) against mv's own Fit on the same values (bench/mvfit), and
# the command's peak memory against the size of the values as float64.
# See README.md beside it.
#
# usage: bench/cli_mv.sh [WORKDIR]
#
# Environment: N rows (default 1e7), D columns (2), K components (2),
# RUNS (3).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
n=${N:-10000000}
d=${D:-2}
k=${K:-2}
runs=${RUNS:-3}

cd "$root"
mkdir -p "$work"
echo "# work directory: $work"
echo "# $(go version); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

go build -o "$work/mvfit" ./bench/mvfit
go build -o "$work/gmm" ./cmd/gmm
"$work/mvfit" gen -out "$work/data.f64" -n "$(printf '%.0f' "$n")" -d "$d" -k "$k"
# The same values as CSV, under a header c0, c1, …, shortest round-trip
# form (repr), so that the command reads exactly the library's values.
/usr/bin/python3 - "$work/data.f64" "$work/data.csv" "$d" <<'PY'
import struct, sys
src, dst, d = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(src, "rb") as f, open(dst, "w") as out:
    out.write(",".join("c%d" % j for j in range(d)) + "\n")
    row = struct.Struct("<%dd" % d)
    while True:
        b = f.read(row.size * 65536)
        if not b:
            break
        for vals in row.iter_unpack(b):
            out.write(",".join(repr(v) for v in vals) + "\n")
PY
echo "# $(wc -c <"$work/data.csv") bytes of CSV, $(wc -c <"$work/data.f64") bytes of float64"

lib=$("$work/mvfit" fit -data "$work/data.f64" -d "$d" -k "$k" -cov VVV -runs "$runs")
echo "# library: $lib"
lib_ms=$(echo "$lib" | sed 's/.*median_ms=\([^ ]*\).*/\1/')

: >"$work/cli.txt"
for r in $(seq "$runs"); do
	/usr/bin/time -v "$work/gmm" -csv "$work/data.csv" -columns all -k "$k" -covariance VVV -seed "$r" \
		-out "$work/out" >/dev/null 2>"$work/time.txt"
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = 60 * s + $i; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
	echo "$wall $rss" >>"$work/cli.txt"
	echo "# command run $r: wall ${wall} s, peak RSS ${rss} KiB"
done

med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
wall=$(awk '{ print $1 }' "$work/cli.txt" | med)
rss=$(awk '{ print $2 }' "$work/cli.txt" | sort -n | tail -1)
awk -v wall="$wall" -v rss="$rss" -v lib_ms="$lib_ms" -v bytes="$(wc -c <"$work/data.f64")" 'BEGIN {
	printf "command, median wall time:          %.2f s\n", wall
	printf "library mv Fit, median wall time:   %.2f s\n", lib_ms / 1000
	printf "time ratio, command / library:      %.2f  (target <= 4)\n", wall / (lib_ms / 1000)
	printf "peak RSS / data as float64:         %.2f  (%.0f MiB / %.0f MiB; target <= 4)\n", rss * 1024 / bytes, rss / 1024, bytes / 1048576
}'
