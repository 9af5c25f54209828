// Command gofit is the Go side of bench/compare.sh. It writes the data sets
// the comparison uses, as raw little-endian float64, and times gmm's Fit on
// such a file.
//
//	gofit gen -out DIR -sizes 1e5,1e6,1e7 [-many K -many-sizes 1e5] [-overlapping K]
//	gofit fit -data FILE -k K -prior none|notebook|default -method em|adam -runs R
//	gofit csv -data FILE -out FILE.csv
//
// gen also writes samples from the K-component mixture benchdata.Many (the
// root package's large-K benchmarks draw from it too), as
// many{K}_{size}.f64, when -many is set, and from benchdata.Overlapping,
// whose components are placed at random, as overlapping{K}_{size}.f64 at
// the same sizes, when -overlapping is set. fit runs Fit once untimed and then
// R times (R may be 0, to measure the
// memory of a single fit), and prints one line of key=value pairs: the
// median and every time in milliseconds, the median CPU time (user and
// system, all threads) in milliseconds, the average
// log-likelihood of the last fit, the resident set size before the first
// fit and at its peak (VmRSS and VmHWM of /proc/self/status, in MiB), the
// data's size in MiB, the settings, and the last fit's steps on all the
// data (Result.Steps) and final loss. csv writes the values of a data
// file as a one-column CSV file with the header x, each value written so
// that it reads back exactly, for bench/cli.sh.
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/internal/benchdata"
	"github.com/gmm-go/gmm/iris"
)

// mixture3 is the mixture the size benchmarks draw from, as in bench_test.go.
var mixture3 = gmm.Model{
	K:       3,
	Weights: []float64{0.3, 0.5, 0.2},
	Means:   []float64{-2, 1, 5},
	Sigmas:  []float64{1, 0.7, 1.5},
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gofit gen|fit|csv [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "fit":
		err = fit(os.Args[2:])
	case "csv":
		err = toCSV(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q; use gen, fit or csv", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gofit:", err)
		os.Exit(1)
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	out := fs.String("out", "data", "directory to write to")
	sizes := fs.String("sizes", "1e5,1e6,1e7", "comma-separated sizes of the mixture samples")
	seed := fs.Uint64("seed", 1, "seed of the samples")
	many := fs.Int("many", 0, "if positive, also sample the mixture of this many components")
	manySizes := fs.String("many-sizes", "1e5", "comma-separated sizes of the samples of -many and -overlapping")
	overlapping := fs.Int("overlapping", 0, "if positive, also sample the mixture of this many components placed at random")
	fs.Parse(args)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	if err := write(filepath.Join(*out, "iris.f64"), iris.PetalLength()); err != nil {
		return err
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n < 1 || n != math.Trunc(n) {
			return fmt.Errorf("bad size %q", s)
		}
		x, _, err := mixture3.Sample(int(n), *seed)
		if err != nil {
			return err
		}
		if err := write(filepath.Join(*out, "mix3_"+s+".f64"), x); err != nil {
			return err
		}
	}
	if *many > 0 {
		if err := genMixture(*out, fmt.Sprintf("many%d", *many), benchdata.Many(*many), *manySizes, *seed); err != nil {
			return err
		}
	}
	if *overlapping > 0 {
		return genMixture(*out, fmt.Sprintf("overlapping%d", *overlapping), benchdata.Overlapping(*overlapping), *manySizes, *seed)
	}
	return nil
}

// genMixture writes samples from m of the comma-separated sizes, drawn
// with seed, to out/{name}_{size}.f64.
func genMixture(out, name string, m *gmm.Model, sizes string, seed uint64) error {
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || n < 1 || n != math.Trunc(n) {
			return fmt.Errorf("bad size %q", s)
		}
		x, _, err := m.Sample(int(n), seed)
		if err != nil {
			return err
		}
		if err := write(filepath.Join(out, name+"_"+s+".f64"), x); err != nil {
			return err
		}
	}
	return nil
}

