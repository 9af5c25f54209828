package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gmm-go/gmm/iris"
)

func TestReadColumn(t *testing.T) {
	utf16 := func(s string) string {
		b := []byte{0xff, 0xfe}
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return string(b)
	}
	for _, tc := range []struct {
		name, in, column string
		opt              readOptions
		x                []float64
		col              string // the column's name
		header           bool
		skipped, first   int
		err              []string // parts of the error
	}{
		{"commas", "a,b\n1,2\n3,4\n", "b", readOptions{}, []float64{2, 4}, "b", true, 0, 0, nil},
		{"semicolons with decimal commas", "a;b\n1,5;2\n3;4,25\n", "a", readOptions{}, nil, "", true, 0, 0,
			[]string{`line 2, column "a": "1,5" is not a number (write numbers without thousands separators, and with a point, not a comma, before the decimals)`}},
		{"semicolons", "a;b\n1.5;2\n3;4.25\n", "b", readOptions{}, []float64{2, 4.25}, "b", true, 0, 0, nil},
		{"tabs", "a\tb c\n1\t 2\n3\t4\n", "b c", readOptions{}, []float64{2, 4}, "b c", true, 0, 0, nil},
		{"tabs with an empty cell", "a\tb\n\t2\n3\t4\n", "a", readOptions{}, []float64{3}, "a", true, 1, 2, nil},
		{"-sep overrides", "a;b\n1;2\n", "0", readOptions{sep: ','}, nil, "", true, 0, 0, []string{`"1;2" is not a number`}},
		{"-sep semicolon", "a;b\n1;2\n", "a", readOptions{sep: ';'}, []float64{1}, "a", true, 0, 0, nil},
		{"quoted commas in a semicolon file", "\"x, y\";b\n1;2\n", "x, y", readOptions{}, []float64{1}, "x, y", true, 0, 0, nil},
		{"a first row of numbers is data", "1.5\n2\n3\n", "", readOptions{}, []float64{1.5, 2, 3}, "column 0", false, 0, 0, nil},
		{"two columns without a header", "1,2\n3,4\n", "1", readOptions{}, []float64{2, 4}, "column 1", false, 0, 0, nil},
		{"numbers and a missing value are data", "NA,2\n3,4\n", "0", readOptions{}, []float64{3}, "column 0", false, 1, 1, nil},
		{"a year header is a header if any cell is text", "year,2020\n1,2\n", "2020", readOptions{}, []float64{2}, "2020", true, 0, 0, nil},
		{"missing values", "v\n1\n\nNA\nnan\nNULL\n\"\"\n2\n n/a \n", "", readOptions{}, nil, "", true, 0, 0, []string{`line 9, column "v": "n/a" is not a number`}},
		{"missing values skipped", "v\n1\nNA\nnan\nNULL\n\"\"\n2\n", "", readOptions{}, []float64{1, 2}, "v", true, 4, 3, nil},
		{"missing value, strict", "v\n1\nNA\n", "", readOptions{strict: true}, nil, "", true, 0, 0, []string{`line 3, column "v": "NA" is a missing value`, "without -strict"}},
		{"empty cell, strict", "a,v\n1,2\n3,\n", "v", readOptions{strict: true}, nil, "", true, 0, 0, []string{`line 3, column "v": the cell is empty, which is a missing value`}},
		{"only missing values", "v\nNA\nnull\n", "", readOptions{}, nil, "", true, 0, 0, []string{`column "v" has no values: all 2 of its cells are missing values`}},
		{"underscores", "v\n1_000\n", "", readOptions{}, nil, "", true, 0, 0, []string{`"1_000" is not a number (write numbers without thousands separators`}},
		{"thousands commas", "v\n\"1,000\"\n", "", readOptions{}, nil, "", true, 0, 0, []string{`"1,000" is not a number (write numbers without thousands`}},
		{"hexadecimal", "v\n0x1p-3\n", "", readOptions{}, nil, "", true, 0, 0, []string{`"0x1p-3" is not a number`}},
		{"infinity", "v\n-Inf\n", "", readOptions{}, nil, "", true, 0, 0, []string{`"-Inf" is not a finite number`}},
		{"overflow", "v\n1e999\n", "", readOptions{}, nil, "", true, 0, 0, []string{`"1e999" is not a finite number`}},
		{"exponents and signs", "v\n+1e-3\n-2.5E2\n.5\n", "", readOptions{}, []float64{1e-3, -250, 0.5}, "v", true, 0, 0, nil},
		{"byte-order mark before a quoted header", "\ufeff\"speed (km/s)\",\"id\"\n1,2\n", "speed (km/s)", readOptions{}, []float64{1}, "speed (km/s)", true, 0, 0, nil},
		{"UTF-16", utf16("v\r\n1\r\n"), "", readOptions{}, nil, "", false, 0, 0, []string{"is UTF-16 text", "save it as UTF-8", "iconv"}},
		{"UTF-16 without a mark", utf16("v\r\n1\r\n")[2:], "", readOptions{}, nil, "", false, 0, 0, []string{"holds NUL bytes", "save it as UTF-8"}},
		{"CRLF and a missing last newline", "v\r\n1\r\n2", "", readOptions{}, []float64{1, 2}, "v", true, 0, 0, nil},
		{"ragged row", "a,b\n1,2\n3\n", "a", readOptions{}, nil, "", true, 0, 0, []string{"line 3 has 1 cells but the first row has 2", "split at commas", "-sep"}},
		{"bare quote", "a\n1\"2\n", "", readOptions{}, nil, "", true, 0, 0, []string{"line 2: a double quote inside a cell"}},
		{"unclosed quote", "a\n\"1\n2\n", "", readOptions{}, nil, "", true, 0, 0, []string{"line 2: a quoted cell is not closed"}},
		{"quoted newline", "v\n1\n\"2\n3\"\n", "", readOptions{}, nil, "", true, 0, 0, []string{"line 3", `"2\n3" is not a number`}},
		{"empty", "", "", readOptions{}, nil, "", false, 0, 0, []string{"is empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := readColumn(strings.NewReader(tc.in), "in.csv", tc.column, tc.opt)
			if tc.err != nil {
				if err == nil {
					t.Fatalf("no error; read %+v", c)
				}
				for _, w := range tc.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.x, tc.x) || c.name != tc.col || c.header != tc.header || c.skipped != tc.skipped || c.firstSkipped != tc.first {
				t.Errorf("read %v of %q (header %v, skipped %d from line %d); want %v of %q (%v, %d, %d)",
					c.x, c.name, c.header, c.skipped, c.firstSkipped, tc.x, tc.col, tc.header, tc.skipped, tc.first)
			}
		})
	}
}

