// Command quality is the Go side of bench/quality.sh. It fits a one-column
// CSV file (a header line, then one value a line, as in testdata/realdata)
// with gmm's default Fit under maximum likelihood, once untimed and then
// for every seed from 0 to seeds−1, reps times over, and prints one line
// of key=value pairs: the fraction of seeds whose log-likelihood lies
// within tol of the best known one, opt, the medians over the reps of the
// total wall and CPU time (user and system, all threads) of the seeds'
// fits in milliseconds, and the worst gap.
//
//	quality -data FILE -k K -opt LOGLIK [-seeds 20] [-tol 0.01] [-reps 1]
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gmm-go/gmm"
)

func main() {
	data := flag.String("data", "", "one-column CSV file with a header line")
	k := flag.Int("k", 0, "number of components")
	opt := flag.Float64("opt", math.NaN(), "best known log-likelihood")
	seeds := flag.Int("seeds", 20, "seeds 0..seeds-1")
	tol := flag.Float64("tol", 0.01, "a fit within tol of opt reaches it")
	reps := flag.Int("reps", 1, "timed repetitions of all the seeds; the medians are printed")
	flag.Parse()
	if err := run(*data, *k, *opt, *seeds, *tol, *reps); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
}

func run(path string, k int, opt float64, seeds int, tol float64, reps int) error {
	if k < 1 || math.IsNaN(opt) || seeds < 1 || reps < 1 {
		return fmt.Errorf("need -data, -k ≥ 1, -opt, -seeds ≥ 1 and -reps ≥ 1")
	}
	x, err := readColumn(path)
	if err != nil {
		return err
	}
	fit := func(seed int) (float64, error) {
		m := &gmm.Model{K: k}
		if _, err := m.Fit(x, &gmm.Settings{Seed: uint64(seed)}); err != nil {
			return 0, err
		}
		return m.LogLikelihood(x)
	}
	if _, err := fit(0); err != nil { // warm-up
		return err
	}
	var walls, cpus []float64
	reached, worst := 0, 0.0
	for range reps {
		// Fits are the same for a seed in every repetition: the last
		// one's count is every one's.
		reached, worst = 0, 0
		cpu0, t0 := cpuTime(), time.Now()
		for seed := range seeds {
			ll, err := fit(seed)
			if err != nil {
				return err
			}
			if math.Abs(ll-opt) <= tol {
				reached++
			}
			worst = max(worst, opt-ll)
		}
		walls = append(walls, time.Since(t0).Seconds()*1e3)
		cpus = append(cpus, (cpuTime()-cpu0).Seconds()*1e3)
	}
	fmt.Printf("reached=%d/%d wall_ms=%.1f cpu_ms=%.1f worst_gap=%.4g\n",
		reached, seeds, median(walls), median(cpus), worst)
	return nil
}

// median returns the median of v, which it sorts.
func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	return (v[(n-1)/2] + v[n/2]) / 2
}

// cpuTime returns the process's user and system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func readColumn(path string) ([]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	fs := strings.Fields(string(b))
	if len(fs) < 2 {
		return nil, fmt.Errorf("%s: no values", path)
	}
	x := make([]float64, len(fs)-1)
	for i, s := range fs[1:] {
		if x[i], err = strconv.ParseFloat(s, 64); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	return x, nil
}
