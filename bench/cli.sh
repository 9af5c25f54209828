#!/bin/sh
# cli.sh measures the command line on a large file against the library
# alone: the whole of `gmm -csv FILE -method em` on 10^7 rows (reading the
# CSV, fitting, writing the figures and model.json) against gmm's own Fit
# on the same values, and the command's peak memory against the size of
# the values as float64. See README.md beside it.
#
# usage: bench/cli.sh [WORKDIR]
#
# Environment: N (default 1e7), RUNS (3).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
n=${N:-1e7}
runs=${RUNS:-3}

cd "$root"
mkdir -p "$work"
echo "# work directory: $work"
echo "# $(go version); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

go build -o "$work/gofit" ./bench/gofit
go build -o "$work/gmm" ./cmd/gmm
"$work/gofit" gen -out "$work/data" -sizes "$n"
data=$work/data/mix3_$n.f64
"$work/gofit" csv -data "$data" -out "$work/data.csv"
echo "# $(wc -c <"$work/data.csv") bytes of CSV, $(wc -c <"$data") bytes of float64"

# The library: one untimed fit, then the timed ones (K = 3, no prior, EM).
lib=$("$work/gofit" fit -data "$data" -k 3 -prior none -method em -runs "$runs")
echo "# library: $lib"
lib_ms=$(echo "$lib" | sed 's/.*median_ms=\([^ ]*\).*/\1/')
lib_cpu=$(echo "$lib" | sed 's/.*cpu_ms=\([^ ]*\).*/\1/')

# The command, the same fit, each run under /usr/bin/time -v: wall time,
# CPU time and peak resident set size.
: >"$work/cli.txt"
for r in $(seq "$runs"); do
	/usr/bin/time -v "$work/gmm" -csv "$work/data.csv" -k 3 -prior none -method em -seed "$r" \
		-out "$work/out" >/dev/null 2>"$work/time.txt"
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = 60 * s + $i; print s }')
	user=$(sed -n 's/.*User time (seconds): //p' "$work/time.txt")
	sys=$(sed -n 's/.*System time (seconds): //p' "$work/time.txt")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
	echo "$wall $user $sys $rss" >>"$work/cli.txt"
	echo "# command run $r: wall ${wall} s, user ${user} s, sys ${sys} s, peak RSS ${rss} KiB"
done

# The medians of the wall and CPU times, and the largest peak RSS.
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
wall=$(awk '{ print $1 }' "$work/cli.txt" | med)
cpu=$(awk '{ print $2 + $3 }' "$work/cli.txt" | med)
rss=$(awk '{ print $4 }' "$work/cli.txt" | sort -n | tail -1)
awk -v wall="$wall" -v cpu="$cpu" -v rss="$rss" -v lib_ms="$lib_ms" -v lib_cpu="$lib_cpu" -v bytes="$(wc -c <"$data")" 'BEGIN {
	printf "command, median wall time:          %.2f s (CPU %.2f s)\n", wall, cpu
	printf "library Fit, median wall time:      %.2f s (CPU %.2f s)\n", lib_ms / 1000, lib_cpu / 1000
	printf "time ratio, command / library:      %.2f  (target <= 4; of CPU times %.2f)\n", wall / (lib_ms / 1000), cpu / (lib_cpu / 1000)
	printf "peak RSS / data as float64:         %.2f  (%.0f MiB / %.0f MiB; target <= 4)\n", rss * 1024 / bytes, rss / 1024, bytes / 1048576
}'
