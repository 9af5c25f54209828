package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// posteriorJSON is the "posterior" object of model.json.
type posteriorJSON struct {
	Method   string `json:"method"`
	Seed     uint64 `json:"seed"`
	Chains   int    `json:"chains"`
	Draws    int    `json:"draws"`
	Warmup   *int   `json:"warmup"`
	Mean     triple `json:"mean"`
	SD       triple `json:"sd"`
	RHat     triple `json:"rhat"`
	ESS      triple `json:"ess"`
	Interval struct {
		Level  float64 `json:"level"`
		Lo, Hi triple
	} `json:"interval"`
	Warnings []string `json:"warnings"`
}

type triple struct {
	Weights []float64 `json:"weights"`
	Means   []float64 `json:"means"`
	Sigmas  []float64 `json:"sigmas"`
}

func (t triple) get(j, k int) float64 { return [][]float64{t.Weights, t.Means, t.Sigmas}[j][k] }

// readPosterior reads the posterior object of a model.json.
func readPosterior(t *testing.T, js []byte) *posteriorJSON {
	t.Helper()
	var f struct {
		Posterior *posteriorJSON `json:"posterior"`
	}
	if err := json.Unmarshal(js, &f); err != nil {
		t.Fatalf("reading the posterior: %v\n%s", err, js)
	}
	if f.Posterior == nil {
		t.Fatalf("no posterior object in\n%s", js)
	}
	return f.Posterior
}

var paramNames = []string{"weight", "mean", "sigma"}

// checkIris checks the posterior of the notebook's model on iris against
// the MAP of DESIGN.md.
func checkIris(t *testing.T, p *posteriorJSON) {
	t.Helper()
	maps := [][]float64{mapWeights, mapMeans, mapSigmas}
	for j, name := range paramNames {
		for k := range 2 {
			mean, sd := p.Mean.get(j, k), p.SD.get(j, k)
			lo, hi := p.Interval.Lo.get(j, k), p.Interval.Hi.get(j, k)
			// The posterior mean and the mode (the MAP) differ by O(1/n)
			// and the posterior sd is O(1/√n). The gap is largest for
			// σ_k: with σ_k² | rest about InverseGamma(N/2, S/2),
			// N = n_k + a0, the mean of σ_k exceeds the mode
			// √(S/(N+1)) by about 5/(4N) of σ_k, and its sd is
			// σ_k/√(2N), so the gap is 1.77/√N sd: 0.25 sd for the 50
			// setosa flowers, 0.18 for the other 100. For w and μ the
			// conditionals are nearly symmetric and the gap is a few
			// hundredths of an sd. Half an sd is twice the largest; the
			// gaps measured for σ_0 are 0.31 sd (Gibbs) and 0.37 (VB),
			// the b0/σ term of the prior adding to the estimate, and
			// the Monte Carlo error is sd/√ESS ≈ 0.02 sd.
			if d := math.Abs(mean - maps[j][k]); !(d <= 0.5*sd) {
				t.Errorf("%s %d: posterior mean %v is %.2f sd from the MAP %v", name, k, mean, d/sd, maps[j][k])
			}
			if !(lo < mean && mean < hi) {
				t.Errorf("%s %d: the 90%% interval [%v, %v] leaves out the mean %v", name, k, lo, hi, mean)
			}
			// The library warns beyond these, and it did not.
			if r, e := p.RHat.get(j, k), p.ESS.get(j, k); !(r <= 1.01 && e >= 400) {
				t.Errorf("%s %d: R̂ %v, ESS %v", name, k, r, e)
			}
		}
	}
	if p.Interval.Level != 0.9 || p.Chains != 4 || p.Draws != 1000 || len(p.Warnings) != 0 {
		t.Errorf("level %v, %d chains of %d draws, warnings %q; want 0.9, 4 of 1000, none",
			p.Interval.Level, p.Chains, p.Draws, p.Warnings)
	}
}

