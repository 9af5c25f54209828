#!/bin/sh
# adam.sh measures Adam, the default method, against EM on large data: the
# time and CPU time of Fit by each, side by side in one run, on 10^7 points
# of the benchmark mixture with K = 3, without a prior and with
# DefaultPrior, and the final loss each reaches. See README.md beside it.
#
# usage: bench/adam.sh [WORKDIR]
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
"$work/gofit" gen -out "$work/data" -sizes "$n"
data=$work/data/mix3_$n.f64

# field LINE KEY prints the value of KEY in a line of gofit's key=value pairs.
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# For each prior, EM and then Adam in their own processes, one untimed fit
# each and then RUNS timed ones (seeds 1 to RUNS, the same for both).
printf '%-8s %-5s %10s %10s %6s %24s\n' prior method wall_s cpu_s steps loss
for prior in none default; do
	em=$("$work/gofit" fit -data "$data" -k 3 -prior "$prior" -method em -runs "$runs")
	adam=$("$work/gofit" fit -data "$data" -k 3 -prior "$prior" -method adam -runs "$runs")
	for m in em adam; do
		if [ "$m" = em ]; then l=$em; else l=$adam; fi
		awk -v p="$prior" -v m="$m" -v w="$(field "$l" median_ms)" -v c="$(field "$l" cpu_ms)" \
			-v s="$(field "$l" steps)" -v loss="$(field "$l" loss)" \
			'BEGIN { printf "%-8s %-5s %10.2f %10.2f %6s %24s\n", p, m, w / 1000, c / 1000, s, loss }'
	done
	awk -v p="$prior" -v ew="$(field "$em" median_ms)" -v ec="$(field "$em" cpu_ms)" \
		-v aw="$(field "$adam" median_ms)" -v ac="$(field "$adam" cpu_ms)" \
		-v el="$(field "$em" loss)" -v al="$(field "$adam" loss)" 'BEGIN {
		printf "%s: time ratio Adam / EM %.2f (target <= 3; of CPU times %.2f); loss (Adam - EM) / |EM| = %.2g\n",
			p, aw / ew, ac / ec, (al - el) / (el < 0 ? -el : el)
	}'
done
