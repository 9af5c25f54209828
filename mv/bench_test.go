package mv_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/gmm-go/gmm/mv"
)

// BenchmarkFit times Fit at its defaults, by the size of the data: iris's
// 150 rows in 4 columns, and samples from the three-component VVV fit of
// iris.
func BenchmarkFit(b *testing.B) {
	src := mv.Model{K: 3, Covariance: mv.VVV}
	if _, err := src.Fit(irisX(), nil); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		n, k int
		cov  mv.Covariance
	}{
		{"n=150/d=4/K=3/VVV", 150, 3, mv.VVV},
		{"n=150/d=4/K=2/VEV", 150, 2, mv.VEV},
		{"n=1e5/d=4/K=3/VVV", 100000, 3, mv.VVV},
	} {
		b.Run(c.name, func(b *testing.B) {
			var x *mat.Dense
			if c.n == 150 {
				x = irisX()
			} else {
				var err error
				if x, _, err = src.Sample(c.n, 1); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for range b.N {
				m := mv.Model{K: c.k, Covariance: c.cov}
				if _, err := m.Fit(x, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFitStream times FitStream on rows read from a file in chunks of
// 10⁴ rows, every pass reading the file again, next to Fit on the same
// rows in memory, by the size of the data; warm from a fit to the first
// 5000 rows and from new starting points. The 10⁷ rows (a 240 MB file and
// as much in memory) are skipped under -short. Each reports the process's
// CPU time per fit (cpu-s/op) beside the wall time, as the machine may be
// shared.
func BenchmarkFitStream(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		if n > 1_000_000 && testing.Short() {
			continue
		}
		x, w, _ := bigSample(b, n)
		path := filepath.Join(b.TempDir(), "rows.f64")
		if err := writeRows(path, x); err != nil {
			b.Fatal(err)
		}
		start := mv.Model{K: 3, Covariance: mv.VVV}
		if _, err := start.Fit(x.Slice(0, 5000, 0, 3), &mv.Settings{Weights: w[:5000]}); err != nil {
			b.Fatal(err)
		}
		name := fmt.Sprintf("n=1e%d/d=3/K=3", int(math.Round(math.Log10(float64(n)))))
		for _, warm := range []bool{true, false} {
			suffix := "/new"
			if warm {
				suffix = "/warm"
			}
			b.Run(name+suffix+"/stream", func(b *testing.B) {
				cpu0 := cpuSeconds()
				for range b.N {
					m := clone(start)
					if _, err := m.FitStream(context.Background(), fileRows(b, path, 3, 10000), &mv.Settings{Warm: warm}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
			})
			b.Run(name+suffix+"/memory", func(b *testing.B) {
				cpu0 := cpuSeconds()
				for range b.N {
					m := clone(start)
					if _, err := m.Fit(x, &mv.Settings{Warm: warm}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
			})
		}
	}
}

// writeRows writes x's rows to path as little-endian float64s.
func writeRows(path string, x *mat.Dense) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	n, d := x.Dims()
	buf := make([]byte, 8)
	for i := range n {
		for j := range d {
			binary.LittleEndian.PutUint64(buf, math.Float64bits(x.At(i, j)))
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// fileRows returns a source that reads path in chunks of rows rows of d
// values, reusing one buffer.
func fileRows(b *testing.B, path string, d, rows int) iter.Seq2[[]float64, []float64] {
	return func(yield func([]float64, []float64) bool) {
		f, err := os.Open(path)
		if err != nil {
			b.Error(err)
			return
		}
		defer f.Close()
		r := bufio.NewReaderSize(f, 1<<20)
		raw := make([]byte, rows*d*8)
		xs := make([]float64, rows*d)
		for {
			k, err := io.ReadFull(r, raw)
			if k > 0 {
				m := k / 8
				for i := range m {
					xs[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
				}
				if !yield(xs[:m], nil) {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
}

// BenchmarkSelectIris times Select with its defaults on iris's four
// columns: the fourteen covariance models with K = 1..9.
func BenchmarkSelectIris(b *testing.B) {
	x := irisX()
	for b.Loop() {
		if _, err := mv.Select(x, nil); err != nil {
			b.Fatal(err)
		}
	}
}
