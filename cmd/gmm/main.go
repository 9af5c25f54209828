// Command gmm fits a Bayesian Gaussian mixture to one column of numbers and
// shows the fit: the notebook gmm started from, in one command. It also
// chooses the number of components by BIC, as R's mclust does, and fits
// several columns with mclust's fourteen covariance models.
//
// With no flags it fits K = 2 components to the 150 iris petal lengths
// embedded in the program, with the notebook's prior, prints the weights,
// means, standard deviations, cluster sizes and final loss, and writes into
// gmm-out/ the four figures of the notebook as PNG images (data.png,
// loss.png, density.png, clusters.png), the fitted model as model.json,
// and assignments.csv, which gives each value its cluster and its
// responsibilities.
//
// With a range of K, such as -k 1:9, it fits every K with a σ per
// component (mclust's model V) and with one shared σ (E), by maximum
// likelihood unless -prior says otherwise (see gmm.Select), prints the BIC
// of each, marking NA those that could not be fitted and saying why, and
// reports the best as above, adding bic.png, the BIC against K.
//
// With -columns it fits several columns (see package mv): by default every
// covariance model with K = 1..9 by maximum likelihood, as mclust's Mclust
// does, printing the BIC table and the chosen model's weights, means,
// standard deviations and correlations, and writing bic.png,
// classification.png (each row coloured by its cluster, with each
// component's 95% ellipse), uncertainty.png (each row sized by
// 1 − max responsibility), density.png (contours of the fitted density, or
// of its marginals in each pair of columns beyond two), model.json and
// assignments.csv. With one K and one covariance model it fits that model
// alone.
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
//	               null) rather than skip its row or, with -columns,
//	               fit the row on the columns it has
//	-column NAME   the column to fit, by name or 0-based index (default:
//	               petal_length for the iris data, the only column of a file
//	               that has one)
//	-columns A,B   several columns to fit, by name or 0-based index, or all
//	               for every column whose first 200 rows hold numbers (the
//	               columns of text left out are named on standard error)
//	-k N           the number of components, or a range lo:hi to choose
//	               from by BIC (default 2 with one column, 1:9 with
//	               -columns)
//	-covariance M  with -columns, the covariance models to try: mclust's
//	               EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV,
//	               VEV, EVV, VVV, or full, tied, diag, spherical, several
//	               separated by commas, or all (the default)
//	-method M      the optimiser: adam or em (default adam; several
//	               columns are fitted by em)
//	-prior P       notebook: Dirichlet(1), Normal(0, 10), InverseGamma(1, 1);
//	               default: a weakly informative prior scaled to the data
//	               (for several columns, mclust's priorControl());
//	               none: maximum likelihood (default: notebook for the
//	               embedded iris data, default for a -csv file, none, as
//	               mclust, with a range of K or -columns)
//	-seed N        the seed of the starting points and of the posterior's
//	               chains (default 0)
//	-tol X         the stopping tolerance of the fits: a run stops when a
//	               step lowers the loss L by at most X·(|L| + n) (see
//	               gmm.Settings.Tol and mv.Settings.Tol); 1e-4 is far
//	               faster with many components on large data (default:
//	               1e-10 for one column, 1e-9 for several)
//	-posterior P   after the fit, sample the posterior with the same prior
//	               and K: gibbs (Gibbs sampling) or vb (variational Bayes);
//	               prints its means, 90% credible intervals, R̂ and ESS,
//	               and adds the posterior predictive density and its 90%
//	               band to density.png (default: no posterior; one K
//	               only, and with -columns one -covariance of full, tied,
//	               diag or spherical, under -prior default)
//	-draws N       the posterior draws kept from each of 4 chains
//	               (default 1000)
//	-warmup N      the warm-up sweeps each Gibbs chain discards first
//	               (default 1000)
//	-out DIR       where to write the figures and files (default gmm-out)
//	-assignments   write assignments.csv; -assignments=false skips it
//	               (default: written for up to 1000000 rows)
//	-json          print the fitted model as JSON instead of the table
//	-v             report the fit's progress on standard error
//
// With several columns (-columns), a row that misses some of their values
// (empty, NA, NaN or null) is fitted on the columns it has, the missing
// values being missing at random (see mv.Settings.AllowMissing), and the
// report says how many rows did; the default prior and the figures use the
// rows that have every value, and -posterior samples given those rows
// alone. A row that misses every column read, or with one column its
// value, is skipped and counted. -strict makes any missing value an error.
//
// assignments.csv has one line per data row, in the order of the input,
// with NA for each missing value: a row skipped for missing every value
// keeps its line, with NA for the cluster and the responsibilities too;
// a row fitted on the columns it has gets its cluster and responsibilities
// given those columns.
//
// With -posterior, gmm then samples the posterior of the weights, means
// and standard deviations with the same prior and K (see
// gmm.Model.Posterior), seeded by -seed, and prints for each parameter its
// posterior mean, standard deviation, 90% credible interval, R̂ and bulk
// ESS, followed by any warnings about convergence; model.json and -json
// gain a "posterior" object with the same summary, and density.png the
// posterior predictive density with its pointwise 90% band. The posterior
// needs a prior, so -posterior with -prior none is an error. With -columns
// and one of the covariance models full, tied, diag or spherical (see
// mv.Model.Posterior) the table has a row for each component's weight,
// the mean and the variance of each column, and the correlation of each
// pair of columns (for full and tied), and the prior is mclust's
// priorControl() unless -prior says otherwise.
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
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
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
	columns     columns // from -columns; no names and not all: -column
	sep         byte    // 0: detect
	strict      bool
	k           int   // the K of a single fit: ks[0]
	ks          []int // the Ks to choose from
	kRange      bool  // -k gave a range: choose K
	covs        []mv.Covariance
	covSet      bool // -covariance was given
	methodSet   bool // -method was given
	method      gmm.Method
	prior       string
	priorAuto   bool // the prior was chosen for the data's source
	seed        uint64
	tol         float64 // 0: the library's default
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