// posteriorTable parses the posterior table in text: for each row, the
// posterior mean, sd, interval, R̂ and ESS as printed.
func posteriorTable(t *testing.T, text string) [][]float64 {
	t.Helper()
	lines := strings.Split(text, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "  component  parameter  posterior mean") && strings.HasSuffix(l, "90% interval      R̂  bulk ESS") {
			start = i + 1
		}
	}
	if start < 0 {
		t.Fatalf("no posterior table in\n%s", text)
	}
	var rows [][]float64
	for i, l := range lines[start:] {
		if l == "" {
			break
		}
		f := strings.Fields(strings.NewReplacer("[", "", "]", "", ",", "").Replace(l))
		if i%3 == 0 {
			if len(f) == 0 || f[0] != strconv.Itoa(i/3) {
				t.Fatalf("row %d: %q does not start component %d", i, l, i/3)
			}
			f = f[1:]
		}
		if len(f) != 7 || f[0] != paramNames[i%3] {
			t.Fatalf("row %d: %q, want %s and 6 numbers", i, l, paramNames[i%3])
		}
		var r []float64
		for _, c := range f[1:] {
			v, err := strconv.ParseFloat(c, 64)
			if err != nil {
				t.Fatalf("row %d: %v", i, err)
			}
			r = append(r, v)
		}
		rows = append(rows, r)
	}
	return rows
}

func TestRunPosterior(t *testing.T) {
	for _, tc := range []struct {
		method, header string
	}{
		{"gibbs", "Posterior by Gibbs sampling, seed 0: 4 chains of 1000 draws, each after 1000 warm-up sweeps."},
		{"vb", "Posterior by variational Bayes (mean-field), seed 0: the best of 4 starts, 4000 independent draws from it."},
	} {
		t.Run(tc.method, func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			if err := run([]string{"-posterior", tc.method, "-out", out}, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr: %q", stderr.String())
			}
			text := stdout.String()
			for _, want := range []string{
				"z=0  0.33315  1.46179  0.17827    50", // the MAP table is still there
				"final loss: 210.2063",
				tc.header,
				"The same prior and K; components in order of their posterior mean of μ.",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("the output lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "warning") {
				t.Errorf("warnings on iris:\n%s", text)
			}

			js, err := os.ReadFile(filepath.Join(out, "model.json"))
			if err != nil {
				t.Fatal(err)
			}
			checkMAP(t, js)
			p := readPosterior(t, js)
			if p.Method != tc.method {
				t.Errorf("method %q, want %q", p.Method, tc.method)
			}
			checkIris(t, p)
			// No warnings is an empty list, not null; Gibbs records its
			// warm-up and VB, which has none, does not.
			if !bytes.Contains(js, []byte(`"warnings": []`)) || (p.Warmup != nil) != (tc.method == "gibbs") {
				t.Errorf("warnings or warmup wrong in\n%s", js)
			}
			if p.Warmup != nil && *p.Warmup != 1000 {
				t.Errorf("warmup %d, want 1000", *p.Warmup)
			}

			// The table prints what model.json holds, rounded to a
			// tenth of the spread (hi − lo)/3.29 or finer: within half
			// of that. R̂ has 3 decimals and ESS none.
			rows := posteriorTable(t, text)
			if len(rows) != 6 {
				t.Fatalf("%d rows in the posterior table, want 6", len(rows))
			}
			for i, r := range rows {
				j, k := i%3, i/3
				lo, hi := p.Interval.Lo.get(j, k), p.Interval.Hi.get(j, k)
				tol := (hi - lo) / 3.29 / 20
				for c, want := range []float64{p.Mean.get(j, k), p.SD.get(j, k), lo, hi, p.RHat.get(j, k), p.ESS.get(j, k)} {
					tl := tol
					switch c {
					case 1: // the sd, to 2 significant digits
						tl = 0.05 * want
					case 4:
						tl = 0.0005
					case 5:
						tl = 0.5
					}
					if math.Abs(r[c]-want) > tl*(1+1e-9) {
						t.Errorf("%s %d, column %d: the table has %v, model.json %v", paramNames[j], k, c, r[c], want)
					}
				}
			}
			if !strings.Contains(text, "\n\nwrote "+out+": data.png, loss.png, density.png, clusters.png, model.json, assignments.csv\n") {
				t.Errorf("the output does not end with the files written:\n%s", text)
			}

			// The density figure, with its band, decodes.
			b, err := os.ReadFile(filepath.Join(out, "density.png"))
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 960 || h != 600 {
				t.Errorf("density.png is %d×%d, want 960×600", w, h)
			}
		})
	}
}

