package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
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
	if err := run([]string{"-out", out}, &stdout, &stderr); err != nil {
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
		"z=0  0.33315  1.46179  0.17827    50",
		"z=1  0.66685  4.90484  0.81969   100",
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
	if err := run([]string{"-json", "-method", "em", "-seed", "7", "-out", out, "-v"}, &stdout, &stderr); err != nil {
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
	if err := run(args, &stdout, &stderr); err != nil {
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
	if err := run([]string{"-h"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage: gmm", "-csv FILE", "-method", "-prior", "-json", "-posterior P", "gibbs", "vb", "-draws N", "-warmup N"} {
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
		{"NaN cell", []string{"-csv", file("nan.csv", "v\n1\nNaN\n"), "-column", "v"}, []string{"line 3", `"NaN" is not a finite number`}, false},
		{"overflowing cell", []string{"-csv", file("big.csv", "v\n1e999\n")}, []string{"line 2", `"1e999" is not a finite number`}, false},
		{"empty cell", []string{"-csv", file("hole.csv", "a,b\n1,2\n3,\n"), "-column", "b"}, []string{"line 3", `column "b"`, "the cell is empty"}, false},
		{"quoted newline", []string{"-csv", file("nl.csv", "v\n1\n\"2\n3\"\n")}, []string{"line 3", `"2\n3" is not a number`}, false},
		{"unknown column", []string{"-csv", good, "-column", "c"}, []string{`unknown column "c"`, `0 "a", 1 "b"`}, false},
		{"unknown iris column", []string{"-column", "petal"}, []string{`unknown column "petal"`, `2 "petal_length"`}, false},
		{"column index out of range", []string{"-csv", good, "-column", "2"}, []string{"column index 2 is out of range", "2 columns"}, false},
		{"column not chosen", []string{"-csv", good}, []string{"there are 2 columns", "-column"}, false},
		{"empty column", []string{"-csv", file("header.csv", "a,b\n"), "-column", "a"}, []string{`column "a" has no values`}, false},
		{"empty file", []string{"-csv", file("empty.csv", "")}, []string{"is empty", "header row"}, false},
		{"ragged row", []string{"-csv", file("ragged.csv", "a,b\n1,2\n3\n"), "-column", "a"}, []string{"line 3 has 1 cells but the header has 2"}, false},
		{"bad quote", []string{"-csv", file("quote.csv", "a\n1\"2\n")}, []string{"quote.csv", "line 2"}, false},
		{"K zero", []string{"-k", "0"}, []string{"-k is 0", "at least 1"}, true},
		{"K negative", []string{"-k", "-3"}, []string{"-k is -3"}, true},
		{"K not a number", []string{"-k", "two"}, []string{`invalid value "two" for flag -k`}, true},
		{"unknown method", []string{"-method", "gibbs"}, []string{`unknown -method "gibbs"`, "adam or em"}, true},
		{"unknown prior", []string{"-prior", "flat"}, []string{`unknown -prior "flat"`, "notebook, default or none"}, true},
		{"unknown flag", []string{"-frobnicate"}, []string{"flag provided but not defined: -frobnicate", "gmm -h"}, true},
		{"stray argument", []string{"data.csv"}, []string{`unexpected argument "data.csv"`, "-csv FILE"}, true},
		{"empty out", []string{"-out", ""}, []string{"-out is empty"}, true},
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
			err := run(append([]string{"-out", out}, tc.args...), &stdout, &stderr)
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
	}{
		{"-csv /nonexistent/file.csv", 1, "gmm: cannot read the data: open /nonexistent/file.csv: no such file or directory\n"},
		{"-k 0", 2, "gmm: -k is 0; the number of components must be at least 1\n"},
		{"-column species", 1, "gmm: the embedded iris data: line 2, column \"species\": \"setosa\" is not a number\n"},
		{"-posterior nuts", 2, "gmm: unknown -posterior \"nuts\"; use gibbs or vb\n"},
		{"-posterior gibbs -prior none", 1, "gmm: the posterior needs a prior: with the zero Prior it is improper; set Model.Prior, for example to DefaultPrior(x) or NotebookPrior() (use -prior notebook or -prior default)\n"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "GMM_TEST_MAIN=1", "GMM_TEST_ARGS="+tc.args)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
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

func TestPriorNote(t *testing.T) {
	for _, tc := range []struct {
		name  string
		prior gmm.Prior
		x     []float64
		note  bool
	}{
		{"iris, notebook prior", gmm.NotebookPrior(), iris.PetalLength(), false},
		{"km/s, notebook prior", gmm.NotebookPrior(), []float64{20000, 20500}, true},
		{"km/s, default prior", gmm.DefaultPrior([]float64{20000, 20500}), []float64{20000, 20500}, false},
		{"km/s, no prior", gmm.Prior{}, []float64{20000, 20500}, false},
		// The mean, 50, is exactly five prior standard deviations away.
		{"at the edge", gmm.NotebookPrior(), []float64{40, 60}, false},
		{"just past the edge", gmm.NotebookPrior(), []float64{40, 60.1}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			note := priorNote(tc.prior, tc.x)
			if (note != "") != tc.note {
				t.Errorf("note %q, want one: %v", note, tc.note)
			}
			if note != "" && !strings.Contains(note, "-prior default") {
				t.Errorf("note %q does not say what to do", note)
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
		size := make([]int, tc.m.K)
		for _, k := range tc.z {
			size[k]++
		}
		notes := fitNotes(tc.m, tc.x, tc.z, size)
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

func FuzzReadColumn(f *testing.F) {
	f.Add([]byte(iris.CSV()), "petal_length")
	f.Add([]byte(iris.CSV()), "3")
	f.Add([]byte("v\n1\n2\n"), "")
	f.Add([]byte("\ufeffa, \"b c\"\n1, 2\n3,4\n"), "b c")
	f.Add([]byte("a,b\n1,2\n3\n"), "a")
	f.Add([]byte("a\n1\"2\n"), "a")
	f.Add([]byte("v\n\"1\n2\"\n"), "v")
	f.Add([]byte("v\nNaN\n-Inf\n0x1p-3\n1e999\n"), "v")
	f.Add([]byte(""), "")
	f.Add([]byte("a,a\n1,2\n"), "a")
	f.Fuzz(func(t *testing.T, data []byte, column string) {
		x, name, err := readColumn(bytes.NewReader(data), "input", column)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		if len(x) == 0 {
			t.Fatal("no error and no values")
		}
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("x[%d] = %v accepted", i, v)
			}
		}
		// Written back as a one-column file, the values read back the
		// same. An empty name would make an empty header line, which CSV
		// skips, and a leading byte-order mark is stripped on reading.
		if name == "" || strings.HasPrefix(name, "\ufeff") {
			return
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{name})
		for _, v := range x {
			w.Write([]string{strconv.FormatFloat(v, 'g', -1, 64)})
		}
		w.Flush()
		y, name2, err := readColumn(&buf, "copy", "")
		if err != nil {
			t.Fatalf("reading back %q: %v", buf.String(), err)
		}
		if name2 != name || len(y) != len(x) {
			t.Fatalf("read back %d values of %q, wrote %d of %q", len(y), name2, len(x), name)
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				t.Fatalf("value %d read back as %v, wrote %v", i, y[i], x[i])
			}
		}
	})
}