With a range of K, such as -k 1:9, it chooses K by BIC, as R's mclust does,
prints the table of BIC values and draws bic.png. With -columns it fits
several columns with the fourteen covariance models of mclust, chooses the
model and K by BIC, and draws bic.png, classification.png, uncertainty.png
and density.png.

Flags:
`

// parse parses the command line. It returns ok false, and no error, when
// the help was asked for and printed.
func parse(args []string, stdout io.Writer) (opt options, ok bool, err error) {
	fs := flag.NewFlagSet("gmm", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&opt.csv, "csv", "", "read the data from `FILE` (- for standard input): CSV separated by commas, semicolons or tabs, with or without a header row (default: the embedded iris data)")
	sep := fs.String("sep", "", "the separator `S`: comma, semicolon, tab or one character (default: found from the first rows)")
	fs.BoolVar(&opt.strict, "strict", false, "stop at a missing value (an empty cell, NA, NaN or null) rather than skip its row or, with -columns, fit the row on the columns it has")
	fs.StringVar(&opt.column, "column", "", "the column to fit, by `NAME` or 0-based index (default: petal_length for the iris data, the only column of a file that has one)")
	cols := fs.String("columns", "", "fit several columns: `A,B,C` by name or 0-based index, or all for every column of numbers")
	var ks kFlag
	fs.Var(&ks, "k", "the number of components `N`, or a range such as 1:9 to choose K by BIC (default: 2, or 1:9 with -columns)")
	cov := fs.String("covariance", "", "with -columns, the covariance `MODEL`: one or more of mclust's EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV, or full, tied, diag, spherical, separated by commas, or all (default all)")
	method := fs.String("method", "adam", "the optimiser `M`: adam or em (several columns: em)")
	fs.StringVar(&opt.prior, "prior", "", "the prior `P`: notebook, default (scaled to the data) or none (maximum likelihood) (default: notebook for the embedded iris data, default for a -csv file, none, as mclust, with a range of K or several columns)")
	fs.Uint64Var(&opt.seed, "seed", 0, "the seed `N` of the starting points and of the posterior's chains")
	tol := fs.String("tol", "", fmt.Sprintf("the fits' stopping tolerance `X`: a run stops when a step lowers the loss L by at most X·(|L| + n); 1e-4 is far faster with many components on large data (default: %s)", tolDefaults))
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
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["columns"] {
		if opt.columns, err = parseColumns(*cols, set["column"]); err != nil {
			return opt, false, usageError{err}
		}
	}
	several := opt.columns.all || len(opt.columns.names) > 1
	switch {
	case set["k"]:
		opt.ks, opt.kRange = ks.ks, ks.isRange
	case opt.columns.all || opt.columns.names != nil:
		opt.ks, opt.kRange = []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, true
	default:
		opt.ks = []int{2}
	}
	if opt.ks[0] < 1 {
		return opt, false, usageError{fmt.Errorf("-k is %s; the number of components must be at least 1", ks.String())}
	}
	opt.k = opt.ks[0]
	opt.covs = mv.Covariances()
	if set["covariance"] {
		if !several {
			return opt, false, usageError{errors.New("-covariance is for several columns (-columns); one column has the models E and V, chosen with a range of -k")}
		}
		if opt.covs, err = parseCovariance(*cov); err != nil {
			return opt, false, usageError{err}
		}
		opt.covSet = true
	}
	opt.methodSet = set["method"]
	switch *method {
	case "adam":
		opt.method = gmm.Adam
	case "em":
		opt.method = gmm.EM
	default:
		return opt, false, usageError{fmt.Errorf("unknown -method %s; use adam or em", quote(*method))}
	}
	if several && opt.methodSet && opt.method != gmm.EM {
		return opt, false, usageError{errors.New("-method adam is for one column; several columns are fitted by EM (-method em)")}
	}
	switch opt.prior {
	case "":
		opt.prior, opt.priorAuto = "notebook", true
		switch {
		case opt.kRange || opt.columns.all || opt.columns.names != nil:
			opt.prior = "none"
		case opt.csv != "":
			opt.prior = "default"
		}
	case "notebook":
		if several {
			return opt, false, usageError{errors.New("-prior notebook is for one column; for several columns use -prior default (mclust's priorControl) or none")}
		}
	case "default", "none":
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
	if opt.posterior && opt.kRange {
		return opt, false, usageError{fmt.Errorf("-posterior is for a fit with one K; choose K with -k %s first, then give that K", ks.String())}
	}
	if opt.posterior && several {
		if len(opt.covs) != 1 || !conjugate(opt.covs[0]) {
			return opt, false, usageError{errors.New("-posterior with several columns needs one covariance model whose prior is conjugate: give -covariance full, tied, diag or spherical (VVV, EEE, VVI or VII)")}
		}
		switch {
		case opt.prior == "none" && opt.priorAuto:
			opt.prior = "default"
		case opt.prior == "none":
			return opt, false, usageError{errors.New("-posterior needs a prior: under -prior none the posterior is improper; use -prior default (mclust's priorControl())")}
		}
	}
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
	if set["tol"] {
		if opt.tol, err = parseTol(*tol); err != nil {
			return opt, false, usageError{err}
		}
	}
	return opt, true, nil
}

// tolDefaults names the default tolerances of gmm.Settings.Tol and
// mv.Settings.Tol, which the fits use when -tol is not given.
const tolDefaults = "1e-10 for one column, 1e-9 for several"

// parseTol reads the -tol flag: a tolerance in (0, 1). The libraries take
// any positive finite Tol, but their rule stops a run once a step lowers
// the loss L by at most Tol·(|L| + n), which from 1 on nearly every step
// does: the run ends about where it started.
func parseTol(s string) (float64, error) {
	const advice = "give a positive tolerance below 1, such as 1e-4 (default: " + tolDefaults + ")"
	t := strings.TrimSpace(s)
	v, err := strconv.ParseFloat(t, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("-tol %s is beyond the range of float64; %s", quote(s), advice)
	case err != nil:
		return 0, fmt.Errorf("-tol %s is not a number; %s", quote(s), advice)
	case v == 0:
		// Zero, or a positive number below the smallest float64.
		return 0, fmt.Errorf("-tol is %s, which is 0 as a float64; %s", t, advice)
	case !(v > 0 && v < 1):
		// NaN, ±Inf, zero, negative, or 1 and above.
		return 0, fmt.Errorf("-tol is %s; %s", t, advice)
	}
	return v, nil
}

// kFlag is the -k flag: one K, or a range lo:hi of them.
type kFlag struct {
	ks      []int
	isRange bool
}

// String implements flag.Value.
func (k *kFlag) String() string {
	if len(k.ks) == 0 {
		return ""
	}
	if k.isRange {
		return fmt.Sprintf("%d:%d", k.ks[0], k.ks[len(k.ks)-1])
	}
	return strconv.Itoa(k.ks[0])
}

// maxK is the largest K a range may reach: far beyond what a BIC table
// is read for, and small enough that a mistyped range fails at once.
const maxK = 1000

// Set implements flag.Value, reading N or lo:hi.
func (k *kFlag) Set(s string) error {
	a, b, isRange := strings.Cut(s, ":")
	lo, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return errors.New("want a number of components such as 3, or a range such as 1:9")
	}
	if !isRange {
		k.ks, k.isRange = []int{lo}, false
		return nil
	}
	hi, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil {
		return errors.New("want a range such as 1:9")
	}
	switch {
	case lo < 1:
		return fmt.Errorf("the range starts at %d; the number of components must be at least 1", lo)
	case hi < lo:
		return fmt.Errorf("the range is empty; write the smaller K first, as %d:%d", hi, lo)
	case hi > maxK:
		return fmt.Errorf("the range ends at %d; a range can reach K = %d at most", hi, maxK)
	}
	k.ks, k.isRange = nil, true
	for v := lo; v <= hi; v++ {
		k.ks = append(k.ks, v)
	}
	return nil
}

// parseColumns reads the -columns flag; column says whether -column was
// given too.
func parseColumns(s string, column bool) (columns, error) {
	if column {
		return columns{}, errors.New("-column and -columns are both given; use -column NAME for one column, -columns A,B,C for several")
	}
	if strings.TrimSpace(s) == "all" {
		return columns{all: true}, nil
	}
	var c columns
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return columns{}, fmt.Errorf("-columns %s has an empty name; list the columns separated by commas, as -columns a,b,c, or give -columns all", quote(s))
		}
		c.names = append(c.names, name)
	}
	return c, nil
}

// aliases are the -covariance names besides mclust's, and what they mean.
var aliases = []struct {
	name string
	cov  mv.Covariance
}{{"full", mv.Full}, {"tied", mv.Tied}, {"diag", mv.Diagonal}, {"spherical", mv.Spherical}}

// parseCovariance reads the -covariance flag: all, or names separated by
// commas.
func parseCovariance(s string) ([]mv.Covariance, error) {
	if strings.TrimSpace(s) == "all" {
		return mv.Covariances(), nil
	}
	var out []mv.Covariance
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		c, ok := covariance(name)
		if !ok {
			var names []string
			for _, c := range mv.Covariances() {
				names = append(names, c.String())
			}
			var al []string
			for _, a := range aliases {
				al = append(al, fmt.Sprintf("%s (%v)", a.name, a.cov))
			}
			return nil, fmt.Errorf("unknown -covariance %s; use one of mclust's fourteen models %s, one of the aliases %s, several separated by commas, or all",
				quote(name), strings.Join(names, ", "), strings.Join(al, ", "))
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// covariance returns the model named s, in any case.
func covariance(s string) (mv.Covariance, bool) {
	for _, c := range mv.Covariances() {
		if strings.EqualFold(s, c.String()) {
			return c, true
		}
	}
	for _, a := range aliases {
		if strings.EqualFold(s, a.name) {
			return a.cov, true
		}
	}
	return 0, false
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

// data is what is being fitted: the rows of the columns read that have a
// number in some column.
type data struct {
	x       []float64 // row-major, d values a row, NaN where missing
	d       int
	names   []string // of the columns
	column  string   // the columns' names, joined by commas
	source  string   // where it came from, for the report
	notes   []string // about the reading, for standard error
	skipped int      // rows skipped for missing every value
	partial int      // rows in x that miss some values (several columns only)
	// rows is the number of data rows, complete or not; holes and
	// holeVals are the rows skipped (see frame).
	rows     int
	holes    []int
	holeVals []float64
}

// load reads the columns the options name, from stdin if the file is "-".
func load(opt options, stdin io.Reader) (*data, error) {
	cols := opt.columns
	if !cols.all && cols.names == nil {
		cols.names = []string{opt.column}
	}
	if opt.csv == "" {
		if !cols.all && cols.names[0] == "" {
			cols.names[0] = "petal_length"
		}
		src := "the embedded iris data"
		t, err := readTable(strings.NewReader(iris.CSV()), src, cols, readOptions{sep: ','})
		if err != nil {
			return nil, err
		}
		d := newData(t, src)
		if len(t.text) > 0 {
			d.notes = append(d.notes, leftOut(t))
		}
		return d, nil
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
	t, err := readTable(r, src, cols, ro)
	if err != nil {
		return nil, err
	}
	d := newData(t, src)
	if !t.header {
		d.notes = append(d.notes, fmt.Sprintf("the first row of %s holds only numbers, so it is read as data, not as a header; the columns are named by their 0-based index", src))
	}
	if len(t.text) > 0 {
		d.notes = append(d.notes, leftOut(t))
	}
	if t.partial > 0 {
		d.notes = append(d.notes, fmt.Sprintf("%s of %s %s some values (empty, NA, NaN or null), the first on line %d; each is fitted on the columns it has (see -strict)",
			count(t.partial, "row"), src, verb(t.partial, "misses", "miss"), t.firstPartial))
	}
	if t.skipped > 0 {
		what := fmt.Sprintf("whose %s is a missing value", d.column)
		if d.d > 1 {
			what = "missing every column read"
		}
		d.notes = append(d.notes, fmt.Sprintf("skipped %s of %s %s (empty, NA, NaN or null), the first on line %d; assignments.csv lists them with the cluster NA; -strict stops at them instead",
			count(t.skipped, "row"), src, what, t.firstSkipped))
	}
	return d, nil
}

// newData returns the data of the frame t read from src.
func newData(t *frame, src string) *data {
	return &data{x: t.x, d: t.d, names: t.names, column: strings.Join(t.names, ","), source: src,
		skipped: t.skipped, partial: t.partial, rows: t.rows, holes: t.holes, holeVals: t.holeVals}
}

// leftOut is the note on the columns of text that -columns all left out.
func leftOut(t *frame) string {
	var q []string
	for _, s := range t.text {
		q = append(q, quote(s))
	}
	return fmt.Sprintf("-columns all reads the %s of numbers (%s) and leaves out %s of text: %s",
		count(t.d, "column"), strings.Join(t.names, ", "), count(len(t.text), "column"), strings.Join(q, ", "))
}

// n returns the number of rows fitted: with several columns, those with
// a number in some column.
func (d *data) n() int { return len(d.x) / d.d }

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
	s := &session{opt: opt, stdout: stdout, stderr: stderr, logf: func(string, ...any) {}}
	if opt.verbose {
		s.logf = func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	}
	t := time.Now()
	d, err := load(opt, stdin)
	if err != nil {
		return err
	}
	if err := s.check(d); err != nil {
		return err
	}
	for _, n := range d.notes {
		fmt.Fprintf(stderr, "gmm: note: %s\n", n)
	}
	if d.d == 1 {
		s.logf("read %d values of %s in %v", len(d.x), d.column, since(t))
	} else {
		s.logf("read %d rows of %s in %v", d.n(), d.column, since(t))
	}
	switch {
	case d.d > 1:
		return s.several(d)
	case opt.kRange:
		return s.choose(d)
	}
	return s.one(d)
}

// session is one run of the command: its options and where it writes.
type session struct {
	opt            options
	stdout, stderr io.Writer
	logf           func(format string, a ...any) // for -v
}

// since returns the time since t, rounded for a report.
func since(t time.Time) time.Duration { return time.Since(t).Round(time.Microsecond) }

// check returns an error for options that do not suit the data read: the
// Ks must not exceed the rows, and the flags for several columns need them.
func (s *session) check(d *data) error {
	opt := s.opt
	if d.d > 1 {
		switch {
		case opt.prior == "notebook":
			return usageError{errors.New("-prior notebook is for one column; for several columns use -prior default (mclust's priorControl) or none")}
		case opt.methodSet && opt.method != gmm.EM:
			return usageError{errors.New("-method adam is for one column; several columns are fitted by EM (-method em)")}
		}
	} else if opt.covSet {
		return usageError{fmt.Errorf("-covariance is for several columns, and %s has one column of numbers (%s); one column has the models E and V, chosen with a range of -k", d.source, d.column)}
	}
	n := d.n()
	what := "value"
	if d.d > 1 {
		what = "row"
	}
	if hi := opt.ks[len(opt.ks)-1]; hi > n {
		if opt.kRange {
			return fmt.Errorf("-k %d:%d reaches K = %d but there are only %s; end the range at %d at most", opt.ks[0], hi, hi, count(n, what), n)
		}
		return fmt.Errorf("-k is %d but there are only %s; use at most %d components", hi, count(n, what), n)
	}
	return nil
}

// one fits one column with one K: the notebook.
func (s *session) one(d *data) error {
	opt, stderr, logf := s.opt, s.stderr, s.logf
	m := &gmm.Model{K: opt.k, Prior: prior(opt.prior, d.x)}
	st := &gmm.Settings{Method: opt.method, Seed: opt.seed, Tol: opt.tol}
	if opt.verbose {
		st.Progress = progress(stderr)
	}
	t := time.Now()
	res, err := m.Fit(d.x, st)
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
	sum, err := summaryOf(m, res, opt, d, ps)
	if err != nil {
		return err
	}
	modelJSON, err := fitJSON(m, sum)
	if err != nil {
		return err
	}
	files, err := write(opt.out, oneFigures(m, res, post, d, cl), modelJSON, s.assign(d), func(w io.Writer) error {
		return assignments(w, d, m.K, oneLabeller(m))
	})
	if err != nil {
		return err
	}
	logf("wrote %d files into %s in %v", len(files), opt.out, since(t))
	if opt.json {
		_, err := s.stdout.Write(modelJSON)
		return err
	}
	if err := report(s.stdout, opt, m, res, ps, d, cl); err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.stdout, "wrote %s: %s\n", opt.out, strings.Join(files, ", "))
	return err
}

// assign reports whether to write assignments.csv for d, and prints a
// note if it is not written for its size.
func (s *session) assign(d *data) bool {
	opt := s.opt
	ok := opt.assignments == assignAlways || (opt.assignments == assignAuto && d.rows <= maxAssignments)
	if opt.assignments == assignAuto && !ok {
		what := "values"
		if d.d > 1 {
			what = "rows"
		}
		fmt.Fprintf(s.stderr, "gmm: note: assignments.csv is not written for %d %s (more than %d), where it would outgrow the input; -assignments writes it\n",
			d.rows, what, maxAssignments)
	}
	return ok
}

// count returns "1 value" or "n values".
func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// verb returns one if n is 1, and many otherwise.
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
		"a prior (DefaultPrior)", "a prior (-prior default)",
		"try a smaller K", "try a smaller -k",
		"more Warmup and Draws", "more -warmup and -draws",
		"ask for more Draws or Chains", "ask for more -draws",
	).Replace(w)
}

// classes is what the report says about the clusters: their sizes, and
// for each the value it holds if all its values are equal; and what
// clusters.png shows of them.
type classes struct {
	size   []int
	first  []float64
	same   []bool
	sample *gplot.ClusterSample
}

// classify assigns the values to the clusters in chunks, so that no label
// per value is held, counts them, and passes the labels on to the sample
// that clusters.png draws, so that each value is labelled once.
func classify(m *gmm.Model, x []float64) *classes {
	c := &classes{size: make([]int, m.K), first: make([]float64, m.K), same: make([]bool, m.K),
		sample: gplot.NewClusterSample(m.K)}
	z := make([]int, chunk)
	for lo := 0; lo < len(x); lo += chunk {
		xs := x[lo:min(lo+chunk, len(x))]
		zs := m.AssignTo(z[:len(xs)], xs)
		// AssignTo's labels are 0 to K−1, which Add takes.
		_ = c.sample.Add(xs, zs)
		for i, k := range zs {
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
// Converged, Steps and Restarts are null when the run that found the model
// is not known (see choose).
type fitSummary struct {
	Method    string   `json:"method"`
	PriorName string   `json:"prior_name"`
	Loss      float64  `json:"loss"`
	Converged *bool    `json:"converged"`
	Steps     *int     `json:"steps"`
	Restarts  *int     `json:"restarts"`
	N         int      `json:"n"`
	Skipped   int      `json:"skipped"`
	Column    string   `json:"column"`
	Warnings  []string `json:"warnings"`

	Posterior *posteriorSummary `json:"posterior,omitempty"`
}

// summaryOf returns the summary of the fit res of m (nil if not known, with
// the loss then computed) to d, and of the posterior if ps is not nil.
func summaryOf(m *gmm.Model, res *gmm.Result, opt options, d *data, ps *posteriorSummary) (fitSummary, error) {
	s := fitSummary{Method: opt.method.String(), PriorName: opt.prior, N: d.n(), Skipped: d.skipped, Column: d.column,
		Warnings: []string{}, Posterior: ps}
	if res == nil {
		lj, err := m.LogJoint(d.x)
		s.Loss = -lj
		return s, err
	}
	s.Method, s.Loss = res.Method.String(), res.Loss[len(res.Loss)-1]
	s.Converged, s.Steps, s.Restarts = &res.Converged, &res.Steps, &res.Restarts
	for _, w := range res.Warnings {
		s.Warnings = append(s.Warnings, advice(w))
	}
	return s, nil
}

// fitJSON returns the JSON of the model m followed by the keys of the
// summary sum, both JSON objects, as one object, indented.
func fitJSON(m, sum any) ([]byte, error) {
	mj, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	sj, err := json.Marshal(sum)
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

// figure is a figure the command writes: its file, how to draw it and
// its size.
type figure struct {
	file string
	draw func() (*plot.Plot, error)
	w, h vg.Length
}

// oneFigures returns the figures of the fit m of one column, whose values
// cl has labelled. If post is not nil, the density figure shows its
// posterior predictive density.
func oneFigures(m *gmm.Model, res *gmm.Result, post *gmm.Posterior, d *data, cl *classes) []figure {
	figs := []figure{
		{"data.png", func() (*plot.Plot, error) { return gplot.Data(d.x, d.column) }, 8 * vg.Inch, 3 * vg.Inch},
		{"loss.png", func() (*plot.Plot, error) { return gplot.Loss(res) }, 8 * vg.Inch, 4.5 * vg.Inch},
		{"density.png", func() (*plot.Plot, error) {
			if post != nil {
				return gplot.PosteriorDensity(m, post, d.x, d.column, level)
			}
			return gplot.Density(m, d.x, d.column)
		}, 8 * vg.Inch, 5 * vg.Inch},
		{"clusters.png", func() (*plot.Plot, error) { return gplot.ClustersOf(m, cl.sample, d.x, d.column) }, 8 * vg.Inch, min(2+1.2*vg.Length(m.K), 12) * vg.Inch},
	}
	if res == nil {
		// No run to draw the loss of (see choose).
		figs = slices.Delete(figs, 1, 2)
	}
	return figs
}

// write writes the figures, model.json and, if assign, assignments.csv by
// writeAssign into dir and returns their names.
func write(dir string, figures []figure, modelJSON []byte, assign bool, writeAssign func(io.Writer) error) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the output directory: %v", err)
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
	if err := writeFile(filepath.Join(dir, "assignments.csv"), writeAssign); err != nil {
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

// labeller fills z with the cluster and r (row-major, K a row) with the
// responsibilities of each of the rows x of d values.
type labeller func(z []int, r, x []float64)

// oneLabeller is the labeller of the one-column model m.
func oneLabeller(m *gmm.Model) labeller {
	return func(z []int, r, x []float64) {
		m.AssignTo(z, x)
		m.ResponsibilitiesTo(r, x)
	}
}

// assignments writes each data row of d, its cluster and its
// responsibilities under a model of k components as CSV, one line per data
// row, in chunks so that no n×K matrix is held. A missing value is NA. A
// row skipped for missing every value has NA for the cluster and the
// responsibilities too; a row fitted on the columns it has gets the
// cluster and responsibilities its labeller gives.
func assignments(w io.Writer, d *data, k int, label labeller) error {
	var b []byte
	for _, name := range d.names {
		b = append(b, csvCell(name)...)
		b = append(b, ',')
	}
	b = append(b, "cluster"...)
	for j := range k {
		b = fmt.Appendf(b, ",p%d", j)
	}
	b = append(b, '\n')
	if _, err := w.Write(b); err != nil {
		return err
	}
	z := make([]int, chunk)
	r := make([]float64, chunk*k)
	row, hole := 0, 0 // the next data row and the next skipped one
	na := func(v float64) []byte {
		if math.IsNaN(v) {
			return append(b, "NA"...)
		}
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	// holes writes the skipped rows that come next.
	holes := func() {
		for ; hole < len(d.holes) && d.holes[hole] == row; hole++ {
			for _, v := range d.holeVals[hole*d.d : (hole+1)*d.d] {
				b = na(v)
				b = append(b, ',')
			}
			b = append(b, "NA"...)
			for range k {
				b = append(b, ",NA"...)
			}
			b = append(b, '\n')
			row++
		}
	}
	n := d.n()
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		xs := d.x[lo*d.d : hi*d.d]
		label(z[:hi-lo], r[:(hi-lo)*k], xs)
		b = b[:0]
		for i := range hi - lo {
			holes()
			for _, v := range xs[i*d.d : (i+1)*d.d] {
				b = na(v)
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(z[i]), 10)
			for _, p := range r[i*k : (i+1)*k] {
				b = append(b, ',')
				b = strconv.AppendFloat(b, p, 'g', 6, 64)
			}
			b = append(b, '\n')
			row++
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	b = b[:0]
	holes()
	_, err := w.Write(b)
	return err
}

// csvCell returns s as a CSV cell, quoted if it must be.
func csvCell(s string) string {
	if !strings.ContainsAny(s, ",;\t\"\r\n") && strings.TrimSpace(s) == s {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// report prints the fit res of m as a table; res is nil if the run that
// found m is not known (see choose).
func report(w io.Writer, opt options, m *gmm.Model, res *gmm.Result, ps *posteriorSummary, d *data, cl *classes) error {
	model := ""
	if opt.kRange {
		model = " (model " + modelName(m) + ")"
	}
	fmt.Fprintf(w, "Fitted K = %d%s to %s of %s from %s.\n", m.K, model, count(len(d.x), "value"), d.column, d.source)
	fmt.Fprintf(w, "prior:  %s%s: %v\n", opt.prior, priorWhy(opt), m.Prior)
	if res == nil {
		fmt.Fprintf(w, "method: %v, seed %d: the fit the selection found, from its start at the fit with one component fewer\n", opt.method, opt.seed)
	} else {
		status := fmt.Sprintf("converged after %d steps", res.Steps)
		if !res.Converged {
			status = fmt.Sprintf("NOT converged: stopped after %d steps", res.Steps)
		}
		fmt.Fprintf(w, "method: %v, seed %d, best of %s, %s\n", res.Method, opt.seed, starts(res), status)
	}
	for _, note := range fitNotes(m, d.x, cl) {
		fmt.Fprintf(w, "note:   %s\n", note)
	}
	if res != nil && len(res.Warnings) > 0 {
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
	loss := 0.0
	if res != nil {
		loss = res.Loss[len(res.Loss)-1]
	} else if lj, err := m.LogJoint(d.x); err == nil {
		loss = -lj
	}
	fmt.Fprintf(w, "\nfinal loss: %.4f  (−log p(x, w, μ, σ))\n", loss)
	if ps != nil {
		fmt.Fprintln(w)
		reportPosterior(w, ps)
		fmt.Fprintln(w)
	}
	return nil
}

// priorWhy says why the prior was chosen, if the options did not name it.
func priorWhy(opt options) string {
	switch {
	case !opt.priorAuto:
		return ""
	case opt.prior == "none":
		return " (maximum likelihood, as mclust's Mclust, to choose K)"
	case opt.csv != "":
		return " (scaled to the data, for a -csv file)"
	}
	return " (the notebook's, for its iris data)"
}

// modelName returns mclust's name of the one-column model m: E for a
// shared σ, V otherwise.
func modelName(m *gmm.Model) string {
	if m.SharedSigma {
		return "E"
	}
	return "V"
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