func TestDetectSep(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want byte
	}{
		{"a,b\n1,2\n", ','},
		{"a;b\n1,5;2,5\n", ';'},
		{"a\tb\n1,5\t2\n", '\t'},
		{"v\n1\n", ','},
		{"\"a;b\",c\n1,2\n", ','},
		{"a;b;c\n1;2\n", ';'}, // no consistent count: the most on the first line
	} {
		if got := detectSep([]byte(tc.in)); got != tc.want {
			t.Errorf("detectSep(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// records splits text with the parser, as readColumn does.
func records(data []byte, sep byte) ([][]string, error) {
	p := &parser{br: bufio.NewReaderSize(bytes.NewReader(data), 16), sep: sep}
	var out [][]string
	for {
		f, _, err := p.fields()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
}

// FuzzParser checks the CSV splitting against encoding/csv, with spaces
// before a cell trimmed as its TrimLeadingSpace does, on commas and
// semicolons (with tabs it would trim the separator itself): both must
// fail, or both give the same records. A 16-byte buffer sends long lines
// through the slow path.
func FuzzParser(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "\"a\"\"b\",c\n", "a,\"b\nc\"\n", " \"x\", y\r\n", "a\"b\n", "\"a\"b\n",
		"\n\n1\n", "\"unclosed\n", "a;b\r\n\"1;2\";3", "x,,\n,\n", "\"\"\n", "\"a\r\nb\"\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, semi bool) {
		sep := byte(',')
		if semi {
			sep = ';'
		}
		got, err := records(data, sep)
		cr := csv.NewReader(bytes.NewReader(data))
		cr.Comma, cr.TrimLeadingSpace, cr.FieldsPerRecord = rune(sep), true, -1
		want, werr := cr.ReadAll()
		if (err != nil) != (werr != nil) {
			t.Fatalf("%q: error %v, encoding/csv %v", data, err, werr)
		}
		if err == nil && !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("%q: records %q, encoding/csv %q", data, got, want)
		}
	})
}

// FuzzReadColumn checks readColumn's promises on any input: no panic, an
// error on one line, or finite values that, written back as a one-column
// file, read back the same.
func FuzzReadColumn(f *testing.F) {
	f.Add([]byte(iris.CSV()), "petal_length", byte(0))
	f.Add([]byte(iris.CSV()), "3", byte(','))
	f.Add([]byte("v\n1\n2\n"), "", byte(0))
	f.Add([]byte("\ufeff\"a\", \"b c\"\n1, 2\n3,4\n"), "b c", byte(0))
	f.Add([]byte("a;b\n1;NA\n3;\n"), "b", byte(0))
	f.Add([]byte("1\t2\n3\t4\n"), "1", byte('\t'))
	f.Add([]byte("a,b\n1,2\n3\n"), "a", byte(0))
	f.Add([]byte("v\n\"1\n2\"\n"), "v", byte(0))
	f.Add([]byte("v\nNaN\n-Inf\n0x1p-3\n1e999\n1_000\n"), "v", byte(0))
	f.Add([]byte("\xff\xfev\x00\n\x001\x00"), "", byte(0))
	f.Add([]byte(""), "", byte(0))
	f.Fuzz(func(t *testing.T, data []byte, column string, sep byte) {
		if sep == '"' || sep == '\n' || sep == '\r' || sep >= 0x80 {
			return // parseSep refuses these
		}
		c, err := readColumn(bytes.NewReader(data), "input", column, readOptions{sep: sep})
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(err.Error(), `\n`) {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		if len(c.x) == 0 {
			t.Fatal("no error and no values")
		}
		for i, v := range c.x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("x[%d] = %v accepted", i, v)
			}
		}
		var buf bytes.Buffer
		buf.WriteString("v\n")
		for _, v := range c.x {
			buf.WriteString(strconv.FormatFloat(v, 'g', -1, 64) + "\n")
		}
		back, err := readColumn(&buf, "copy", "", readOptions{})
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if !slices.EqualFunc(back.x, c.x, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
			t.Fatalf("read back %v, wrote %v", back.x, c.x)
		}
	})
}

