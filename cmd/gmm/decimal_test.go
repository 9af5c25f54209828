package main

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// checkDecimal fails t if parseDecimal accepts s with a value other than
// strconv.ParseFloat's, bit for bit (the sign of zero included), or
// accepts what strconv refuses.
func checkDecimal(t *testing.T, s string) bool {
	t.Helper()
	got, ok := parseDecimal([]byte(s))
	if !ok {
		return false
	}
	want, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("parseDecimal(%q) = %v, true; strconv refuses it: %v", s, got, err)
	}
	if math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("parseDecimal(%q) = %v (%#x), strconv gives %v (%#x)", s, got, math.Float64bits(got), want, math.Float64bits(want))
	}
	return true
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		name string
		s    string
		ok   bool // parseDecimal takes it, rather than leaving it to strconv
	}{
		{"integer", "42", true},
		{"negative", "-1.575292947050324", true},
		{"seventeen digits", "-2.9872764577745823", true},
		{"plus sign", "+0.5", true},
		{"leading point", ".5", true},
		{"trailing point", "7.", true},
		{"exponent", "3e-5", true},
		{"upper-case exponent with sign", "1.25E+3", true},
		{"negative zero", "-0", true},
		{"zero with exponent", "0e-400", true},
		{"leading zeros", "000.000123", true},
		{"nineteen digits", "1234567890123456789", true},
		{"largest power of ten multiplied", "9999999999999999999e19", true},
		{"smallest power of ten divided", "1e-27", true},
		{"halfway between two doubles, to even", "9007199254740993", true},
		{"halfway above 2^53, to even", "9007199254740995", true},
		{"just above halfway", "9007199254740993.001", true},
		{"halfway as a quotient", "0.30000000000000001665334536937734810635447502136230468750", false},
		{"0.1", "0.1", true},
		{"twenty digits", "12345678901234567890", false},
		{"exponent too large", "1e20", false},
		{"exponent too small", "1e-28", false},
		{"huge exponent", "1e99999999999", false},
		{"empty", "", false},
		{"sign alone", "-", false},
		{"point alone", ".", false},
		{"exponent alone", "e5", false},
		{"exponent without digits", "1e", false},
		{"exponent sign without digits", "1e+", false},
		{"two points", "1.2.3", false},
		{"underscore", "1_000", false},
		{"comma", "1,5", false},
		{"hex", "0x1p-3", false},
		{"infinity", "inf", false},
		{"nan", "NaN", false},
		{"space", " 1", false},
		{"trailing space", "1 ", false},
		{"two signs", "--1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ok := checkDecimal(t, tc.s); ok != tc.ok {
				t.Errorf("parseDecimal(%q) took it: %v, want %v", tc.s, ok, tc.ok)
			}
		})
	}
}

// TestParseDecimalRoundTrip parses a million random doubles of many
// magnitudes written as strconv writes them, shortest and to 17 and 19
// digits, in both notations, and checks every one against strconv.
func TestParseDecimalRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	took := 0
	for range 1_000_000 / 6 {
		v := math.Ldexp(rng.Float64()+0.5, rng.IntN(140)-90)
		if rng.IntN(2) == 0 {
			v = -v
		}
		for _, s := range []string{
			strconv.FormatFloat(v, 'g', -1, 64),
			strconv.FormatFloat(v, 'g', 17, 64),
			strconv.FormatFloat(v, 'e', 18, 64),
			strconv.FormatFloat(v, 'f', -1, 64),
			strconv.FormatFloat(v, 'g', 19, 64),
			strconv.FormatFloat(v, 'e', 3, 64),
		} {
			if checkDecimal(t, s) {
				took++
			}
		}
	}
	// Most of these lie within parseDecimal's bounds; the share it takes
	// shows that the comparison above is not vacuous.
	if took < 500_000 {
		t.Errorf("parseDecimal took %d of 1,000,000 values, fewer than half", took)
	}
}

// FuzzParseDecimal checks that whatever parseDecimal accepts, strconv
// accepts too, with the same value bit for bit.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"-1.575292947050324", "4.4809128466417515", "0.1", "1e-27", "9007199254740993",
		"9999999999999999999e19", "-0", ".5", "7.", "1e", "1_000", "0x10", "2.5e+3", "000.000123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkDecimal(t, s)
	})
}

// FuzzParseDecimalFloat writes a double as strconv does, in a format and
// to a precision the fuzzer picks, and checks the parse of that text.
func FuzzParseDecimalFloat(f *testing.F) {
	f.Add(uint64(0x3ff8000000000000), byte('g'), -1)
	f.Add(uint64(0xbff9344d4a1b1a0e), byte('e'), 16)
	f.Add(uint64(0x4340000000000001), byte('f'), 0)
	f.Fuzz(func(t *testing.T, b uint64, format byte, prec int) {
		v := math.Float64frombits(b)
		switch format {
		case 'e', 'E', 'f', 'g', 'G':
		default:
			format = 'g'
		}
		if prec < -1 || prec > 40 {
			prec = -1
		}
		checkDecimal(t, strconv.FormatFloat(v, format, prec, 64))
	})
}

func BenchmarkParseDecimal(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	cells := make([][]byte, 4096)
	for i := range cells {
		cells[i] = []byte(strconv.FormatFloat(rng.NormFloat64()*3, 'g', -1, 64))
	}
	b.Run("parseDecimal", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			parseDecimal(cells[i%len(cells)])
		}
	})
	b.Run("strconv", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			strconv.ParseFloat(string(cells[i%len(cells)]), 64)
		}
	})
}