func TestRunPosteriorWarnings(t *testing.T) {
	// 20 draws from each of 4 chains cannot give a bulk ESS of 400. The
	// warnings are printed after the table, and on stderr only with -v.
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-posterior", "gibbs", "-draws", "20", "-warmup", "50", "-out", out}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	text := stdout.String()
	for _, want := range []string{"4 chains of 20 draws, each after 50 warm-up sweeps", "\nwarning: ", "bulk ESS is", "(-draws N and -warmup N run each chain longer)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Every R̂ is at most 1.01") || stderr.Len() > 0 {
		t.Errorf("warned and said all is well, or wrote to stderr %q:\n%s", stderr.String(), text)
	}
	js, err := os.ReadFile(filepath.Join(out, "model.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := readPosterior(t, js)
	if len(p.Warnings) == 0 || p.Draws != 20 || p.Warmup == nil || *p.Warmup != 50 {
		t.Errorf("model.json: %d draws, warmup %v, warnings %q", p.Draws, p.Warmup, p.Warnings)
	}
	for _, w := range p.Warnings {
		if !strings.Contains(text, "warning: "+w+"\n") {
			t.Errorf("the table lacks the warning %q", w)
		}
	}
}

func TestRunPosteriorJSON(t *testing.T) {
	// VB's 4 × 20 independent draws cannot give a bulk ESS of 400 either.
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-json", "-v", "-posterior", "vb", "-seed", "3", "-draws", "20", "-out", out}, &stdout, &stderr); err != nil {
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
	p := readPosterior(t, stdout.Bytes())
	if p.Method != "vb" || p.Seed != 3 || p.Chains != 4 || p.Draws != 20 || p.Warmup != nil || p.Interval.Level != 0.9 {
		t.Errorf("method %q, seed %d, %d chains of %d draws, warmup %v, level %v; want vb, 3, 4 of 20, none, 0.9",
			p.Method, p.Seed, p.Chains, p.Draws, p.Warmup, p.Interval.Level)
	}
	for _, tr := range []triple{p.Mean, p.SD, p.RHat, p.ESS, p.Interval.Lo, p.Interval.Hi} {
		if len(tr.Weights) != 2 || len(tr.Means) != 2 || len(tr.Sigmas) != 2 {
			t.Fatalf("want 2 of each parameter: %+v", tr)
		}
	}
	// -v reports the posterior and its warnings on stderr.
	if !strings.Contains(stderr.String(), "sampled the posterior by vb in") || len(p.Warnings) == 0 {
		t.Fatalf("warnings %q; stderr:\n%s", p.Warnings, stderr.String())
	}
	for _, w := range p.Warnings {
		if !strings.Contains(stderr.String(), "warning: "+w+"\n") {
			t.Errorf("stderr lacks the warning %q:\n%s", w, stderr.String())
		}
	}
}

func TestFixed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lo, hi float64
		v      float64
		want   string
	}{
		// A spread of (0.398 − 0.274)/3.29 = 0.038: to 0.001.
		{"iris weight", 0.274, 0.398, 0.33423, "0.334"},
		// Far from zero with a small spread: the decimals the spread
		// needs, not significant digits.
		{"km/s", 20001, 20006, 20003.456, "20003.5"},
		// A lower bound near zero keeps two significant digits.
		{"small bound", 0.0012, 0.296, 0.0012345, "0.0012"},
		{"wide", -10.1, 9.8, 3.14159, "3.1"},
		{"empty interval", 1, 1, 1, "1.00000"},
		{"infinite interval", 0, math.Inf(1), 2, "2.00000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fixed(tc.lo, tc.hi)(tc.v); got != tc.want {
				t.Errorf("fixed(%v, %v)(%v) = %q, want %q", tc.lo, tc.hi, tc.v, got, tc.want)
			}
		})
	}
}

func TestTable(t *testing.T) {
	var b strings.Builder
	table(&b, [][]string{{"k", "name", "R̂"}, {"10", "a", "1.001"}}, 1)
	// R̂ is two runes but one column wide.
	want := "   k  name      R̂\n  10  a     1.001\n"
	if b.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestNumberJSON(t *testing.T) {
	b, err := json.Marshal([]number{1.5, number(math.NaN()), number(math.Inf(-1)), 1e-7})
	if err != nil || string(b) != "[1.5,null,null,1e-07]" {
		t.Errorf("got %s, %v", b, err)
	}
}