// TestReadTableMissing reads several columns over more rows than a batch
// holds: a row that misses some values is kept in its place with NaN
// there, and counted from its line; a row that misses all is skipped.
func TestReadTableMissing(t *testing.T) {
	const n = 2*batchSize + 5
	var b strings.Builder
	b.WriteString("a,b\n")
	var want []float64
	var holes []int
	nan := math.NaN()
	for i := range n {
		switch {
		case i == 3 || i == batchSize+1:
			b.WriteString(",NA\n")
			holes = append(holes, i)
		case i%1000 == 999:
			b.WriteString(strconv.Itoa(i) + ",\n")
			want = append(want, float64(i), nan)
		case i%1000 == 500:
			b.WriteString("null," + strconv.Itoa(i) + "\n")
			want = append(want, nan, float64(i))
		default:
			b.WriteString(strconv.Itoa(i) + ",1\n")
			want = append(want, float64(i), 1)
		}
	}
	tb, err := readTable(strings.NewReader(b.String()), "in", columns{names: []string{"a", "b"}}, readOptions{})
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
	// Rows 500, 999, 1500, 1999, … miss one value.
	partial := 0
	for i := range n {
		if i%1000 == 999 || i%1000 == 500 {
			partial++
		}
	}
	if !slices.EqualFunc(tb.x, want, same) || !slices.Equal(tb.holes, holes) || tb.skipped != 2 || tb.firstSkipped != 5 ||
		tb.partial != partial || tb.firstPartial != 502 || tb.rows != n {
		t.Errorf("read %d values, holes %v (%d from line %d), %d partial from line %d, %d rows; want %d values, holes %v (2 from line 5), %d partial from line 502, %d rows",
			len(tb.x), tb.holes, tb.skipped, tb.firstSkipped, tb.partial, tb.firstPartial, tb.rows, len(want), holes, partial, n)
	}
}

// TestReadColumnBatches reads more rows than a batch holds: the values
// come in order, missing values are counted across batches, and the first
// error in the input's order is the one reported.
func TestReadColumnBatches(t *testing.T) {
	const n = 3*batchSize + 17
	var b strings.Builder
	b.WriteString("id,v\n")
	var want []float64
	for i := range n {
		if i%1000 == 999 {
			b.WriteString(strconv.Itoa(i) + ",NA\n")
			continue
		}
		b.WriteString(strconv.Itoa(i) + "," + strconv.Itoa(i) + ".5\n")
		want = append(want, float64(i)+0.5)
	}
	c, err := readColumn(strings.NewReader(b.String()), "in", "v", readOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.x, want) || c.skipped != n/1000 || c.firstSkipped != 1001 {
		t.Errorf("read %d values, skipped %d from line %d; want %d, %d from 1001", len(c.x), c.skipped, c.firstSkipped, len(want), n/1000)
	}
	// A bad number on line 9000 comes before a ragged row on line 9500.
	lines := strings.Split(b.String(), "\n")
	lines[8999] = "8998,x"
	lines[9499] = "9498"
	_, err = readColumn(strings.NewReader(strings.Join(lines, "\n")), "in", "v", readOptions{})
	if err == nil || !strings.Contains(err.Error(), `line 9000, column "v": "x" is not a number`) {
		t.Errorf("error %v, want the bad number on line 9000", err)
	}
	lines[8999] = "8998,1"
	_, err = readColumn(strings.NewReader(strings.Join(lines, "\n")), "in", "v", readOptions{})
	if err == nil || !strings.Contains(err.Error(), "line 9500 has 1 cells") {
		t.Errorf("error %v, want the ragged row on line 9500", err)
	}
}

