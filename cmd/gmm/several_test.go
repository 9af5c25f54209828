package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gmm-go/gmm"
	"github.com/gmm-go/gmm/iris"
	"github.com/gmm-go/gmm/mv"
	"gonum.org/v1/gonum/mat"
)

// selectionJSON is the part of model.json that a selection adds.
type selectionJSON struct {
	Covariance string       `json:"covariance"`
	Criterion  string       `json:"criterion"`
	Selection  []candidateT `json:"selection"`
	Columns    []string     `json:"columns"`
	K          int          `json:"k"`
	N          int          `json:"n"`
	Skipped    int          `json:"skipped"`
	Column     string       `json:"column"`
	Converged  *bool        `json:"converged"`
}

// candidateT is a candidate of model.json's "selection", null read as nil.
type candidateT struct {
	K          int      `json:"k"`
	Covariance string   `json:"covariance"`
	BIC        *float64 `json:"bic"`
	Error      string   `json:"error"`
}

// mclustRef is a BIC table of mclust's, in mclust's sign (higher is
// better), by model and K; NaN where mclust has none.
type mclustRef struct {
	bic     map[string]float64
	best    string
	bestK   int
	bestBIC float64
}

// readMclust reads a table written by testdata/faithful.R or
// ../../testdata/mclust_iris_bic.R: lines "MODEL K BIC ..." and
// "best MODEL K BIC".
func readMclust(t *testing.T, path string) *mclustRef {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := &mclustRef{bic: map[string]float64{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		if fs[0] == "best" {
			r.best = fs[1]
			r.bestK, _ = strconv.Atoi(fs[2])
			r.bestBIC, _ = strconv.ParseFloat(fs[3], 64)
			continue
		}
		k := fs[1]
		col := 2
		if len(fs) > 4 {
			col = 3 // MODEL K P BIC LOGLIK CODE
		}
		v, err := strconv.ParseFloat(fs[col], 64)
		if err != nil {
			v = math.NaN()
		}
		r.bic[fs[0]+" "+k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return r
}

// checkAgainstMclust checks the selection of a model.json against mclust's
// table, which must have every candidate of the selection: the choice must
// be mclust's, at a BIC at least as good, and every candidate mclust
// fitted must be fitted too. It returns the candidates
// whose BIC is above mclust's, where the fit missed mclust's optimum. The
// tolerance 2e-3 on BIC is twice the 1e-3 on the log-likelihood of mv's
// own test against mclust (mv/mclust_test.go, which says where that number
// comes from).
func checkAgainstMclust(t *testing.T, js []byte, ref *mclustRef) (worse []string) {
	t.Helper()
	var s selectionJSON
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	var best float64
	for _, c := range s.Selection {
		want, ok := ref.bic[c.Covariance+" "+strconv.Itoa(c.K)]
		switch {
		case !ok:
			t.Errorf("%s with K = %d: not in mclust's table", c.Covariance, c.K)
		case math.IsNaN(want):
		case c.Error != "" || c.BIC == nil:
			t.Errorf("%s with K = %d: not fitted (%s), mclust's BIC %v", c.Covariance, c.K, c.Error, want)
		case *c.BIC > -want+2e-3:
			worse = append(worse, fmt.Sprintf("%s with K = %d: BIC %.3f, mclust's %.3f", c.Covariance, c.K, *c.BIC, -want))
		}
		if c.Covariance == s.Covariance && c.K == s.K && c.BIC != nil {
			best = *c.BIC
		}
	}
	if s.Covariance != ref.best || s.K != ref.bestK || s.Criterion != "BIC" || best > -ref.bestBIC+2e-3 {
		t.Errorf("chose %s with K = %d by %s at %v, mclust %s with K = %d at %v", s.Covariance, s.K, s.Criterion, best, ref.best, ref.bestK, -ref.bestBIC)
	}
	return worse
}

func TestRunSeveralIris(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	// K = 1..4 holds mclust's choice and keeps the test short.
	if err := run([]string{"-columns", "all", "-k", "1:4", "-out", out}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	text := stdout.String()
	for _, want := range []string{
		"Chose the covariance model and K by BIC among the 14 covariance models of mclust, K = 1..4, for 150 rows of sepal_length, sepal_width, petal_length, petal_width",
		"prior:  none (maximum likelihood, as mclust's Mclust)",
		// mclust's −BIC for VEV with K = 2 is −561.728462.
		"best: VEV with K = 2 (561.728)",
		"Fitted VEV (ellipsoidal, varying volume, equal shape, varying orientation) with K = 2 to 150 rows",
		"wrote " + out + ": bic.png, classification.png, uncertainty.png, density.png, model.json, assignments.csv",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{"BIC EII VII EEI VEI EVI VVI EEE", "BIC VEE EVE VVE EEV VEV EVV VVV"} {
		if !hasLine(text, want) {
			t.Errorf("the report lacks the line %q:\n%s", want, text)
		}
	}
	if want := `gmm: note: -columns all reads the 4 columns of numbers (sepal_length, sepal_width, petal_length, petal_width) and leaves out 1 column of text: "species"`; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
	js, err := os.ReadFile(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	if worse := checkAgainstMclust(t, js, readMclust(t, "../../testdata/mclust_iris_bic.txt")); len(worse) > 0 {
		// mv's own test asks the same of mv.Select.
		t.Errorf("below mclust's optimum: %s", strings.Join(worse, "; "))
	}
	// The classes are the species: setosa alone, the other two together.
	rows := readAssignments(t, filepath.Join(out, "assignments.csv"))
	species := iris.Species()
	if len(rows) != 151 || strings.Join(rows[0], ",") != "sepal_length,sepal_width,petal_length,petal_width,cluster,p0,p1" {
		t.Fatalf("assignments.csv has %d rows, header %q", len(rows), rows[0])
	}
	for i, r := range rows[1:] {
		if (r[4] == "0") != (species[i] == "setosa") {
			t.Fatalf("row %d: %v, species %s", i+1, r, species[i])
		}
	}
	for _, f := range []string{"bic.png", "classification.png", "uncertainty.png", "density.png"} {
		checkPNG(t, filepath.Join(out, f), 960)
	}
}

// hasLine reports whether text has a line of the words in want, spaced in
// any way.
func hasLine(text, want string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.Join(strings.Fields(l), " ") == want {
			return true
		}
	}
	return false
}

// checkPNG checks that path holds a PNG image width pixels wide.
func checkPNG(t *testing.T, path string, width int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if w := img.Bounds().Dx(); w != width {
		t.Errorf("%s is %d pixels wide, want %d", path, w, width)
	}
}

// readAssignments reads an assignments.csv.
func readAssignments(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestRunSeveralFaithful(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	// K = 1..4 holds mclust's choice and keeps the test short.
	if err := run([]string{"-csv", "testdata/faithful.csv", "-columns", "eruptions,waiting", "-k", "1:4", "-json", "-out", out}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
	// On these data mv.Select stops short of mclust's optimum in a few
	// candidates far from the choice (VVV with K = 4 by 1.7); they are
	// logged, not failed: the test is of the command.
	for _, w := range checkAgainstMclust(t, stdout.Bytes(), readMclust(t, "testdata/mclust_faithful.txt")) {
		t.Logf("below mclust's optimum: %s", w)
	}
	file, err := os.ReadFile(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, stdout.Bytes()) {
		t.Errorf("-json printed\n%s\nbut model.json holds\n%s", stdout.Bytes(), file)
	}
	checkModelJSON(t, stdout.Bytes(), 3, 2, 272)
	// The model read back assigns each row as assignments.csv says.
	var m mv.Model
	if err := json.Unmarshal(file, &m); err != nil {
		t.Fatal(err)
	}
	rows := readAssignments(t, filepath.Join(out, "assignments.csv"))
	if len(rows) != 273 {
		t.Fatalf("assignments.csv has %d rows, want 273", len(rows))
	}
	x := mat.NewDense(272, 2, nil)
	for i, r := range rows[1:] {
		for j := range 2 {
			v, _ := strconv.ParseFloat(r[j], 64)
			x.Set(i, j, v)
		}
	}
	for i, z := range m.Assign(x) {
		if rows[i+1][2] != strconv.Itoa(z) {
			t.Fatalf("row %d: %v, want cluster %d", i+1, rows[i+1], z)
		}
	}
}

// checkModelJSON checks the keys of a model.json of several columns: the
// model's and the summary of one column's, with k, d and n as given.
func checkModelJSON(t *testing.T, js []byte, k, d, n int) {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(js, &keys); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"k", "covariance", "weights", "means", "covariances", "prior",
		"method", "prior_name", "loss", "converged", "steps", "restarts", "n", "skipped", "column", "warnings", "columns"} {
		if _, ok := keys[key]; !ok {
			t.Errorf("model.json lacks %q", key)
		}
	}
	var m struct {
		K           int           `json:"k"`
		Weights     []float64     `json:"weights"`
		Means       [][]float64   `json:"means"`
		Covariances [][][]float64 `json:"covariances"`
		N           int           `json:"n"`
		Method      string        `json:"method"`
		Warnings    []string      `json:"warnings"`
	}
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	if m.K != k || len(m.Weights) != k || len(m.Means) != k || len(m.Covariances) != k || m.N != n || m.Method != "em" || m.Warnings == nil {
		t.Fatalf("model.json: k %d, %d weights, %d means, %d covariances, n %d, method %q, warnings %v; want K = %d, n = %d, em, []",
			m.K, len(m.Weights), len(m.Means), len(m.Covariances), m.N, m.Method, m.Warnings, k, n)
	}
	for j := range k {
		if len(m.Means[j]) != d || len(m.Covariances[j]) != d || len(m.Covariances[j][0]) != d {
			t.Fatalf("component %d: mean of %d, covariance of %d rows, want %d", j, len(m.Means[j]), len(m.Covariances[j]), d)
		}
	}
}

// TestRunSeveralPosterior samples the posterior of a full-covariance fit
// to Old Faithful's two columns by each method: the table has a row for
// each component's weight and for the mean and variance of each column and
// the correlation of the pair, and model.json holds the same rows. The
// posterior means must lie within 4 posterior standard deviations of the
// MAP fit's (they differ by less than one for 272 points), and the
// diagnostics must be in bounds at the default number of draws.
func TestRunSeveralPosterior(t *testing.T) {
	for _, method := range []string{"gibbs", "vb"} {
		out := filepath.Join(t.TempDir(), "out")
		var stdout, stderr bytes.Buffer
		if err := run([]string{"-csv", "testdata/faithful.csv", "-columns", "eruptions,waiting", "-k", "2", "-covariance", "full", "-posterior", method, "-out", out}, nil, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		text := stdout.String()
		for _, w := range []string{"prior:  default", "weight", "mean eruptions", "variance waiting", "correlation eruptions, waiting", "R̂", "bulk ESS"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the report lacks %q:\n%s", method, w, text)
			}
		}
		raw, err := os.ReadFile(filepath.Join(out, "model.json"))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Means     [][]float64 `json:"means"`
			Posterior struct {
				Method string `json:"method"`
				Rows   []struct {
					Component      int
					Parameter      string
					Mean, SD, RHat float64
					ESS            float64
				} `json:"rows"`
				Warnings []string `json:"warnings"`
			} `json:"posterior"`
		}
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		p := got.Posterior
		if p.Method != method || len(p.Rows) != 12 || len(p.Warnings) != 0 {
			t.Fatalf("%s: posterior %+v", method, p)
		}
		for _, r := range p.Rows {
			if !(r.RHat <= 1.01) || !(r.ESS >= 400) {
				t.Errorf("%s: %d %s: R̂ %v, ESS %v", method, r.Component, r.Parameter, r.RHat, r.ESS)
			}
			for j, name := range []string{"eruptions", "waiting"} {
				if r.Parameter == "mean "+name {
					if fit := got.Means[r.Component][j]; math.Abs(r.Mean-fit) > 4*r.SD {
						t.Errorf("%s: component %d's posterior mean of %s is %v, the MAP %v, sd %v", method, r.Component, name, r.Mean, fit, r.SD)
					}
				}
			}
		}
	}
}

// runMain runs the command, the test binary's main (see TestMain), in a
// child process with args, none of which may hold a space, and returns
// its standard output and error, and its error if it failed.
func runMain(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	for _, a := range args {
		if strings.ContainsAny(a, " \t\n") {
			t.Skipf("argument %q holds a space, which GMM_TEST_ARGS cannot pass", a)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GMM_TEST_MAIN=1", "GMM_TEST_ARGS="+strings.Join(args, " "))
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// missingInput writes two groups in two columns, with a text column, a
// value missing on line 3 and both on line 6, and returns its path.
func missingInput(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("name;a;b\n")
	for i := range 60 {
		a, c := float64(i%10), float64(i%7)
		if i%2 == 1 {
			a, c = a+40, c+30
		}
		cells := []string{"p" + strconv.Itoa(i), strconv.FormatFloat(a, 'f', -1, 64), strconv.FormatFloat(c, 'f', -1, 64)}
		switch i {
		case 1:
			cells[1] = "NA"
		case 4:
			cells[1], cells[2] = "", "null"
		}
		b.WriteString(strings.Join(cells, ";") + "\n")
	}
	path := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// missingJSON is the part of model.json that says what was fitted.
type missingJSON struct {
	selectionJSON
	Incomplete int `json:"incomplete"`
}

func TestRunSeveralMissing(t *testing.T) {
	dir := t.TempDir()
	path := missingInput(t, dir)
	out := filepath.Join(dir, "out")
	stdout, stderr, err := runMain(t, "-csv", path, "-columns", "all", "-k", "2", "-covariance", "VVV", "-out", out)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	for _, want := range []string{
		`leaves out 1 column of text: "name"`,
		"1 row of " + path + " misses some values", "the first on line 3", "each is fitted on the columns it has",
		"skipped 1 row of " + path + " missing every column read", "the first on line 6", "cluster NA",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// One fit, no selection: no table and no bic.png; the report counts
	// the rows with missing values.
	for _, want := range []string{"Fitted VVV", "to 59 rows of a, b",
		"missing: 1 row of the 59 misses some values, each fitted on the columns it has", "the 58 rows with every value are drawn",
		"skipped: 1 row missing every column"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "Chose") {
		t.Errorf("want one VVV fit:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "bic.png")); !os.IsNotExist(err) {
		t.Errorf("bic.png written for a single model")
	}
	for _, f := range []string{"classification.png", "uncertainty.png", "density.png"} {
		checkPNG(t, filepath.Join(out, f), 960)
	}
	rows := readAssignments(t, filepath.Join(out, "assignments.csv"))
	if len(rows) != 61 {
		t.Fatalf("assignments.csv has %d rows, want one per data row, 61", len(rows))
	}
	if got, want := strings.Join(rows[5], ","), "NA,NA,NA,NA,NA"; got != want {
		t.Errorf("row 5, missing every value: %q, want %q", got, want)
	}
	// The rest are the two groups, a cluster each, the row missing a in
	// its group's (b = 31 puts it in the group of b ≥ 30, far from the
	// other's b < 7).
	cluster := map[bool]string{}
	for i, r := range rows[1:] {
		if i == 1 || i == 4 {
			continue
		}
		a, _ := strconv.ParseFloat(r[0], 64)
		if c, ok := cluster[a >= 40]; ok && c != r[2] {
			t.Fatalf("row %d: %v, in another cluster than its group's, %s", i+1, r, c)
		}
		cluster[a >= 40] = r[2]
	}
	if cluster[true] == cluster[false] {
		t.Errorf("both groups in cluster %s", cluster[true])
	}
	if r := rows[2]; r[0] != "NA" || r[1] != "31" || r[2] != cluster[true] {
		t.Errorf("row 2, missing a: %v; want NA, 31 and its group's cluster %s", r, cluster[true])
	}
	js, err := os.ReadFile(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s missingJSON
	if err := json.Unmarshal(js, &s); err != nil || s.N != 59 || s.Skipped != 1 || s.Incomplete != 1 || s.Column != "a,b" ||
		!slices.Equal(s.Columns, []string{"a", "b"}) || s.Selection != nil || s.Converged == nil || !*s.Converged {
		t.Errorf("model.json: %+v (%v); want 59 rows, 1 incomplete, 1 skipped, columns a and b, no selection, converged", s, err)
	}
}

// TestRunSeveralMissingSelect chooses the model and K with rows that miss
// values: the selection fits every row that has a value, and the BIC it
// prints for the chosen model is the one the report recomputes from the
// log-likelihood of the observed values.
func TestRunSeveralMissingSelect(t *testing.T) {
	dir := t.TempDir()
	path := missingInput(t, dir)
	out := filepath.Join(dir, "out")
	stdout, stderr, err := runMain(t, "-csv", path, "-columns", "a,b", "-k", "1:3", "-covariance", "VVV,EII", "-json", "-out", out)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	var s missingJSON
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatal(err)
	}
	if s.N != 59 || s.Incomplete != 1 || s.Skipped != 1 || len(s.Selection) != 6 {
		t.Fatalf("%+v; want 59 rows, 1 incomplete, 1 skipped, 6 candidates", s)
	}
	for _, c := range s.Selection {
		if c.Error != "" || c.BIC == nil {
			t.Errorf("candidate %s with K = %d: %q", c.Covariance, c.K, c.Error)
		}
	}
	if s.K != 2 {
		t.Errorf("chose K = %d; the data are two groups", s.K)
	}
	text, _, err := runMain(t, "-csv", path, "-columns", "a,b", "-k", "1:3", "-covariance", "VVV,EII", "-out", out)
	if err != nil {
		t.Fatal(err)
	}
	var best float64
	for _, c := range s.Selection {
		if c.K == s.K && c.Covariance == s.Covariance {
			best = *c.BIC
		}
	}
	if want := fmt.Sprintf("BIC %.4f", best); !strings.Contains(text, want) {
		t.Errorf("the report lacks the selection's %s:\n%s", want, text)
	}
}

func TestRunSeveralMissingEdges(t *testing.T) {
	dir := t.TempDir()
	// Every row misses one of its two values: nothing to draw, and no
	// rows for the posterior.
	var b strings.Builder
	b.WriteString("a,b\n")
	for i := range 40 {
		v := strconv.Itoa(i%5 + 10*(i%2))
		if i%2 == 0 {
			b.WriteString(v + ",NA\n")
		} else {
			b.WriteString("," + v + "\n")
		}
	}
	halves := filepath.Join(dir, "halves.csv")
	if err := os.WriteFile(halves, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	path := missingInput(t, dir)
	for _, tc := range []struct {
		name     string
		args     []string
		ok       bool
		want     []string
		notFiles []string
	}{
		{"strict", []string{"-csv", path, "-columns", "a,b", "-strict"}, false,
			[]string{`line 3, column "a": "NA" is a missing value; fill it in or remove the row (without -strict a row is fitted on the columns it has)`}, nil},
		{"no complete row", []string{"-csv", halves, "-columns", "a,b", "-k", "1", "-covariance", "VII"}, true,
			[]string{"40 rows of " + halves + " miss some values", "no row has every value, so classification.png, uncertainty.png and density.png"},
			[]string{"classification.png", "uncertainty.png", "density.png"}},
		{"no complete row, default prior", []string{"-csv", halves, "-columns", "a,b", "-k", "1", "-covariance", "spherical", "-prior", "default", "-posterior", "vb"}, false,
			[]string{"-prior default is scaled to the rows that have every value, and 0 such rows of " + halves + " cannot set it", "use -prior none"}, nil},
		{"posterior", []string{"-csv", path, "-columns", "a,b", "-k", "2", "-covariance", "full", "-prior", "default", "-posterior", "vb"}, true,
			[]string{"-posterior samples given the 58 rows with every value", "the 1 row that misses some is left out"}, nil},
		{"one column", []string{"-csv", path, "-column", "a", "-k", "2"}, true,
			[]string{"skipped 2 rows of " + path + " whose a is a missing value"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, stderr, err := runMain(t, append(tc.args, "-out", out)...)
			if (err == nil) != tc.ok {
				t.Fatalf("error %v, want ok %v: %s", err, tc.ok, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, f := range tc.notFiles {
				if _, err := os.Stat(filepath.Join(out, f)); !os.IsNotExist(err) {
					t.Errorf("%s written", f)
				}
			}
		})
	}
}

func TestRunChooseK(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-k", "1:9", "-out", out}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	text := stdout.String()
	// R mclust's −BIC for the iris petal lengths, E with K = 1..3 and V
	// with K = 2 (testdata/mclust_1d_bic.txt, via Select's own tests).
	for _, want := range []string{
		"Chose K by BIC among the models E (one σ shared by the components) and V (a σ each), K = 1..9, for 150 values of petal_length",
		"  BIC        E        V",
		"    1  605.195  605.195",
		"best: V with K = 2 (426.211)",
		"Fitted K = 2 (model V) to 150 values of petal_length",
		"wrote " + out + ": bic.png, data.png, loss.png, density.png, clusters.png, model.json, assignments.csv",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	// Every failed candidate is marked NA and said why, with the flag to
	// follow.
	na := strings.Count(text, " NA")
	why := strings.Count(text, "\n  V with K = ") + strings.Count(text, "\n  E with K = ")
	if na != why || (na > 0 && !strings.Contains(text, "-prior default")) {
		t.Errorf("%d NA cells and %d reasons:\n%s", na, why, text)
	}
	js, err := os.ReadFile(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s selectionJSON
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	if s.Covariance != "V" || s.K != 2 || len(s.Selection) != 18 || s.Criterion != "BIC" {
		t.Errorf("model.json: %s with K = %d, %d candidates by %s; want V, 2, 18, BIC", s.Covariance, s.K, len(s.Selection), s.Criterion)
	}
	// The chosen model is Select's, and reads back as a gmm.Model.
	var m gmm.Model
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	sel, err := gmm.Select(iris.PetalLength(), &gmm.SelectSettings{Fit: &gmm.Settings{Method: gmm.Adam}})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range s.Selection {
		want := sel.Candidates[i]
		if want.K != c.K || want.Model() != c.Covariance || (want.Err == nil) != (c.BIC != nil) || (c.BIC != nil && want.BIC != *c.BIC) {
			t.Errorf("candidate %d: %+v, Select's %s with K = %d at %v (%v)", i, c, want.Model(), want.K, want.BIC, want.Err)
		}
	}
	// The report's model is the refit (see refit) where it reaches
	// Select's optimum, which Select may have reached by another path (from
	// the fit with K − 1 components): the two then differ by where their
	// runs stopped, 5e-11 relative here. 1e-6 relative allows for that and
	// is far below the fit's sampling error (σ/√n, about 0.014 and 0.067 in
	// the two means), and so below any distance between distinct optima
	// worth telling apart.
	if !closeRel(m.Means, sel.Best.Means, 1e-6) || !closeRel(m.Sigmas, sel.Best.Sigmas, 1e-6) {
		t.Errorf("model %v %v, Select's %v %v", m.Means, m.Sigmas, sel.Best.Means, sel.Best.Sigmas)
	}
	checkPNG(t, filepath.Join(out, "bic.png"), 960)
}

func TestKFlag(t *testing.T) {
	for _, tc := range []struct {
		in    string
		ks    []int
		rng   bool
		error string
	}{
		{"3", []int{3}, false, ""},
		{"2:4", []int{2, 3, 4}, true, ""},
		{"5:5", []int{5}, true, ""},
		{"0", []int{0}, false, ""}, // refused by parse, with the value
		{"x", nil, false, "want a number of components"},
		{"1:x", nil, false, "want a range such as 1:9"},
		{"0:3", nil, false, "the range starts at 0"},
		{"5:2", nil, false, "write the smaller K first, as 2:5"},
		{"1:5000", nil, false, "a range can reach K = 1000 at most"},
	} {
		var k kFlag
		err := k.Set(tc.in)
		if tc.error != "" {
			if err == nil || !strings.Contains(err.Error(), tc.error) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.error)
			}
			continue
		}
		if err != nil || !slices.Equal(k.ks, tc.ks) || k.isRange != tc.rng {
			t.Errorf("%q: %v %v (%v), want %v %v", tc.in, k.ks, k.isRange, err, tc.ks, tc.rng)
		}
	}
}

func TestRunSeveralErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("a,b,c\n1,2,x\n3,4,y\n5,7,z\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "text.csv")
	if err := os.WriteFile(text, []byte("a,b\nx,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	late := filepath.Join(dir, "late.csv")
	lines := "a,b\n" + strings.Repeat("1,2\n3,4\n", 100) + "5,x\n"
	if err := os.WriteFile(late, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(dir, "one.csv")
	if err := os.WriteFile(one, []byte("a,b\n1,x\n2,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		want  []string
		usage bool
	}{
		{"unknown column", []string{"-csv", good, "-columns", "a,d"}, []string{`unknown column "d"; the columns are 0 "a", 1 "b", 2 "c"`}, false},
		{"text column", []string{"-csv", good, "-columns", "a,c"}, []string{`line 2, column "c": "x" is not a number`}, false},
		{"text after the sample", []string{"-csv", late, "-columns", "all"}, []string{`line 202, column "b": "x" is not a number; -columns all took it for a column of numbers from its first 200 rows`}, false},
		{"no numbers", []string{"-csv", text, "-columns", "all"}, []string{"no column holds numbers in its first 1 row"}, false},
		{"column twice", []string{"-csv", good, "-columns", "a,0"}, []string{`names column 0 "a" twice`}, false},
		{"empty name", []string{"-csv", good, "-columns", "a,,b"}, []string{`-columns "a,,b" has an empty name`}, true},
		{"both column flags", []string{"-column", "a", "-columns", "a,b"}, []string{"-column and -columns are both given"}, true},
		{"unknown covariance", []string{"-columns", "all", "-covariance", "XYZ"}, []string{`unknown -covariance "XYZ"`,
			"EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV", "full (VVV), tied (EEE), diag (VVI), spherical (VII)", "or all"}, true},
		{"covariance for one column", []string{"-covariance", "VVV"}, []string{"-covariance is for several columns"}, true},
		{"covariance for one column found by all", []string{"-csv", one, "-columns", "all", "-covariance", "VVV"}, []string{"-covariance is for several columns"}, true},
		{"notebook prior", []string{"-columns", "all", "-prior", "notebook"}, []string{"-prior notebook is for one column"}, true},
		{"adam", []string{"-columns", "sepal_length,petal_length", "-method", "adam"}, []string{"several columns are fitted by EM"}, true},
		{"posterior of every model", []string{"-columns", "all", "-k", "2", "-posterior", "gibbs"}, []string{"needs one covariance model whose prior is conjugate", "-covariance full, tied, diag or spherical"}, true},
		{"posterior of VEV", []string{"-columns", "all", "-k", "2", "-covariance", "VEV", "-posterior", "gibbs"}, []string{"-covariance full, tied, diag or spherical"}, true},
		{"posterior without a prior", []string{"-columns", "all", "-k", "2", "-covariance", "full", "-prior", "none", "-posterior", "vb"}, []string{"-posterior needs a prior", "-prior default"}, true},
		{"posterior with a range", []string{"-k", "1:3", "-posterior", "gibbs"}, []string{"-posterior is for a fit with one K"}, true},
		{"range beyond the rows", []string{"-csv", good, "-columns", "a,b", "-k", "1:4"}, []string{"-k 1:4 reaches K = 4 but there are only 3 rows"}, false},
		{"bad range", []string{"-k", "4:2"}, []string{`invalid value "4:2" for flag -k`, "as 2:4"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			var stdout, stderr bytes.Buffer
			err := run(append([]string{"-out", out}, tc.args...), nil, &stdout, &stderr)
			if err == nil {
				t.Fatalf("no error; stdout:\n%s", stdout.String())
			}
			msg := message(err)
			if strings.Contains(msg, "\n") {
				t.Errorf("message %q is not one line", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			var ue usageError
			if errors.As(err, &ue) != tc.usage {
				t.Errorf("usage error %v, want %v", !tc.usage, tc.usage)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the output directory was created")
			}
		})
	}
}

// TestExitSeveral runs the built command on several columns: the exit
// status and the one line on standard error.
func TestExitSeveral(t *testing.T) {
	for _, tc := range []struct {
		args   string
		status int
		want   []string
	}{
		{"-columns all -covariance VVX", 2, []string{"gmm: unknown -covariance \"VVX\"", "VVV", "spherical (VII)"}},
		{"-columns petal,sepal_width", 1, []string{"gmm: the embedded iris data: unknown column \"petal\"; the columns are 0 \"sepal_length\""}},
		{"-k 3:1", 2, []string{"gmm: invalid value \"3:1\" for flag -k"}},
	} {
		t.Run(tc.args, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "GMM_TEST_MAIN=1", "GMM_TEST_ARGS="+tc.args+" -out "+t.TempDir())
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.status {
				t.Fatalf("exit: %v, want status %d", err, tc.status)
			}
			if strings.Count(stderr.String(), "\n") != 1 || stdout.Len() > 0 {
				t.Errorf("stderr %q, stdout %q; want one line on stderr", stderr.String(), stdout.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %q lacks %q", stderr.String(), w)
				}
			}
		})
	}
}

// TestRunSeveralStdin reads several columns without a header from standard
// input, and leaves out assignments.csv above the threshold, with a note.
func TestRunSeveralStdin(t *testing.T) {
	defer func(n int) { maxAssignments = n }(maxAssignments)
	maxAssignments = 50
	var b strings.Builder
	for i := range 80 {
		shift := 20.0 * float64(i%2)
		b.WriteString(strconv.FormatFloat(shift+float64(i%9)/3, 'f', -1, 64) + "\t" + strconv.FormatFloat(shift+float64(i%5)/2, 'f', -1, 64) + "\n")
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"-csv", "-", "-columns", "0,1", "-k", "1:3", "-covariance", "EEE,VVV", "-out", out}
	if err := run(args, strings.NewReader(b.String()), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"the first row of standard input holds only numbers",
		"gmm: note: assignments.csv is not written for 80 rows (more than 50)",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	for _, want := range []string{"for 80 rows of column 0, column 1 from standard input", "BIC EEE VVV"} {
		if !strings.Contains(stdout.String(), want) && !hasLine(stdout.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout.String())
		}
	}
	if _, err := os.Stat(filepath.Join(out, "assignments.csv")); !os.IsNotExist(err) {
		t.Errorf("assignments.csv written above the threshold")
	}
}

// closeRel reports whether a and b have the same length and agree to tol
// relative, element by element.
func closeRel(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i, v := range a {
		if !(math.Abs(v-b[i]) <= tol*math.Abs(b[i])) {
			return false
		}
	}
	return true
}
