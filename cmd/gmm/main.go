// Command gmm fits a Bayesian Gaussian mixture to one column of numbers and
// shows the fit: the notebook gmm started from, in one command.
//
// With no flags it fits K = 2 components to the 150 iris petal lengths
// embedded in the program, with the notebook's prior, prints the weights,
// means, standard deviations, cluster sizes and final loss, and writes into
// gmm-out/ the four figures of the notebook as PNG images (data.png,
// loss.png, density.png, clusters.png), the fitted model as model.json,
// and assignments.csv, which gives each value its cluster and its
// responsibilities.
//
// Usage:
//
//	gmm [flags]
//
// The flags are:
//
//	-csv FILE      read the data from FILE, or from standard input if FILE
//	               is -: CSV text separated by commas, semicolons or tabs
//	               (found from the first rows), with or without a header
//	               row (default: the embedded iris data)
//	-sep S         the separator: comma, semicolon, tab or one character
//	               (default: found from the first rows)
//	-strict        stop at a missing value (an empty cell, NA, NaN or
//	               null) rather than skip its row
//	-column NAME   the column to fit, by name or 0-based index (default:
//	               petal_length for the iris data, the only column of a file
//	               that has one)
//	-k N           the number of components (default 2)
//	-method M      the optimiser: adam or em (default adam)
//	-prior P       notebook: Dirichlet(1), Normal(0, 10), InverseGamma(1, 1);
//	               default: a weakly informative prior scaled to the data;
//	               none: maximum likelihood (default: notebook for the
//	               embedded iris data, default for a -csv file)
//	-seed N        the seed of the starting points and of the posterior's
//	               chains (default 0)
//	-posterior P   after the fit, sample the posterior with the same prior
//	               and K: gibbs (Gibbs sampling) or vb (variational Bayes);
//	               prints its means, 90% credible intervals, R̂ and ESS,
//	               and adds the posterior predictive density and its 90%
//	               band to density.png (default: no posterior)
//	-draws N       the posterior draws kept from each of 4 chains
//	               (default 1000)
//	-warmup N      the warm-up sweeps each Gibbs chain discards first
//	               (default 1000)
//	-out DIR       where to write the figures and files (default gmm-out)
//	-assignments   write assignments.csv; -assignments=false skips it
//	               (default: written for up to 1000000 values)
//	-json          print the fitted model as JSON instead of the table
//	-v             report the fit's progress on standard error
//
// With -posterior, gmm then samples the posterior of the weights, means
// and standard deviations with the same prior and K (see
// gmm.Model.Posterior), seeded by -seed, and prints for each parameter its
// posterior mean, standard deviation, 90% credible interval, R̂ and bulk
// ESS, followed by any warnings about convergence; model.json and -json
// gain a "posterior" object with the same summary, and density.png the
// posterior predictive density with its pointwise 90% band. The posterior
// needs a prior, so -posterior with -prior none is an error.
//
// Warnings that the fit is dominated by its prior (see gmm.Result.Warnings)
// and notes on the input, such as rows skipped for missing values, go to
// standard error in every output mode; model.json and -json hold the
// warnings as "warnings".
//
// On bad input gmm prints a one-line message on standard error and exits
// with status 1, or 2 for a bad flag.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
	gplot "github.com/gmm-go/gmm/plot"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, message(err))
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// message returns err as the one line gmm prints: prefixed with "gmm: "
// once, and on a single line.
func message(err error) string {
	s := strings.TrimPrefix(err.Error(), "gmm: ")
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	return "gmm: " + s
}

// usageError is a mistake in the command line itself.
type usageError struct{ error }

// options are the parsed flags.
type options struct {
	csv, column string
	sep         byte // 0: detect
	strict      bool
	k           int
	method      gmm.Method
	prior       string
	priorAuto   bool // the prior was chosen for the data's source
	seed        uint64
	posterior   bool
	inference   gmm.Inference
	draws       int
	warmup      int
	out         string
	assignments assignMode
	json        bool
	verbose     bool
}

// assignMode says whether to write assignments.csv.
type assignMode int

const (
	assignAuto assignMode = iota // for up to maxAssignments values
	assignAlways
	assignNever
)

// String implements flag.Value: "" for the default.
func (a *assignMode) String() string {
	switch *a {
	case assignAlways:
		return "true"
	case assignNever:
		return "false"
	}
	return ""
}

