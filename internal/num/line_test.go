package num

import "testing"

// TestLine checks the line's unit, its positions and StandsFor: integer
// weights keep their integer positions, small ones are scaled to n units
// in all, and huge ones too.
func TestLine(t *testing.T) {
	tests := []struct {
		name      string
		w         []float64
		size      float64
		units     int
		at        float64 // a position
		index     int     // the point there
		standsFor int
	}{
		{"unweighted", nil, 3, 3, 2.5, 2, 3},
		{"integers", []float64{2, 1, 3}, 6, 6, 2, 1, 6},
		{"probabilities", []float64{0.5, 0.25, 0.25}, 3, 3, 1.6, 1, 3},
		{"huge", []float64{1e300, 1e300, 2e300}, 3, 3, 1.5, 2, 1 << 52},
		{"a zero", []float64{1, 0, 2}, 3, 3, 1, 2, 3},
	}
	for _, tt := range tests {
		l := NewLine(tt.w)
		var total float64
		for _, v := range tt.w {
			total += v
		}
		if tt.w == nil {
			total = 3
		}
		if l.Size(3) != tt.size || l.Units(3) != tt.units || l.Index(3, tt.at) != tt.index || StandsFor(3, total) != tt.standsFor {
			t.Errorf("%s: size %v, %d units, position %v in point %d, stands for %d; want %v, %d, %d, %d",
				tt.name, l.Size(3), l.Units(3), tt.at, l.Index(3, tt.at), StandsFor(3, total), tt.size, tt.units, tt.index, tt.standsFor)
		}
	}
}
