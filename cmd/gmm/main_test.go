package main

import (
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
)

// The MAP of the notebook's model on the iris petal lengths, from
// DESIGN.md: found by BFGS from 200 random starts, and matching what the
// notebook printed to 4 decimals.
var (
	mapWeights = []float64{0.33315, 0.66685}
	mapMeans   = []float64{1.46179, 4.90484}
	mapSigmas  = []float64{0.17827, 0.81969}
	mapLoss    = 210.2063
)

// summary is model.json's fit summary.
type summary struct {
	Method    string  `json:"method"`
	Loss      float64 `json:"loss"`
	Converged bool    `json:"converged"`
	Steps     int     `json:"steps"`
	N         int     `json:"n"`
	Column    string  `json:"column"`
}

// checkMAP checks the model and summary in js against the reference MAP.
func checkMAP(t *testing.T, js []byte) *gmm.Model {
	t.Helper()
	var m gmm.Model
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatalf("reading the model: %v\n%s", err, js)
	}
	var s summary
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	if m.K != 2 || m.Prior != gmm.NotebookPrior() {
		t.Fatalf("model has K = %d and prior %+v, want 2 and the notebook's", m.K, m.Prior)
	}
	// 1e-3 on the parameters and 1e-2 on the loss: the reference values
	// carry 5 and 4 decimals, and these are the bars gmm's own tests use.
	for k := range 2 {
		if math.Abs(m.Weights[k]-mapWeights[k]) > 1e-3 || math.Abs(m.Means[k]-mapMeans[k]) > 1e-3 ||
			math.Abs(m.Sigmas[k]-mapSigmas[k]) > 1e-3 {
			t.Errorf("component %d: w %v μ %v σ %v, want %v %v %v", k,
				m.Weights[k], m.Means[k], m.Sigmas[k], mapWeights[k], mapMeans[k], mapSigmas[k])
		}
	}
	if math.Abs(s.Loss-mapLoss) > 1e-2 || !s.Converged || s.N != 150 || s.Column != "petal_length" || s.Steps < 1 {
		t.Errorf("summary %+v, want loss %v, converged, 150 values of petal_length", s, mapLoss)
	}
	return &m
}

