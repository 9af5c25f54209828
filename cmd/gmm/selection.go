package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// cell is one candidate of a selection, as the table shows it.
type cell struct {
	k     int
	model string  // mclust's name of the covariance model
	bic   float64 // the criterion; NaN if err is not nil
	err   error   // why the candidate could not be fitted
}

// candidateJSON is a candidate in the "selection" of model.json and -json.
type candidateJSON struct {
	K             int    `json:"k"`
	Covariance    string `json:"covariance"`
	LogLikelihood number `json:"loglik"`
	NumParams     int    `json:"params"`
	BIC           number `json:"bic"`
	ICL           number `json:"icl"`
	Error         string `json:"error,omitempty"`
}

// blockWidth is the most models a block of the table shows side by side,
// as mclust prints its fourteen in two blocks of seven.
const blockWidth = 7

// selectionTable prints the criterion crit of the cells by K (rows) and
// model (columns, in the order of models), NA for the candidates that
// could not be fitted, followed by why each failed and the best three.
func selectionTable(w io.Writer, crit string, models []string, cells []cell) {
	var ks []int
	at := map[string]cell{}
	for _, c := range cells {
		if !slices.Contains(ks, c.k) {
			ks = append(ks, c.k)
		}
		at[fmt.Sprint(c.k, c.model)] = c
	}
	slices.Sort(ks)
	for lo := 0; lo < len(models); lo += blockWidth {
		block := models[lo:min(lo+blockWidth, len(models))]
		rows := [][]string{append([]string{crit}, block...)}
		for _, k := range ks {
			row := []string{strconv.Itoa(k)}
			for _, m := range block {
				c, ok := at[fmt.Sprint(k, m)]
				switch {
				case !ok:
					row = append(row, "")
				case c.err != nil:
					row = append(row, "NA")
				default:
					row = append(row, fmt.Sprintf("%.3f", c.bic))
				}
			}
			rows = append(rows, row)
		}
		if lo > 0 {
			fmt.Fprintln(w)
		}
		table(w, rows, -1)
	}
	var failed []cell
	for _, c := range cells {
		if c.err != nil {
			failed = append(failed, c)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "NA: %s could not be fitted:\n", count(len(failed), "candidate"))
		for _, c := range failed {
			fmt.Fprintf(w, "  %s with K = %d: %s\n", c.model, c.k, advice(strings.TrimPrefix(strings.TrimPrefix(c.err.Error(), "gmm: "), "mv: ")))
		}
	}
	var ok []cell
	for _, c := range cells {
		if c.err == nil {
			ok = append(ok, c)
		}
	}
	slices.SortStableFunc(ok, func(a, b cell) int { return cmp.Compare(a.bic, b.bic) })
	var top []string
	for _, c := range ok[:min(3, len(ok))] {
		top = append(top, fmt.Sprintf("%s with K = %d (%.3f)", c.model, c.k, c.bic))
	}
	if len(top) > 0 {
		fmt.Fprintf(w, "best: %s", top[0])
		if len(top) > 1 {
			fmt.Fprintf(w, "; then %s", strings.Join(top[1:], ", "))
		}
		fmt.Fprintln(w)
	}
	if len(ks) > 1 && len(ok) > 0 {
		if best := ok[0].k; best == ks[len(ks)-1] {
			fmt.Fprintf(w, "note:  the best K is the largest tried; try a range that goes further, such as -k %d:%d\n", ks[0], 2*best)
		}
	}
}