// Set implements flag.Value, reading a boolean.
func (a *assignMode) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errors.New("want true or false")
	}
	*a = assignNever
	if v {
		*a = assignAlways
	}
	return nil
}

// IsBoolFlag makes -assignments alone mean -assignments=true.
func (a *assignMode) IsBoolFlag() bool { return true }

// maxAssignments is the most values for which assignments.csv is written
// unless -assignments asks for it: beyond, the file (a line of about 40
// bytes per value) outgrows the input and takes longer to write than the
// fit takes.
var maxAssignments = 1_000_000

const usage = `Usage: gmm [flags]

Fits a Gaussian mixture to one column of numbers, prints the fit and writes
the figures data.png, loss.png, density.png and clusters.png, model.json and
assignments.csv into the output directory. With no flags it fits the iris
petal lengths with the notebook's prior and K = 2. With -posterior it also
samples the posterior and prints each parameter's mean and 90% credible
interval.

Flags:
`

// parse parses the command line. It returns ok false, and no error, when
// the help was asked for and printed.
func parse(args []string, stdout io.Writer) (opt options, ok bool, err error) {
	fs := flag.NewFlagSet("gmm", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&opt.csv, "csv", "", "read the data from `FILE` (- for standard input): CSV separated by commas, semicolons or tabs, with or without a header row (default: the embedded iris data)")
	sep := fs.String("sep", "", "the separator `S`: comma, semicolon, tab or one character (default: found from the first rows)")
	fs.BoolVar(&opt.strict, "strict", false, "stop at a missing value (an empty cell, NA, NaN or null) rather than skip its row")
	fs.StringVar(&opt.column, "column", "", "the column to fit, by `NAME` or 0-based index (default: petal_length for the iris data, the only column of a file that has one)")
	fs.IntVar(&opt.k, "k", 2, "the number of components `N`")
	method := fs.String("method", "adam", "the optimiser `M`: adam or em")
	fs.StringVar(&opt.prior, "prior", "", "the prior `P`: notebook, default (scaled to the data) or none (maximum likelihood) (default: notebook for the embedded iris data, default for a -csv file)")
	fs.Uint64Var(&opt.seed, "seed", 0, "the seed `N` of the starting points and of the posterior's chains")
	posterior := fs.String("posterior", "", "after the fit, sample the posterior by `P`: gibbs (Gibbs sampling) or vb (variational Bayes) (default: no posterior)")
	fs.IntVar(&opt.draws, "draws", defaultDraws, "the posterior draws `N` kept from each chain")
	fs.IntVar(&opt.warmup, "warmup", defaultWarmup, "the warm-up sweeps `N` each Gibbs chain discards first")
	fs.StringVar(&opt.out, "out", "gmm-out", "write the figures and files into `DIR`")
	fs.Var(&opt.assignments, "assignments", fmt.Sprintf("write assignments.csv; -assignments=false skips it (default: written for up to %d values)", maxAssignments))
	fs.BoolVar(&opt.json, "json", false, "print the fitted model as JSON instead of the table")
	fs.BoolVar(&opt.verbose, "v", false, "report the fit's progress on standard error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return opt, false, nil
		}
		return opt, false, usageError{fmt.Errorf("%v; run gmm -h for the flags", err)}
	}
	if fs.NArg() > 0 {
		return opt, false, usageError{fmt.Errorf("unexpected argument %s; give the data with -csv FILE", quote(fs.Arg(0)))}
	}
	if opt.k < 1 {
		return opt, false, usageError{fmt.Errorf("-k is %d; the number of components must be at least 1", opt.k)}
	}
	switch *method {
	case "adam":
		opt.method = gmm.Adam
	case "em":
		opt.method = gmm.EM
	default:
		return opt, false, usageError{fmt.Errorf("unknown -method %s; use adam or em", quote(*method))}
	}
	switch opt.prior {
	case "":
		opt.prior, opt.priorAuto = "notebook", true
		if opt.csv != "" {
			opt.prior = "default"
		}
	case "notebook", "default", "none":
	default:
		return opt, false, usageError{fmt.Errorf("unknown -prior %s; use notebook, default or none", quote(opt.prior))}
	}
	switch *posterior {
	case "":
	case "gibbs":
		opt.posterior, opt.inference = true, gmm.Gibbs
	case "vb":
		opt.posterior, opt.inference = true, gmm.VB
	default:
		return opt, false, usageError{fmt.Errorf("unknown -posterior %s; use gibbs or vb", quote(*posterior))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["sep"] {
		if opt.sep, err = parseSep(*sep); err != nil {
			return opt, false, usageError{err}
		}
		if opt.csv == "" {
			return opt, false, usageError{errors.New("-sep is for a -csv file; the embedded iris data need none")}
		}
	}
	if opt.strict && opt.csv == "" {
		return opt, false, usageError{errors.New("-strict is for a -csv file; the embedded iris data have no missing values")}
	}
	for _, name := range []string{"draws", "warmup"} {
		if set[name] && !opt.posterior {
			return opt, false, usageError{fmt.Errorf("-%s is for the posterior; add -posterior gibbs or -posterior vb", name)}
		}
	}
	if set["warmup"] && opt.inference == gmm.VB {
		return opt, false, usageError{errors.New("-warmup is for Gibbs sampling; vb has no warm-up")}
	}
	if opt.draws < minDraws {
		return opt, false, usageError{fmt.Errorf("-draws is %d; the diagnostics need at least %d draws per chain", opt.draws, minDraws)}
	}
	if opt.warmup < 1 {
		return opt, false, usageError{fmt.Errorf("-warmup is %d; give at least 1 sweep", opt.warmup)}
	}
	if opt.out == "" {
		return opt, false, usageError{errors.New("-out is empty; give a directory")}
	}
	return opt, true, nil
}

// parseSep reads the -sep flag.
func parseSep(s string) (byte, error) {
	switch strings.ToLower(s) {
	case "comma", ",":
		return ',', nil
	case "semicolon", ";":
		return ';', nil
	case "tab", "\\t", "\t":
		return '\t', nil
	}
	if len(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r' || s[0] >= 0x80 {
		return 0, fmt.Errorf("-sep %s is not a separator; use comma, semicolon, tab or one ASCII character other than a double quote", quote(s))
	}
	return s[0], nil
}

// data is the column being fitted.
type data struct {
	x       []float64
	column  string
	source  string   // where it came from, for the report
	notes   []string // about the reading, for standard error
	skipped int      // rows skipped for a missing value
}

// load reads the column the options name, from stdin if the file is "-".
func load(opt options, stdin io.Reader) (*data, error) {
	if opt.csv == "" {
		col := opt.column
		if col == "" {
			col = "petal_length"
		}
		src := "the embedded iris data"
		c, err := readColumn(strings.NewReader(iris.CSV()), src, col, readOptions{sep: ','})
		if err != nil {
			return nil, err
		}
		return &data{x: c.x, column: c.name, source: src}, nil
	}
	r, src, ro := stdin, "standard input", readOptions{sep: opt.sep, strict: opt.strict}
	if opt.csv != "-" {
		f, err := os.Open(opt.csv)
		if err != nil {
			return nil, fmt.Errorf("cannot read the data: %v", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			ro.size = st.Size()
		}
		r, src = f, opt.csv
	}
	c, err := readColumn(r, src, opt.column, ro)
	if err != nil {
		return nil, err
	}
	d := &data{x: c.x, column: c.name, source: src, skipped: c.skipped}
	if !c.header {
		d.notes = append(d.notes, fmt.Sprintf("the first row of %s holds only numbers, so it is read as data, not as a header; the columns are named by their 0-based index", src))
	}
	if c.skipped > 0 {
		d.notes = append(d.notes, fmt.Sprintf("skipped %s of %s whose %s is a missing value (empty, NA, NaN or null), the first on line %d; -strict stops at them instead",
			count(c.skipped, "row"), src, c.name, c.firstSkipped))
	}
	return d, nil
}

// prior returns the prior the options name for the data x.
func prior(name string, x []float64) gmm.Prior {
	switch name {
	case "default":
		return gmm.DefaultPrior(x)
	case "none":
		return gmm.Prior{}
	}
	return gmm.NotebookPrior()
}

// run runs the command with the arguments args, reading -csv - from stdin.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	opt, ok, err := parse(args, stdout)
	if err != nil || !ok {
		return err
	}
	logf := func(string, ...any) {}
	if opt.verbose {
		logf = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	}
	since := func(t time.Time) time.Duration { return time.Since(t).Round(time.Microsecond) }

	t := time.Now()
	d, err := load(opt, stdin)
	if err != nil {
		return err
	}
	for _, n := range d.notes {
		fmt.Fprintf(stderr, "gmm: note: %s\n", n)
	}
	if opt.k > len(d.x) {
		return fmt.Errorf("-k is %d but there are only %s; use at most %d components", opt.k, count(len(d.x), "value"), len(d.x))
	}
	logf("read %d values of %s in %v", len(d.x), d.column, since(t))

	m := &gmm.Model{K: opt.k, Prior: prior(opt.prior, d.x)}
	s := &gmm.Settings{Method: opt.method, Seed: opt.seed}
	if opt.verbose {
		s.Progress = progress(stderr)
	}
	t = time.Now()
	res, err := m.Fit(d.x, s)
	if err != nil {
		return err
	}
	logf("fitted in %v: the best of %s took %d steps to a loss of %.6f", since(t), starts(res), res.Steps, res.Loss[len(res.Loss)-1])
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "gmm: warning: %s\n", advice(w))
	}

	var post *gmm.Posterior
	var ps *posteriorSummary
	if opt.posterior {
		t = time.Now()
		if post, err = sample(m, d.x, opt); err != nil {
			return err
		}
		if ps, err = summarise(post, opt); err != nil {
			return err
		}
		logf("sampled the posterior by %v in %v: %d chains of %d draws", post.Method, since(t), post.Chains, post.Draws)
		for _, w := range ps.Warnings {
			logf("warning: %s", w)
		}
	}

	t = time.Now()
	cl := classify(m, d.x)
	modelJSON, err := fitJSON(m, res, opt, d, ps)
	if err != nil {
		return err
	}
	writeAssign := opt.assignments == assignAlways || (opt.assignments == assignAuto && len(d.x) <= maxAssignments)
	files, err := write(opt.out, m, res, post, d, writeAssign, modelJSON)
	if err != nil {
		return err
	}
	if opt.assignments == assignAuto && !writeAssign {
		fmt.Fprintf(stderr, "gmm: note: assignments.csv is not written for %d values (more than %d), where it would outgrow the input; -assignments writes it\n",
			len(d.x), maxAssignments)
	}
	logf("wrote %d files into %s in %v", len(files), opt.out, since(t))
	if opt.json {
		_, err := stdout.Write(modelJSON)
		return err
	}
	return report(stdout, opt, m, res, s, ps, d, cl, files)
}