func write(path string, x []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var b [8]byte
	for _, v := range x {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		w.Write(b[:])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// read reads a file of little-endian float64 into a slice of exactly its
// size, through a small buffer, so that the data take their own size in
// memory and no more.
func read(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size()%8 != 0 || st.Size() == 0 {
		return nil, errors.New(path + ": size is not a positive multiple of 8")
	}
	x := make([]float64, st.Size()/8)
	buf := make([]byte, 1<<16)
	for i := 0; i < len(x); {
		m := min(len(buf), 8*(len(x)-i))
		if _, err := io.ReadFull(f, buf[:m]); err != nil {
			return nil, err
		}
		for j := 0; j < m; j += 8 {
			x[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[j:]))
			i++
		}
	}
	return x, nil
}

func fit(args []string) error {
	fs := flag.NewFlagSet("fit", flag.ExitOnError)
	data := fs.String("data", "", "file of little-endian float64")
	k := fs.Int("k", 3, "number of components")
	prior := fs.String("prior", "none", "none (maximum likelihood), notebook or default (DefaultPrior of the data)")
	method := fs.String("method", "em", "em or adam")
	runs := fs.Int("runs", 5, "timed fits")
	warmup := fs.Bool("warmup", true, "fit once untimed before the timed fits")
	tol := fs.Float64("tol", 0, "Settings.Tol (0: the default)")
	fs.Parse(args)
	if *runs < 0 {
		return errors.New("runs must not be negative")
	}
	x, err := read(*data)
	if err != nil {
		return err
	}
	var pr gmm.Prior
	switch *prior {
	case "none":
	case "notebook":
		pr = gmm.NotebookPrior()
	case "default":
		pr = gmm.DefaultPrior(x)
	default:
		return fmt.Errorf("unknown prior %q", *prior)
	}
	s := gmm.Settings{Tol: *tol}
	switch *method {
	case "em":
		s.Method = gmm.EM
	case "adam":
		s.Method = gmm.Adam
	default:
		return fmt.Errorf("unknown method %q", *method)
	}
	runtime.GC()
	before, _ := procStatus("VmRSS")
	var m gmm.Model
	var res *gmm.Result
	times := make([]float64, 0, *runs)
	var cpus []float64
	first := 0
	if !*warmup {
		first = 1
	}
	for r := first; r < *runs+1; r++ {
		m = gmm.Model{K: *k, Prior: pr}
		s.Seed = uint64(r)
		c0 := cpuTime()
		t0 := time.Now()
		res, err = m.Fit(x, &s)
		el := time.Since(t0)
		if err != nil {
			return err
		}
		if r > 0 {
			times = append(times, float64(el.Nanoseconds())/1e6)
			cpus = append(cpus, float64((cpuTime()-c0).Nanoseconds())/1e6)
		}
	}
	peak, _ := procStatus("VmHWM")
	ll, err := m.LogLikelihood(x)
	if err != nil {
		return err
	}
	med, cpu := median(times), median(cpus)
	strs := make([]string, len(times))
	for i, t := range times {
		strs[i] = strconv.FormatFloat(t, 'f', 3, 64)
	}
	fmt.Printf("median_ms=%.4f cpu_ms=%.4f times_ms=%s avg_loglik=%.8f rss_before_mib=%.1f rss_peak_mib=%.1f data_mib=%.2f n=%d k=%d prior=%s method=%s tol=%s converged=%v steps=%d loss=%.17g\n",
		med, cpu, strings.Join(strs, ","), ll/float64(len(x)), before, peak, float64(8*len(x))/(1<<20),
		len(x), *k, *prior, *method, tolName(*tol), res.Converged, res.Steps, res.Loss[len(res.Loss)-1])
	return nil
}

// median returns the median of v, or NaN if v is empty.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	switch {
	case len(s) == 0:
		return math.NaN()
	case len(s)%2 == 0:
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatus returns the named field of /proc/self/status, in MiB.
func procStatus(field string) (float64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return math.NaN(), err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				v, err := strconv.ParseFloat(f[0], 64)
				return v / 1024, err
			}
		}
	}
	return math.NaN(), errors.New("no " + field + " in /proc/self/status")
}

func toCSV(args []string) error {
	fs := flag.NewFlagSet("csv", flag.ExitOnError)
	data := fs.String("data", "", "file of little-endian float64")
	out := fs.String("out", "", "the CSV file to write")
	fs.Parse(args)
	x, err := read(*data)
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("x\n")
	var b []byte
	for _, v := range x {
		b = strconv.AppendFloat(b[:0], v, 'g', -1, 64)
		b = append(b, '\n')
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// tolName names the tolerance t for gofit fit's output.
func tolName(t float64) string {
	if t == 0 {
		return "default"
	}
	return strconv.FormatFloat(t, 'g', -1, 64)
}
