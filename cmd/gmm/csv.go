package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// readColumn reads one column of numbers from comma-separated text with a
// header row. column is a name from the header or, if no header cell has
// that name, a 0-based index; an empty column means the only column, and is
// an error if there are several. It returns the values and the column's
// name. Every row must have as many cells as the header, and every cell of
// the column must hold a finite number; the errors say which line and
// column are wrong. src names the input in error messages.
func readColumn(r io.Reader, src, column string) ([]float64, string, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, "", fmt.Errorf("%s is empty; it needs a header row and a row for each value", src)
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", src, err)
	}
	header = append([]string(nil), header...)
	header[0] = strings.TrimPrefix(header[0], "\ufeff") // a byte-order mark
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	j, err := pick(header, column)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", src, err)
	}
	name := header[j]
	var x []float64
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				return nil, "", fmt.Errorf("%s: line %d has %d cells but the header has %d; every row needs one cell per column",
					src, pe.StartLine, len(rec), len(header))
			}
			return nil, "", fmt.Errorf("%s: %v", src, err)
		}
		line, _ := cr.FieldPos(j)
		cell := strings.TrimSpace(rec[j])
		if cell == "" {
			return nil, "", fmt.Errorf("%s: line %d, column %q: the cell is empty; fill it in or remove the row", src, line, name)
		}
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			what := "not a number"
			if err == nil || errors.Is(err, strconv.ErrRange) {
				what = "not a finite number"
			}
			return nil, "", fmt.Errorf("%s: line %d, column %q: %s is %s", src, line, name, quote(cell), what)
		}
		x = append(x, v)
	}
	if len(x) == 0 {
		return nil, "", fmt.Errorf("%s: column %q has no values; it needs at least one row under the header", src, name)
	}
	return x, name, nil
}

// pick returns the index of column in header.
func pick(header []string, column string) (int, error) {
	if column == "" {
		if len(header) == 1 {
			return 0, nil
		}
		return 0, fmt.Errorf("there are %d columns; choose one with -column NAME or -column INDEX: %s", len(header), list(header))
	}
	for i, h := range header {
		if h == column {
			return i, nil
		}
	}
	if i, err := strconv.Atoi(column); err == nil {
		if i < 0 || i >= len(header) {
			return 0, fmt.Errorf("column index %d is out of range; there are %d columns, numbered from 0: %s", i, len(header), list(header))
		}
		return i, nil
	}
	return 0, fmt.Errorf("unknown column %s; the columns are %s", quote(column), list(header))
}

// list names the columns with their indices, for error messages.
func list(header []string) string {
	const most = 12
	var b strings.Builder
	for i, h := range header {
		if i == most {
			fmt.Fprintf(&b, ", and %d more", len(header)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %s", i, quote(h))
	}
	return b.String()
}

// quote quotes s for an error message, shortening it if it is long, so
// that a message stays on one line and readable.
func quote(s string) string {
	const most = 40
	if r := []rune(s); len(r) > most {
		s = string(r[:most]) + "…"
	}
	return strconv.Quote(s)
}