// count returns "1 value" or "n values".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// starts describes the search of a fit: "9 runs", the runs from its
// starting points and from the moves tried from the best (see gmm.Fit).
func starts(res *gmm.Result) string {
	if res.Restarts == 1 {
		return "1 run"
	}
	return fmt.Sprintf("%d runs", res.Restarts)
}

// advice rewrites the library's advice in a warning as the flags that
// follow it.
func advice(w string) string {
	return strings.NewReplacer(
		", such as DefaultPrior(x)", " (-prior default)",
		"try a smaller K", "try a smaller -k",
		"more Warmup and Draws", "more -warmup and -draws",
		"ask for more Draws or Chains", "ask for more -draws",
	).Replace(w)
}

// classes is what the report says about the clusters: their sizes, and
// for each the value it holds if all its values are equal.
type classes struct {
	size  []int
	first []float64
	same  []bool
}

// classify assigns the values to the clusters in chunks, so that no label
// per value is held, and counts them.
func classify(m *gmm.Model, x []float64) *classes {
	c := &classes{size: make([]int, m.K), first: make([]float64, m.K), same: make([]bool, m.K)}
	z := make([]int, chunk)
	for lo := 0; lo < len(x); lo += chunk {
		xs := x[lo:min(lo+chunk, len(x))]
		for i, k := range m.AssignTo(z[:len(xs)], xs) {
			if c.size[k] == 0 {
				c.first[k], c.same[k] = xs[i], true
			}
			c.same[k] = c.same[k] && xs[i] == c.first[k]
			c.size[k]++
		}
	}
	return c
}