// FuzzReadTable checks readTable's promises on any input with several
// columns: no panic, an error on one line, or complete rows of finite
// values whose count with the skipped rows is the rows read, the skipped
// rows in order, and values that, written back as CSV, read back the
// same.
func FuzzReadTable(f *testing.F) {
	f.Add([]byte(iris.CSV()), "all", byte(0))
	f.Add([]byte(iris.CSV()), "0,petal_length", byte(','))
	f.Add([]byte("a;b;c\n1;x;2\nNA;y;3\n4;z;\n5;w;6\n"), "all", byte(0))
	f.Add([]byte("1\t2\n3\tNA\n\t4\n5\t6\n"), "1,0", byte(0))
	f.Add([]byte("a,b\n1,2\n3\n"), "a,b", byte(0))
	f.Add([]byte("a,b\n\"1\n2\",3\n"), "all", byte(0))
	f.Add([]byte("a,b,a\n1,2,3\n"), "a,2", byte(0))
	f.Fuzz(func(t *testing.T, data []byte, cols string, sep byte) {
		if sep == '"' || sep == '\n' || sep == '\r' || sep >= 0x80 {
			return // parseSep refuses these
		}
		sel := columns{all: cols == "all"}
		if !sel.all {
			sel.names = strings.Split(cols, ",")
		}
		tb, err := readTable(bytes.NewReader(data), "input", sel, readOptions{sep: sep})
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(err.Error(), `\n`) {
				t.Fatalf("error on more than one line: %q", err)
			}
			return
		}
		n := len(tb.x) / tb.d
		if tb.d < 1 || len(tb.x)%tb.d != 0 || n == 0 || len(tb.names) != tb.d {
			t.Fatalf("%d values in %d columns named %q", len(tb.x), tb.d, tb.names)
		}
		if n+tb.skipped != tb.rows || len(tb.holes) != tb.skipped || len(tb.holeVals) != tb.skipped*tb.d {
			t.Fatalf("%d rows kept, %d skipped (%d holes, %d values), %d rows", n, tb.skipped, len(tb.holes), len(tb.holeVals), tb.rows)
		}
		// A row skipped misses every value; a row kept has some, and the
		// rows kept that miss some are counted.
		for i, v := range tb.holeVals {
			if !math.IsNaN(v) {
				t.Fatalf("skipped row %d has the value %v", i/tb.d, v)
			}
		}
		partial := 0
		for i := range n {
			row := tb.x[i*tb.d : (i+1)*tb.d]
			switch nan := len(slices.DeleteFunc(slices.Clone(row), func(v float64) bool { return !math.IsNaN(v) })); nan {
			case tb.d:
				t.Fatalf("row %d kept missing every value", i)
			case 0:
			default:
				partial++
			}
		}
		if partial != tb.partial || (tb.d == 1 && partial != 0) {
			t.Fatalf("%d rows kept miss some values, %d counted", partial, tb.partial)
		}
		for i, h := range tb.holes {
			if h >= tb.rows || (i > 0 && h <= tb.holes[i-1]) {
				t.Fatalf("holes %v in %d rows", tb.holes, tb.rows)
			}
		}
		for i, v := range tb.x {
			if math.IsInf(v, 0) {
				t.Fatalf("x[%d] = %v accepted", i, v)
			}
		}
		var buf bytes.Buffer
		for j := range tb.d {
			if j > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString("c" + strconv.Itoa(j))
		}
		buf.WriteByte('\n')
		for i := range n {
			for j := range tb.d {
				if j > 0 {
					buf.WriteByte(',')
				}
				buf.WriteString(strconv.FormatFloat(tb.x[i*tb.d+j], 'g', -1, 64))
			}
			buf.WriteByte('\n')
		}
		// The columns by name: one that holds only NaN (written back as a
		// missing value) is not one of numbers to -columns all.
		var names []string
		for j := range tb.d {
			names = append(names, "c"+strconv.Itoa(j))
		}
		back, err := readTable(&buf, "copy", columns{names: names}, readOptions{})
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if !slices.EqualFunc(back.x, tb.x, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
			t.Fatalf("read back %v, wrote %v", back.x, tb.x)
		}
	})
}
