package num

import (
	"math"
	"testing"
)

func TestLogSumExp(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		name string
		v    []float64
		want float64
	}{
		{"empty", nil, -inf},
		{"one", []float64{3}, 3},
		{"two equal", []float64{0, 0}, math.Ln2},
		{"far apart", []float64{0, -800}, 0},
		{"large", []float64{1000, 1000}, 1000 + math.Ln2},
		{"tiny", []float64{-1000, -1000}, -1000 + math.Ln2},
		{"all -Inf", []float64{-inf, -inf}, -inf},
		{"one -Inf", []float64{-inf, 2}, 2},
		{"+Inf", []float64{1, inf}, inf},
	}
	for _, c := range cases {
		got := LogSumExp(c.v)
		// 4 ulp: one exp, one log and an addition of two terms, each
		// rounded to within half an ulp.
		if got != c.want && math.Abs(got-c.want) > 4*math.Abs(c.want)*0x1p-52 {
			t.Errorf("%s: LogSumExp(%v) = %v, want %v", c.name, c.v, got, c.want)
		}
	}
	if got := LogSumExp([]float64{1, math.NaN()}); !math.IsNaN(got) {
		t.Errorf("LogSumExp with NaN = %v, want NaN", got)
	}
}