// chunk is the number of values labelled at a time.
const chunk = 4096

// progress returns a Settings.Progress that reports on w at steps 1, 2, 5,
// 10, 20, 50, … of every run.
func progress(w io.Writer) func(run, step int, loss float64) {
	return func(run, step int, loss float64) {
		n := step + 1
		for n%10 == 0 {
			n /= 10
		}
		if n == 1 || n == 2 || n == 5 {
			fmt.Fprintf(w, "start %d, step %d: loss %.6f\n", run, step+1, loss)
		}
	}
}

// fitSummary is what model.json and -json add to the model's own JSON.
type fitSummary struct {
	Method    string   `json:"method"`
	PriorName string   `json:"prior_name"`
	Loss      float64  `json:"loss"`
	Converged bool     `json:"converged"`
	Steps     int      `json:"steps"`
	Restarts  int      `json:"restarts"`
	N         int      `json:"n"`
	Skipped   int      `json:"skipped"`
	Column    string   `json:"column"`
	Warnings  []string `json:"warnings"`

	Posterior *posteriorSummary `json:"posterior,omitempty"`
}

// fitJSON returns the model's JSON (see gmm.Model.MarshalJSON) with a
// summary of the fit, and of the posterior if ps is not nil, added after
// its keys, indented.
func fitJSON(m *gmm.Model, res *gmm.Result, opt options, d *data, ps *posteriorSummary) ([]byte, error) {
	mj, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	warn := []string{}
	for _, w := range res.Warnings {
		warn = append(warn, advice(w))
	}
	sj, err := json.Marshal(fitSummary{
		Method: res.Method.String(), PriorName: opt.prior, Loss: res.Loss[len(res.Loss)-1], Converged: res.Converged,
		Steps: res.Steps, Restarts: res.Restarts, N: len(d.x), Skipped: d.skipped, Column: d.column,
		Warnings: warn, Posterior: ps,
	})
	if err != nil {
		return nil, err
	}
	// Both are JSON objects: join them into one, the model's keys first.
	joined := append(append(mj[:len(mj)-1:len(mj)-1], ','), sj[1:]...)
	var buf bytes.Buffer
	if err := json.Indent(&buf, joined, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// write writes the figures, model.json and assignments.csv into dir and
// returns their names. If post is not nil, the density figure shows its
// posterior predictive density.
func write(dir string, m *gmm.Model, res *gmm.Result, post *gmm.Posterior, d *data, assign bool, modelJSON []byte) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the output directory: %v", err)
	}
	type figure struct {
		file string
		draw func() (*plot.Plot, error)
		w, h vg.Length
	}
	figures := []figure{
		{"data.png", func() (*plot.Plot, error) { return gplot.Data(d.x, d.column) }, 8 * vg.Inch, 3 * vg.Inch},
		{"loss.png", func() (*plot.Plot, error) { return gplot.Loss(res) }, 8 * vg.Inch, 4.5 * vg.Inch},
		{"density.png", func() (*plot.Plot, error) {
			if post != nil {
				return gplot.PosteriorDensity(m, post, d.x, d.column, level)
			}
			return gplot.Density(m, d.x, d.column)
		}, 8 * vg.Inch, 5 * vg.Inch},
		{"clusters.png", func() (*plot.Plot, error) { return gplot.Clusters(m, d.x, d.column) }, 8 * vg.Inch, min(2+1.2*vg.Length(m.K), 12) * vg.Inch},
	}
	var files []string
	for _, f := range figures {
		p, err := f.draw()
		if err != nil {
			return nil, err
		}
		if err := writeFile(filepath.Join(dir, f.file), func(w io.Writer) error {
			return gplot.WritePNG(w, p, f.w, f.h)
		}); err != nil {
			return nil, err
		}
		files = append(files, f.file)
	}
	if err := writeFile(filepath.Join(dir, "model.json"), func(w io.Writer) error {
		_, err := w.Write(modelJSON)
		return err
	}); err != nil {
		return nil, err
	}
	files = append(files, "model.json")
	if !assign {
		return files, nil
	}
	if err := writeFile(filepath.Join(dir, "assignments.csv"), func(w io.Writer) error {
		return assignments(w, m, d.column, d.x)
	}); err != nil {
		return nil, err
	}
	files = append(files, "assignments.csv")
	return files, nil
}

