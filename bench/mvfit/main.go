// Command mvfit is the Go side of bench/mv_compare.sh: it writes the
// benchmark's d-dimensional data and times mv's fits on them.
//
//	mvfit gen -out FILE [-n 1000000] [-d 10] [-k 5]
//	mvfit fit -data FILE -d 10 -k 5 [-cov VVV] [-runs 5] [-cpuprofile FILE]
//	mvfit table [-runs 5] [-cpuprofile FILE]
//
// gen writes n points, raw little-endian float64 row by row, drawn from a
// K-component mixture with full covariances (seed 1). fit fits the data
// once untimed and then runs times, printing the median and every time in
// milliseconds, the CPU time of each fit (the process's user and system
// time, on Unix) and the average log-likelihood per point, as key=value
// pairs. table times mv.Select with its defaults on iris's four columns:
// the 14 covariance models × K = 1..9, the candidates fitted in parallel;
// it reports each table's CPU time too (the process's user and system
// time, on Unix), which a loaded machine inflates less than wall time.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mvfit gen|fit|table [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "fit":
		err = fit(os.Args[2:])
	case "table":
		err = table(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mvfit:", err)
		os.Exit(1)
	}
}

// source returns the generating mixture: K components in d dimensions
// with means spread over a cube of side 8 and random full covariances
// with eigenvalues between 0.25 and 2.25.
func source(k, d int) *mv.Model {
	rng := rand.New(rand.NewPCG(1, 1))
	m := &mv.Model{K: k, Covariance: mv.VVV, Weights: make([]float64, k), Means: mat.NewDense(k, d, nil)}
	var s float64
	for j := range k {
		m.Weights[j] = 1 + rng.Float64()
		s += m.Weights[j]
		for a := range d {
			m.Means.Set(j, a, 8*rng.Float64()-4)
		}
		q := mat.NewDense(d, d, nil)
		for a := range d {
			for b := range d {
				q.Set(a, b, rng.NormFloat64())
			}
		}
		var qr mat.QR
		qr.Factorize(q)
		var o mat.Dense
		qr.QTo(&o)
		ev := make([]float64, d)
		for a := range ev {
			ev[a] = 0.25 + 2*rng.Float64()
		}
		c := mat.NewSymDense(d, nil)
		for a := range d {
			for b := a; b < d; b++ {
				var v float64
				for l := range d {
					v += o.At(a, l) * ev[l] * o.At(b, l)
				}
				c.SetSym(a, b, v)
			}
		}
		m.Covariances = append(m.Covariances, c)
	}
	for j := range m.Weights {
		m.Weights[j] /= s
	}
	return m
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	out := fs.String("out", "", "output file")
	n := fs.Int("n", 1000000, "points")
	d := fs.Int("d", 10, "dimensions")
	k := fs.Int("k", 5, "components")
	fs.Parse(args)
	x, _, err := source(*k, *d).Sample(*n, 1)
	if err != nil {
		return err
	}
	buf := make([]byte, 8*len(x.RawMatrix().Data))
	for i, v := range x.RawMatrix().Data {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
	}
	return os.WriteFile(*out, buf, 0o644)
}

func read(path string, d int) (*mat.Dense, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return mat.NewDense(len(v)/d, d, v), nil
}

func fit(args []string) error {
	fs := flag.NewFlagSet("fit", flag.ExitOnError)
	path := fs.String("data", "", "data file")
	d := fs.Int("d", 10, "dimensions")
	k := fs.Int("k", 5, "components")
	cov := fs.String("cov", "VVV", "covariance model")
	runs := fs.Int("runs", 5, "timed fits")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the fits to this file")
	fs.Parse(args)
	stop, err := startProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	x, err := read(*path, *d)
	if err != nil {
		return err
	}
	c, err := mv.ParseCovariance(*cov)
	if err != nil {
		return err
	}
	var times, cpu []float64
	var m mv.Model
	var res *mv.Result
	for r := range *runs + 1 {
		m = mv.Model{K: *k, Covariance: c}
		t0, c0 := time.Now(), cpuSeconds()
		res, err = m.Fit(x, &mv.Settings{Seed: uint64(r)})
		el, cel := time.Since(t0), cpuSeconds()-c0
		if err != nil {
			return err
		}
		if r > 0 {
			times = append(times, float64(el.Microseconds())/1e3)
			cpu = append(cpu, cel*1e3)
		}
	}
	ll, err := m.LogLikelihood(x)
	if err != nil {
		return err
	}
	n, _ := x.Dims()
	fmt.Printf("median_ms=%.3f times_ms=%s cpu_median_ms=%.3f cpu_ms=%s avg_loglik=%.8f steps=%d converged=%v n=%d\n",
		median(times), join(times), median(cpu), join(cpu), ll/float64(n), res.Steps, res.Converged, n)
	return nil
}

func table(args []string) error {
	fs := flag.NewFlagSet("table", flag.ExitOnError)
	runs := fs.Int("runs", 3, "timed tables")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the tables to this file")
	fs.Parse(args)
	stop, err := startProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	x := mat.NewDense(150, 4, iris.Measurements())
	var times, cpu []float64
	var failed int
	for r := range *runs + 1 {
		failed = 0
		t0, c0 := time.Now(), cpuSeconds()
		sel, err := mv.Select(x, nil)
		if err != nil {
			return err
		}
		el, cel := time.Since(t0), cpuSeconds()-c0
		for _, c := range sel.Candidates {
			if c.Err != nil {
				failed++
			}
		}
		if r > 0 {
			times = append(times, float64(el.Microseconds())/1e3)
			cpu = append(cpu, cel*1e3)
		}
	}
	fmt.Printf("median_ms=%.3f times_ms=%s cpu_median_ms=%.3f cpu_ms=%s failed=%d\n", median(times), join(times), median(cpu), join(cpu), failed)
	return nil
}

func nan() float64 { return math.NaN() }

// startProfile starts a CPU profile written to path, unless path is empty,
// and returns the function that stops it.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func join(v []float64) string {
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%.2f", x))
	}
	return strings.Join(s, ",")
}