func TestRunIris(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-out", out}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if stderr.Len() > 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
	text := stdout.String()
	for _, want := range []string{
		"Fitted K = 2 to 150 values of petal_length from the embedded iris data",
		"w ~ Dirichlet(1), μ ~ Normal(0, 10), σ ~ InverseGamma(1, 1)",
		"method: adam", "converged after",
		// The MAP is μ = 1.461794 and 4.904844, σ = 0.178274 and 0.819692
		// (EM at Tol 1e-14); Adam at the default Tol stops within about
		// 1e-5 of it, which can change the fifth decimal, so the means are
		// checked to three and four decimals and the first σ to five.
		"z=0  0.33315  1.461", "0.17827    50",
		"z=1  0.66685  4.9048",
		"final loss: 210.2063",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the table lacks %q:\n%s", want, text)
		}
	}

	js, err := os.ReadFile(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := checkMAP(t, js)

	for _, f := range []string{"data.png", "loss.png", "density.png", "clusters.png"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		// Every figure is 8 inches wide at 120 dots per inch.
		if w := img.Bounds().Dx(); w != 960 {
			t.Errorf("%s is %d pixels wide, want 960", f, w)
		}
	}

	// assignments.csv: each value, its cluster and its responsibilities;
	// on iris the MAP puts the 50 setosa flowers in cluster 0 and the
	// others in cluster 1 (DESIGN.md).
	f, err := os.Open(filepath.Join(out, "assignments.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "petal_length,cluster,p0,p1" {
		t.Errorf("header %q", got)
	}
	x, species := iris.PetalLength(), iris.Species()
	if len(rows) != 1+len(x) {
		t.Fatalf("%d rows, want %d", len(rows), 1+len(x))
	}
	z := m.Assign(x)
	for i, r := range rows[1:] {
		v, _ := strconv.ParseFloat(r[0], 64)
		c, _ := strconv.Atoi(r[1])
		p0, _ := strconv.ParseFloat(r[2], 64)
		p1, _ := strconv.ParseFloat(r[3], 64)
		if v != x[i] || c != z[i] || (c == 0) != (species[i] == "setosa") {
			t.Fatalf("row %d: %v, want value %v, cluster %d, species %s", i+1, r, x[i], z[i], species[i])
		}
		// Written to 6 significant digits, they sum to 1 within 1e-5.
		if math.Abs(p0+p1-1) > 1e-5 || (c == 0) != (p0 > p1) {
			t.Fatalf("row %d: responsibilities %v, %v for cluster %d", i+1, p0, p1, c)
		}
	}
}

func TestRunJSON(t *testing.T) {
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-json", "-method", "em", "-seed", "7", "-out", out, "-v"}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	checkMAP(t, stdout.Bytes())
	file, err := os.ReadFile(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, stdout.Bytes()) {
		t.Errorf("-json printed\n%s\nbut model.json holds\n%s", stdout.Bytes(), file)
	}
	var s summary
	if err := json.Unmarshal(file, &s); err != nil || s.Method != "em" {
		t.Errorf("method %q (%v), want em", s.Method, err)
	}
	// -v reports progress and timings on stderr, never on stdout.
	for _, want := range []string{"read 150 values of petal_length", "start 0, step 1: loss", "fitted in", "wrote 6 files"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestRunCSV(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.csv")
	// Two well-separated groups, in a file with a byte-order mark, spaces
	// and quotes, read by name and by index.
	var b strings.Builder
	b.WriteString("\ufeffid, \"speed (km/s)\"\n")
	for i := range 40 {
		v := 20000 + float64(i%8)
		if i%2 == 1 {
			v += 500
		}
		b.WriteString(strconv.Itoa(i) + ", " + strconv.FormatFloat(v, 'f', -1, 64) + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"-csv", path, "-column", "speed (km/s)", "-prior", "default", "-method", "em", "-out", filepath.Join(dir, "out")}
	if err := run(args, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	text := stdout.String()
	if !strings.Contains(text, "40 values of speed (km/s) from "+path) || strings.Count(text, "    20\n") != 2 {
		t.Errorf("want two clusters of 20 values of speed (km/s):\n%s", text)
	}
}

func TestPick(t *testing.T) {
	header := []string{"a", "2", "c"}
	for _, tc := range []struct {
		column string
		want   int
		err    string
	}{
		{"a", 0, ""},
		{"c", 2, ""},
		{"2", 1, ""}, // a name wins over an index
		{"0", 0, ""},
		{"3", 0, "column index 3 is out of range"},
		{"-1", 0, "column index -1 is out of range"},
		{"b", 0, `unknown column "b"; the columns are 0 "a", 1 "2", 2 "c"`},
		{"", 0, "there are 3 columns"},
	} {
		got, err := pick(header, tc.column)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("pick(%q): error %v, want %q", tc.column, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("pick(%q) = %d, %v; want %d", tc.column, got, err, tc.want)
		}
	}
	if got, err := pick([]string{"only"}, ""); got != 0 || err != nil {
		t.Errorf("pick of the only column: %d, %v", got, err)
	}
}

func TestRunHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-h"}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage: gmm", "-csv FILE", "(- for standard input)", "-sep S", "-strict", "-assignments", "-method", "-prior", "default for a -csv file", "-json", "-posterior P", "gibbs", "vb", "-draws N", "-warmup N", "-tol X", "default: 1e-10 for one column, 1e-9 for several"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := file("good.csv", "a,b\n1,2\n3,4\n")
	for _, tc := range []struct {
		name  string
		args  []string
		want  []string // parts of the message
		usage bool     // a mistake in the flags: exit status 2
	}{
		{"missing file", []string{"-csv", filepath.Join(dir, "nope.csv")}, []string{"cannot read the data", "nope.csv", "no such file"}, false},
		{"non-numeric cell", []string{"-csv", file("text.csv", "a,b\n1,2\n3,x7\n5,6\n"), "-column", "b"}, []string{"line 3", `column "b"`, `"x7" is not a number`}, false},
		{"non-numeric iris column", []string{"-column", "species"}, []string{"the embedded iris data", "line 2", `column "species"`, `"setosa" is not a number`}, false},
		{"NaN cell, strict", []string{"-csv", file("nan.csv", "v\n1\nNaN\n"), "-column", "v", "-strict"}, []string{"line 3", `"NaN" is a missing value`, "without -strict"}, false},
		{"Inf cell", []string{"-csv", file("inf.csv", "v\n1\nInf\n"), "-column", "v"}, []string{"line 3", `"Inf" is not a finite number`}, false},
		{"overflowing cell", []string{"-csv", file("big.csv", "v\n1e999\n")}, []string{"line 2", `"1e999" is not a finite number`}, false},
		{"empty cell, strict", []string{"-csv", file("hole.csv", "a,b\n1,2\n3,\n"), "-column", "b", "-strict"}, []string{"line 3", `column "b"`, "the cell is empty"}, false},
		{"only missing values", []string{"-csv", file("holes.csv", "a,b\n1,\n3,NA\n"), "-column", "b"}, []string{`column "b" has no values: all 2 of its cells are missing values`}, false},
		{"thousands separator", []string{"-csv", file("thousands.csv", "v\n1_000\n")}, []string{`"1_000" is not a number (write numbers without thousands separators`}, false},
		{"UTF-16", []string{"-csv", file("utf16.csv", "\xff\xfev\x00\n\x001\x00\n\x00")}, []string{"is UTF-16 text", "save it as UTF-8"}, false},
		{"bad -sep", []string{"-csv", good, "-sep", "::"}, []string{`-sep "::" is not a separator`}, true},
		{"-sep for iris", []string{"-sep", ";"}, []string{"-sep is for a -csv file"}, true},
		{"-strict for iris", []string{"-strict"}, []string{"-strict is for a -csv file"}, true},
		{"quoted newline", []string{"-csv", file("nl.csv", "v\n1\n\"2\n3\"\n")}, []string{"line 3", `"2\n3" is not a number`}, false},
		{"unknown column", []string{"-csv", good, "-column", "c"}, []string{`unknown column "c"`, `0 "a", 1 "b"`}, false},
		{"unknown iris column", []string{"-column", "petal"}, []string{`unknown column "petal"`, `2 "petal_length"`}, false},
		{"column index out of range", []string{"-csv", good, "-column", "2"}, []string{"column index 2 is out of range", "2 columns"}, false},
		{"column not chosen", []string{"-csv", good}, []string{"there are 2 columns", "-column"}, false},
		{"empty column", []string{"-csv", file("header.csv", "a,b\n"), "-column", "a"}, []string{`column "a" has no values`}, false},
		{"empty file", []string{"-csv", file("empty.csv", "")}, []string{"is empty", "header row"}, false},
		{"ragged row", []string{"-csv", file("ragged.csv", "a,b\n1,2\n3\n"), "-column", "a"}, []string{"line 3 has 1 cells but the first row has 2"}, false},
		{"bad quote", []string{"-csv", file("quote.csv", "a\n1\"2\n")}, []string{"quote.csv", "line 2"}, false},
		{"K zero", []string{"-k", "0"}, []string{"-k is 0", "at least 1"}, true},
		{"K negative", []string{"-k", "-3"}, []string{"-k is -3"}, true},
		{"K not a number", []string{"-k", "two"}, []string{`invalid value "two" for flag -k`}, true},
		{"unknown method", []string{"-method", "gibbs"}, []string{`unknown -method "gibbs"`, "adam or em"}, true},
		{"unknown prior", []string{"-prior", "flat"}, []string{`unknown -prior "flat"`, "notebook, default or none"}, true},
		{"unknown flag", []string{"-frobnicate"}, []string{"flag provided but not defined: -frobnicate", "gmm -h"}, true},
		{"stray argument", []string{"data.csv"}, []string{`unexpected argument "data.csv"`, "-csv FILE"}, true},
		{"empty out", []string{"-out", ""}, []string{"-out is empty"}, true},
		{"tol not a number", []string{"-tol", "tight"}, []string{`-tol "tight" is not a number`, "such as 1e-4", "default: 1e-10 for one column, 1e-9 for several"}, true},
		{"tol empty", []string{"-tol", ""}, []string{`-tol "" is not a number`}, true},
		{"tol NaN", []string{"-tol", "NaN"}, []string{"-tol is NaN", "positive tolerance below 1"}, true},
		{"tol Inf", []string{"-tol", "Inf"}, []string{"-tol is Inf", "positive tolerance below 1"}, true},
		{"tol overflowing", []string{"-tol", "1e999"}, []string{`-tol "1e999" is beyond the range of float64`}, true},
		{"tol zero", []string{"-tol", "0"}, []string{"-tol is 0", "positive tolerance below 1"}, true},
		{"tol underflowing", []string{"-tol", "1e-400"}, []string{"-tol is 1e-400, which is 0 as a float64", "positive tolerance below 1"}, true},
		{"tol negative", []string{"-tol", "-3"}, []string{"-tol is -3", "positive tolerance below 1, such as 1e-4"}, true},
		{"tol one", []string{"-tol", "1"}, []string{"-tol is 1", "below 1"}, true},
		{"tol above one", []string{"-tol", "10"}, []string{"-tol is 10", "below 1"}, true},
		{"tol negative, several columns", []string{"-columns", "all", "-tol", "-1e-4"}, []string{"-tol is -1e-4"}, true},
		{"more components than values", []string{"-k", "151"}, []string{"-k is 151 but there are only 150 values"}, false},
		{"too many components", []string{"-csv", file("two.csv", "v\n1\n2\n2\n"), "-k", "3", "-prior", "none"}, []string{"2 distinct values, fewer than K = 3"}, false},
		{"posterior without a prior", []string{"-posterior", "gibbs", "-prior", "none"}, []string{"the posterior needs a prior", "improper", "use -prior notebook or -prior default"}, false},
		{"vb without a prior", []string{"-posterior", "vb", "-prior", "none"}, []string{"the posterior needs a prior"}, false},
		{"unknown posterior", []string{"-posterior", "nuts"}, []string{`unknown -posterior "nuts"`, "gibbs or vb"}, true},
		{"posterior in capitals", []string{"-posterior", "Gibbs"}, []string{`unknown -posterior "Gibbs"`, "gibbs or vb"}, true},
		{"draws without posterior", []string{"-draws", "100"}, []string{"-draws is for the posterior", "-posterior gibbs"}, true},
		{"warmup without posterior", []string{"-warmup", "100"}, []string{"-warmup is for the posterior"}, true},
		{"too few draws", []string{"-posterior", "gibbs", "-draws", "9"}, []string{"-draws is 9", "at least 10"}, true},
		{"negative draws", []string{"-posterior", "vb", "-draws", "-1"}, []string{"-draws is -1"}, true},
		{"no warmup", []string{"-posterior", "gibbs", "-warmup", "0"}, []string{"-warmup is 0", "at least 1"}, true},
		{"warmup for vb", []string{"-posterior", "vb", "-warmup", "10"}, []string{"vb has no warm-up"}, true},
		{"too many draws", []string{"-posterior", "gibbs", "-draws", "2000000000"}, []string{"too many to hold", "fewer draws"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			var stdout, stderr bytes.Buffer
			err := run(append([]string{"-out", out}, tc.args...), nil, &stdout, &stderr)
			if err == nil {
				t.Fatalf("no error; stdout:\n%s", stdout.String())
			}
			msg := message(err)
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "gmm: ") || strings.HasPrefix(msg, "gmm: gmm:") {
				t.Errorf("message %q is not one line starting with a single \"gmm: \"", msg)
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
			if stdout.Len() > 0 || stderr.Len() > 0 {
				t.Errorf("printed %q and %q besides the error", stdout.String(), stderr.String())
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the output directory was created")
			}
		})
	}
}

// TestMain lets TestExit run main in a child process.
func TestMain(m *testing.M) {
	if os.Getenv("GMM_TEST_MAIN") == "1" {
		os.Args = append([]string{"gmm"}, strings.Fields(os.Getenv("GMM_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestExit(t *testing.T) {
	for _, tc := range []struct {
		args   string
		status int
		want   string
		stdin  string
	}{
		{"-csv /nonexistent/file.csv", 1, "gmm: cannot read the data: open /nonexistent/file.csv: no such file or directory\n", ""},
		{"-k 0", 2, "gmm: -k is 0; the number of components must be at least 1\n", ""},
		{"-column species", 1, "gmm: the embedded iris data: line 2, column \"species\": \"setosa\" is not a number\n", ""},
		{"-posterior nuts", 2, "gmm: unknown -posterior \"nuts\"; use gibbs or vb\n", ""},
		{"-tol -3", 2, "gmm: -tol is -3; give a positive tolerance below 1, such as 1e-4 (default: 1e-10 for one column, 1e-9 for several)\n", ""},
		{"-posterior gibbs -prior none", 1, "gmm: the posterior needs a prior: with the zero Prior it is improper; set Model.Prior, for example to DefaultPrior(x) or NotebookPrior() (use -prior notebook or -prior default)\n", ""},
		{"-csv -", 1, "gmm: standard input: line 3, column \"v\": \"1_000\" is not a number (write numbers without thousands separators, and with a point, not a comma, before the decimals)\n", "v\n1\n1_000\n"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "GMM_TEST_MAIN=1", "GMM_TEST_ARGS="+tc.args)
			var stdout, stderr bytes.Buffer
			cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(tc.stdin), &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.status {
				t.Fatalf("exit: %v, want status %d", err, tc.status)
			}
			if stderr.String() != tc.want || stdout.Len() > 0 {
				t.Errorf("stderr %q, stdout %q; want stderr %q and nothing on stdout", stderr.String(), stdout.String(), tc.want)
			}
		})
	}
}

func TestFitNotes(t *testing.T) {
	two := &gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{0, 5}, Sigmas: []float64{1, 1e-4}}
	three := &gmm.Model{K: 3, Weights: []float64{0.5, 0.25, 0.25}, Means: []float64{0, 5, 9}, Sigmas: []float64{1, 1, 1}}
	for _, tc := range []struct {
		name string
		m    *gmm.Model
		x    []float64
		z    []int
		want []string // parts of the notes, in order; none for no notes
	}{
		{"nothing to say", three, []float64{-1, 1, 5, 9}, []int{0, 0, 1, 2}, nil},
		{"one empty", three, []float64{-1, 1, 5}, []int{0, 0, 1}, []string{"z=2 holds no values"}},
		{"two empty", three, []float64{-1, 1}, []int{0, 0}, []string{"z=1, z=2 hold no values"}},
		{"a spike on equal values", two, []float64{-1, 1, 5, 5, 5}, []int{0, 0, 1, 1, 1}, []string{"z=1 sits on 3 equal values (5)"}},
		// σ 1e-4 against a range of 6 is narrow, but the values differ.
		{"narrow but not equal", two, []float64{-1, 1, 5, 5.00001}, []int{0, 0, 1, 1}, nil},
	} {
		notes := fitNotes(tc.m, tc.x, classify(tc.m, tc.x))
		if len(notes) != len(tc.want) {
			t.Errorf("%s: notes %q, want %d", tc.name, notes, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(notes[i], w) {
				t.Errorf("%s: note %q lacks %q", tc.name, notes[i], w)
			}
		}
	}
}

// speedsCSV writes 1000 speeds in two groups around 20,000 and 20,500
// km/s, the example of a file far from the notebook's prior.
func speedsCSV(t *testing.T, dir string) string {
	t.Helper()
	gen := &gmm.Model{K: 2, Weights: []float64{0.5, 0.5}, Means: []float64{20000, 20500}, Sigmas: []float64{60, 80}}
	x, _, err := gen.Sample(1000, 3)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("speed\n")
	for _, v := range x {
		b.WriteString(strconv.FormatFloat(v, 'f', 2, 64) + "\n")
	}
	p := filepath.Join(dir, "speeds.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// warningsOf returns the "warnings" of a model.json.
func warningsOf(t *testing.T, js []byte) []string {
	t.Helper()
	var s struct {
		Warnings  *[]string `json:"warnings"`
		PriorName string    `json:"prior_name"`
	}
	if err := json.Unmarshal(js, &s); err != nil || s.Warnings == nil {
		t.Fatalf("no warnings array (%v) in\n%s", err, js)
	}
	return *s.Warnings
}

func TestRunPriorChoice(t *testing.T) {
	dir := t.TempDir()
	speeds := speedsCSV(t, dir)
	for _, tc := range []struct {
		name  string
		args  []string
		prior string // in the table
		warn  bool
	}{
		{"iris keeps the notebook's prior", nil, "prior:  notebook (the notebook's, for its iris data): w ~ Dirichlet(1), μ ~ Normal(0, 10)", false},
		{"a file gets the default prior", []string{"-csv", speeds}, "prior:  default (scaled to the data, for a -csv file): w ~ Dirichlet(1), μ ~ Normal(20", false},
		{"the notebook's prior on speeds warns", []string{"-csv", speeds, "-prior", "notebook"}, "prior:  notebook: w ~ Dirichlet(1), μ ~ Normal(0, 10)", true},
		{"as the warning advises", []string{"-csv", speeds, "-prior", "default"}, "prior:  default: w ~", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, js := range []bool{false, true} {
				out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
				args := append([]string{"-out", out, "-method", "em"}, tc.args...)
				if js {
					args = append(args, "-json")
				}
				var stdout, stderr bytes.Buffer
				if err := run(args, nil, &stdout, &stderr); err != nil {
					t.Fatal(err)
				}
				if !js && !strings.Contains(stdout.String(), tc.prior) {
					t.Errorf("the table lacks %q:\n%s", tc.prior, stdout.String())
				}
				file, err := os.ReadFile(filepath.Join(out, "model.json"))
				if err != nil {
					t.Fatal(err)
				}
				w := warningsOf(t, file)
				if js {
					if !slices.Equal(warningsOf(t, stdout.Bytes()), w) {
						t.Errorf("-json and model.json differ")
					}
				}
				if got := strings.Count(stderr.String(), "gmm: warning: "); got != len(w) || (got > 0) != tc.warn {
					t.Errorf("%d warnings on stderr, %d in model.json, want some: %v\n%s", got, len(w), tc.warn, stderr.String())
				}
				for _, m := range w {
					if !strings.Contains(stderr.String(), m) || !strings.Contains(m, "-prior default") || strings.Contains(m, "DefaultPrior") {
						t.Errorf("warning %q: not on stderr, or without the flag to use", m)
					}
				}
			}
		})
	}
}

func TestRunCSVForms(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "%d;%g\n", i, 20000+float64(i%8)+500*float64(i%2))
	}
	semi := b.String()
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		table  []string // parts of the table
		stderr []string // parts of standard error
		n      int
	}{
		{"semicolons without a header", []string{"-csv", file("semi.csv", semi), "-column", "1"}, "",
			[]string{"40 values of column 1 from"}, []string{"gmm: note: the first row of", "holds only numbers, so it is read as data"}, 40},
		{"standard input", []string{"-csv", "-", "-column", "1"}, semi,
			[]string{"40 values of column 1 from standard input"}, []string{"the first row of standard input holds only numbers"}, 40},
		{"tabs with missing values", []string{"-csv", file("tabs.tsv", "id\tv\n1\t2.5\n2\tNA\n3\t\n4\t7\n5\t2.25\n6\t7.5\n"), "-column", "v", "-k", "2"}, "",
			[]string{"4 values of v from"}, []string{"gmm: note: skipped 2 rows of", "whose v is a missing value", "the first on line 3", "-strict"}, 4},
		{"-sep", []string{"-csv", file("pipes.csv", "a|b\n1|2\n3|4\n5|6\n"), "-sep", "|", "-column", "b"}, "",
			[]string{"3 values of b from"}, nil, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			var stdout, stderr bytes.Buffer
			if err := run(append([]string{"-out", out, "-method", "em"}, tc.args...), strings.NewReader(tc.stdin), &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.table {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("the table lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if tc.stderr == nil && stderr.Len() > 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			js, err := os.ReadFile(filepath.Join(out, "model.json"))
			if err != nil {
				t.Fatal(err)
			}
			var s summary
			if err := json.Unmarshal(js, &s); err != nil || s.N != tc.n {
				t.Errorf("model.json has n = %d (%v), want %d", s.N, err, tc.n)
			}
		})
	}
}

func TestRunAssignments(t *testing.T) {
	dir := t.TempDir()
	defer func(n int) { maxAssignments = n }(maxAssignments)
	maxAssignments = 100 // iris has 150 values
	for _, tc := range []struct {
		name  string
		args  []string
		write bool
		note  bool
	}{
		{"above the threshold", nil, false, true},
		{"asked for", []string{"-assignments"}, true, false},
		{"refused", []string{"-assignments=false"}, false, false},
	} {
		out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
		var stdout, stderr bytes.Buffer
		if err := run(append([]string{"-out", out}, tc.args...), nil, &stdout, &stderr); err != nil {
			t.Fatal(err)
		}
		_, err := os.Stat(filepath.Join(out, "assignments.csv"))
		if (err == nil) != tc.write || strings.Contains(stdout.String(), "assignments.csv") != tc.write {
			t.Errorf("%s: assignments.csv written: %v, want %v\n%s", tc.name, err == nil, tc.write, stdout.String())
		}
		note := strings.Contains(stderr.String(), "gmm: note: assignments.csv is not written for 150 values (more than 100)")
		if note != tc.note {
			t.Errorf("%s: note %v, want %v: %q", tc.name, note, tc.note, stderr.String())
		}
	}
}