// writeFile creates path and writes it with fill.
func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cannot write the output: %v", err)
	}
	bw := bufio.NewWriter(f)
	err = fill(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %v", path, err)
	}
	return nil
}

// assignments writes each value, its cluster and its responsibilities
// as CSV, in chunks so that no n×K matrix is held.
func assignments(w io.Writer, m *gmm.Model, column string, x []float64) error {
	var b []byte
	b = append(b, csvCell(column)...)
	b = append(b, ",cluster"...)
	for k := range m.K {
		b = fmt.Appendf(b, ",p%d", k)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return err
	}
	z := make([]int, chunk)
	r := make([]float64, chunk*m.K)
	for lo := 0; lo < len(x); lo += chunk {
		xs := x[lo:min(lo+chunk, len(x))]
		m.AssignTo(z[:len(xs)], xs)
		m.ResponsibilitiesTo(r[:len(xs)*m.K], xs)
		b = b[:0]
		for i, v := range xs {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(z[i]), 10)
			for _, p := range r[i*m.K : (i+1)*m.K] {
				b = append(b, ',')
				b = strconv.AppendFloat(b, p, 'g', 6, 64)
			}
			b = append(b, '\n')
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// csvCell returns s as a CSV cell, quoted if it must be.
func csvCell(s string) string {
	if !strings.ContainsAny(s, ",;\t\"\r\n") && strings.TrimSpace(s) == s {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// report prints the fit as a table.
func report(w io.Writer, opt options, m *gmm.Model, res *gmm.Result, s *gmm.Settings, ps *posteriorSummary, d *data, cl *classes, files []string) error {
	fmt.Fprintf(w, "Fitted K = %d to %s of %s from %s.\n", m.K, count(len(d.x), "value"), d.column, d.source)
	why := ""
	if opt.priorAuto {
		why = " (the notebook's, for its iris data)"
		if opt.csv != "" {
			why = " (scaled to the data, for a -csv file)"
		}
	}
	fmt.Fprintf(w, "prior:  %s%s: %v\n", opt.prior, why, m.Prior)
	status := fmt.Sprintf("converged after %d steps", res.Steps)
	if !res.Converged {
		status = fmt.Sprintf("NOT converged: stopped after %d steps", res.Steps)
	}
	fmt.Fprintf(w, "method: %v, seed %d, best of %s, %s\n", res.Method, opt.seed, starts(res), status)
	for _, note := range fitNotes(m, d.x, cl) {
		fmt.Fprintf(w, "note:   %s\n", note)
	}
	if len(res.Warnings) > 0 {
		fmt.Fprintf(w, "note:   the fit is dominated by its prior; see the warnings on standard error\n")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "cluster\tweight\tmean\tsigma\tsize\t")
	for k := range m.K {
		fmt.Fprintf(tw, "z=%d\t%.5f\t%#.6g\t%#.5g\t%d\t\n", k, m.Weights[k], m.Means[k], m.Sigmas[k], cl.size[k])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nfinal loss: %.4f  (−log p(x, w, μ, σ))\n", res.Loss[len(res.Loss)-1])
	if ps != nil {
		fmt.Fprintln(w)
		reportPosterior(w, ps)
		fmt.Fprintln(w)
	}
	_, err := fmt.Fprintf(w, "wrote %s: %s\n", opt.out, strings.Join(files, ", "))
	return err
}

// fitNotes points out clusters a reader could misread: clusters that hold
// no values, and clusters that sit on a run of equal values with a σ far
// below the data's spread.
func fitNotes(m *gmm.Model, x []float64, cl *classes) []string {
	var notes, empty []string
	for k, n := range cl.size {
		if n == 0 {
			empty = append(empty, fmt.Sprintf("z=%d", k))
		}
	}
	switch {
	case len(empty) == 1:
		notes = append(notes, fmt.Sprintf("%s holds no values, so the fit uses fewer clusters than K = %d; try a smaller -k, or another -method or -seed", empty[0], m.K))
	case len(empty) > 1:
		notes = append(notes, fmt.Sprintf("%s hold no values, so the fit uses fewer clusters than K = %d; try a smaller -k, or another -method or -seed", strings.Join(empty, ", "), m.K))
	}
	lo, hi := slices.Min(x), slices.Max(x)
	for k, n := range cl.size {
		if n >= 2 && m.Sigmas[k] < 1e-3*(hi-lo) && cl.same[k] {
			notes = append(notes, fmt.Sprintf("z=%d sits on %d equal values (%g) with σ = %.2g: repeated values make such narrow clusters real optima", k, n, cl.first[k], m.Sigmas[k]))
		}
	}
	return notes
}
