package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// readOptions say how to read a CSV file.
type readOptions struct {
	// sep is the separator; 0 means detect it (see detectSep).
	sep byte
	// strict makes a missing value an error instead of a skipped row (or,
	// with several columns, a missing coordinate).
	strict bool
	// size is the input's size in bytes if known, or 0; it sizes the
	// array of values so that it need not grow.
	size int64
}

// column is what readColumn read.
type column struct {
	x      []float64
	name   string
	sep    byte
	header bool // the first row was a header
	// skipped is the number of rows whose cell was a missing value, and
	// firstSkipped the line of the first.
	skipped, firstSkipped int
}

// missing reports whether a cell, trimmed of spaces, is a missing value:
// empty, NA, NaN or null, in any case.
func missing(cell []byte) bool {
	for _, m := range [...]string{"", "na", "nan", "null"} {
		if len(cell) == len(m) && bytes.EqualFold(cell, []byte(m)) {
			return true
		}
	}
	return false
}

// parseNumber parses a decimal number as a CSV holds it: an optional sign,
// digits with an optional decimal point, and an optional exponent. Go's
// other syntax (1_000, 0x1p-3) is not a number in a CSV file. It returns
// what is wrong, for an error message, if cell is not a finite number.
func parseNumber(cell []byte) (float64, string) {
	if v, ok := parseDecimal(cell); ok {
		return v, ""
	}
	plain := len(cell) > 0
	for i := 0; i < len(cell) && plain; i++ {
		c := cell[i]
		plain = c >= '0' && c <= '9' || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E'
	}
	if plain {
		v, err := strconv.ParseFloat(string(cell), 64)
		switch {
		case err == nil:
			return v, ""
		case errors.Is(err, strconv.ErrRange):
			return 0, "not a finite number"
		}
		return 0, "not a number"
	}
	switch strings.ToLower(strings.TrimLeft(string(cell), "+-")) {
	case "inf", "infinity":
		return 0, "not a finite number"
	}
	if bytes.ContainsAny(cell, ",_'") && bytes.ContainsAny(cell, "0123456789") {
		return 0, "not a number (write numbers without thousands separators, and with a point, not a comma, before the decimals)"
	}
	return 0, "not a number"
}

// readColumn reads one column of numbers from CSV text in a single pass:
// readTable with the one column col, or the only column if col is empty.
func readColumn(r io.Reader, src, col string, opt readOptions) (*column, error) {
	t, err := readTable(r, src, columns{names: []string{col}}, opt)
	if err != nil {
		return nil, err
	}
	return &column{x: t.x, name: t.names[0], sep: t.sep, header: t.header, skipped: t.skipped, firstSkipped: t.firstSkipped}, nil
}

// columns says which columns readTable reads: those named, each by its
// name in the header or by its 0-based index ("" alone for the only
// column), or, if all is set, every column of numbers.
type columns struct {
	names []string
	all   bool
}

// frame is what readTable read: the rows with a number in some column
// read, and where the others were.
type frame struct {
	// x holds the rows with a number in some column read, row-major: d
	// values each, NaN where a value is missing.
	x     []float64
	d     int
	names []string // the columns read, as the report names them
	sep   byte
	// header says whether the first row was a header.
	header bool
	// rows is the number of data rows, complete or not.
	rows int
	// skipped is the number of rows missing every column read, and
	// firstSkipped the line of the first; holes holds their 0-based
	// indices among the data rows, in order, and holeVals their values, d
	// each, all NaN.
	skipped, firstSkipped int
	holes                 []int
	holeVals              []float64
	// partial is the number of rows in x with some values missing (only
	// with several columns), and firstPartial the line of the first.
	partial, firstPartial int
	// text names the columns that all left out as text.
	text []string
}

// sampleRows is the number of data rows that readTable reads ahead to tell
// columns of numbers from text for columns.all.
const sampleRows = 200

// readTable reads columns of numbers from CSV text in a single pass.
//
// The separator is opt.sep or, if that is 0, the one of comma, semicolon
// and tab that detectSep finds. Cells may be quoted as in RFC 4180, with
// spaces before a cell ignored, and rows must have as many cells as the
// first. A UTF-8 byte-order mark is skipped; UTF-16 text is refused with
// advice. If every cell of the first row is a number or a missing value
// (and one at least a number), the first row is data and the columns are
// named by their 0-based index; otherwise it is the header.
//
// A column is named by its header cell or, if no header cell has that
// name, by its 0-based index; a single empty name means the only column,
// and is an error if there are several. With cols.all, the columns read
// are those whose cells in the first 200 data rows are all numbers or
// missing values, with at least one number; the others are listed in
// text. A cell of a column read that is empty, NA, NaN or null (in any
// case) is a missing value, or, with opt.strict, an error: a row missing
// every column read is skipped and counted, and a row missing some is
// kept with NaN in its missing cells, and counted. (With one column, every
// row that misses a value misses them all.) Any other cell must hold a finite decimal
// number; the errors say which line and column are wrong. src names the
// input in error messages.
func readTable(r io.Reader, src string, cols columns, opt readOptions) (*frame, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(1 << 16)
	if err := checkEncoding(head, src); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(head, []byte("\ufeff")) {
		br.Discard(3)
		head = head[3:]
	}
	sep := opt.sep
	if sep == 0 {
		sep = detectSep(head)
	}
	p := &parser{br: br, sep: sep}
	first, line, err := p.fields()
	if err == io.EOF {
		return nil, fmt.Errorf("%s is empty; it needs a row for each value, under a header row if it has one", src)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	t := &frame{sep: sep, header: !numeric(first)}
	header := first
	if !t.header {
		header = make([]string, len(first))
		for i := range header {
			header[i] = strconv.Itoa(i)
		}
	} else {
		for i := range header {
			header[i] = strings.TrimSpace(header[i])
		}
	}
	fail := func(err error) error {
		var fe fieldCountError
		switch {
		case errors.As(err, &fe):
			return fmt.Errorf("%s: line %d has %d cells but the first row has %d; every row needs one cell per column%s",
				src, fe.line, fe.n, len(first), sepHint(sep, opt.sep == 0))
		case errors.As(err, new(parseError)):
			return fmt.Errorf("%s: %v", src, err)
		}
		return err
	}
	// The rows read ahead, to be converted before the rest.
	var ahead [][]string
	var aheadLines []int
	if !t.header {
		ahead, aheadLines = append(ahead, first), append(aheadLines, line)
	}
	var js []int
	if cols.all {
		for len(ahead) < sampleRows {
			f, l, err := p.fields()
			if err == io.EOF {
				break
			}
			if err == nil && len(f) != len(first) {
				err = fieldCountError{l, len(f)}
			}
			if err != nil {
				return nil, fail(err)
			}
			ahead, aheadLines = append(ahead, f), append(aheadLines, l)
		}
		for j := range header {
			cells := make([]string, len(ahead))
			for i, f := range ahead {
				cells[i] = f[j]
			}
			if numeric(cells) {
				js = append(js, j)
			} else {
				t.text = append(t.text, header[j])
			}
		}
		if len(js) == 0 {
			return nil, fmt.Errorf("%s: no column holds numbers in its first %s; the columns are %s", src, count(len(ahead), "row"), list(header))
		}
	} else {
		for _, name := range cols.names {
			j, err := pick(header, name)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", src, err)
			}
			if slices.Contains(js, j) {
				return nil, fmt.Errorf("%s: -columns names column %d %s twice; name each column once", src, j, quote(header[j]))
			}
			js = append(js, j)
		}
	}
	t.d = len(js)
	for _, j := range js {
		name := header[j]
		if !t.header {
			name = "column " + name
		}
		t.names = append(t.names, name)
	}
	t.x = make([]float64, 0, t.d*estimate(head, opt.size))
	hint := ""
	if cols.all {
		hint = fmt.Sprintf("; -columns all took it for a column of numbers from its first %s, so name the columns to fit with -columns A,B,C", count(sampleRows, "row"))
	}
	// conv converts a cell of column a (of those read); it only reads t,
	// so that it can run in several goroutines.
	conv := func(cell []byte, line, a int) (float64, bool, error) {
		if v, ok := parseDecimal(cell); ok {
			// The common case: a plain number, without spaces.
			return v, true, nil
		}
		cell = bytes.TrimSpace(cell)
		if missing(cell) {
			if opt.strict {
				without := "such rows are skipped"
				if t.d > 1 {
					without = "a row is fitted on the columns it has"
				}
				return 0, false, fmt.Errorf("%s: line %d, %s: %s is a missing value; fill it in or remove the row (without -strict %s)",
					src, line, t.where(a), describe(string(cell)), without)
			}
			return 0, false, nil
		}
		v, what := parseNumber(cell)
		if what != "" {
			return 0, false, fmt.Errorf("%s: line %d, %s: %s is %s%s", src, line, t.where(a), quote(string(cell)), what, hint)
		}
		return v, true, nil
	}
	if len(ahead) > 0 {
		b := &batch{d: t.d}
		for i, f := range ahead {
			for _, j := range js {
				b.buf = append(b.buf, f[j]...)
				b.ends = append(b.ends, len(b.buf))
			}
			b.lines = append(b.lines, aheadLines[i])
		}
		b.convert(conv)
		if err := t.add(b); err != nil {
			return nil, err
		}
	}
	if err := p.column(js, len(first), conv, t); err != nil {
		return nil, fail(err)
	}
	if len(t.x) == 0 {
		switch {
		case t.skipped > 0 && t.d == 1:
			return nil, fmt.Errorf("%s: %s has no values: all %d of its cells are missing values", src, t.where(0), t.skipped)
		case t.skipped > 0:
			return nil, fmt.Errorf("%s: no row has a number in %s: all %d rows miss every one of them", src, t.list(), t.skipped)
		case t.d == 1:
			return nil, fmt.Errorf("%s: %s has no values; it needs at least one row under the header", src, t.where(0))
		}
		return nil, fmt.Errorf("%s: %s have no values; they need at least one row under the header", src, t.list())
	}
	return t, nil
}

// where names column a of those read in an error message.
func (t *frame) where(a int) string {
	if t.header {
		return fmt.Sprintf("column %q", t.names[a])
	}
	return t.names[a]
}

// list names the columns read in a message.
func (t *frame) list() string {
	var s []string
	for a := range t.names {
		s = append(s, t.where(a))
	}
	return strings.Join(s, ", ")
}

// add appends the rows of the converted batch b to t, and returns the
// error that stopped its conversion or its splitting, if any.
func (t *frame) add(b *batch) error {
	t.x = append(t.x, b.vals...)
	if len(b.holes) > 0 && t.skipped == 0 {
		t.firstSkipped = b.lines[b.holes[0]]
	}
	for _, h := range b.holes {
		t.holes = append(t.holes, t.rows+h)
	}
	t.holeVals = append(t.holeVals, b.holeVals...)
	t.skipped += len(b.holes)
	if b.partial > 0 && t.partial == 0 {
		t.firstPartial = b.firstPartial
	}
	t.partial += b.partial
	t.rows += b.rowsDone
	if b.cellErr != nil {
		return b.cellErr
	}
	return b.err
}

// describe names a missing value at the start of "… is a missing value":
// "the cell is empty, which" or the cell quoted.
func describe(cell string) string {
	if cell == "" {
		return "the cell is empty, which"
	}
	return quote(cell)
}

// sepHint returns advice for rows of different lengths: the separator in
// use, and how to choose another.
func sepHint(sep byte, detected bool) string {
	if detected {
		return fmt.Sprintf(" (the rows were split at %s, found in the first rows; give another with -sep)", sepName(sep))
	}
	return ""
}

// sepName names a separator for messages.
func sepName(sep byte) string {
	switch sep {
	case '\t':
		return "tabs"
	case ',':
		return "commas"
	case ';':
		return "semicolons"
	}
	return strconv.QuoteRune(rune(sep))
}

// numeric reports whether every cell of a row is a number or a missing
// value, and at least one a number: a row of data, not a header.
func numeric(row []string) bool {
	n := 0
	for _, s := range row {
		c := bytes.TrimSpace([]byte(s))
		if missing(c) {
			continue
		}
		if _, what := parseNumber(c); what != "" {
			return false
		}
		n++
	}
	return n > 0
}

// checkEncoding returns an error if the text starting with head is not
// UTF-8: UTF-16, which spreadsheets write as "Unicode text", has a
// byte-order mark or NUL bytes between ASCII letters.
func checkEncoding(head []byte, src string) error {
	const advice = "save it as UTF-8 (in a spreadsheet: CSV UTF-8), or convert it with iconv -f UTF-16 -t UTF-8"
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}), bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return fmt.Errorf("%s is UTF-16 text (it starts with a UTF-16 byte-order mark); %s", src, advice)
	case bytes.IndexByte(head, 0) >= 0:
		return fmt.Errorf("%s holds NUL bytes, as UTF-16 text or a binary file does; %s", src, advice)
	}
	return nil
}

// detectSep returns the separator of the CSV text starting with head: of
// comma, semicolon and tab, the one that occurs, outside quotes, the same
// number of times and at least once on each of the first 20 non-empty
// lines that head holds whole, preferring tab, then semicolon (where a
// decimal comma is common), then comma. If none does, it takes the one
// that occurs most often on the first line, and comma when none occurs.
func detectSep(head []byte) byte {
	lines := splitLines(head, 20)
	cands := []byte{'\t', ';', ','}
	for _, s := range cands {
		n := -1
		for _, l := range lines {
			c := countOutside(l, s)
			if c == 0 || (n >= 0 && c != n) {
				n = -2
				break
			}
			n = c
		}
		if n > 0 {
			return s
		}
	}
	best, most := byte(','), 0
	if len(lines) > 0 {
		for _, s := range cands {
			if c := countOutside(lines[0], s); c > most {
				best, most = s, c
			}
		}
	}
	return best
}

// splitLines returns up to n non-empty lines that head holds whole: all
// but the last line, unless head is short enough to be the whole input.
func splitLines(head []byte, n int) [][]byte {
	whole := len(head) < 1<<16
	var lines [][]byte
	for len(head) > 0 && len(lines) < n {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			if whole {
				lines = append(lines, head)
			}
			break
		}
		if l := bytes.TrimRight(head[:i], "\r"); len(l) > 0 {
			lines = append(lines, l)
		}
		head = head[i+1:]
	}
	return lines
}

// countOutside counts s in l outside double quotes.
func countOutside(l []byte, s byte) int {
	n, in := 0, false
	for _, c := range l {
		switch {
		case c == '"':
			in = !in
		case c == s && !in:
			n++
		}
	}
	return n
}

// estimate returns the capacity to give the values: the input's size over
// the mean length of the lines in head, with 5% to spare, or a small
// number if the size is unknown.
func estimate(head []byte, size int64) int {
	lines := bytes.Count(head, []byte("\n"))
	if size <= 0 || lines == 0 {
		return 1024
	}
	per := float64(len(head)) / float64(lines)
	return int(min(1.05*float64(size)/per+1024, 1<<40))
}

// parser splits CSV text into records, RFC 4180 with spaces before a cell
// ignored, as encoding/csv does with TrimLeadingSpace (but never trimming
// the separator itself), counting lines for messages. Lines without a
// double quote, the common case, are split without copying.
type parser struct {
	br   *bufio.Reader
	sep  byte
	line int    // lines read
	long []byte // a line longer than the buffer
}

// parseError is malformed CSV, with its line.
type parseError struct {
	line int
	msg  string
}

func (e parseError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// fieldCountError is a row with n cells where the first row has another
// number.
type fieldCountError struct{ line, n int }

func (e fieldCountError) Error() string { return fmt.Sprintf("line %d has %d cells", e.line, e.n) }

// readLine returns the next line without its line ending, and io.EOF
// after the last. The slice is valid until the next call.
func (p *parser) readLine() ([]byte, error) {
	l, err := p.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		p.long = append(p.long[:0], l...)
		for err == bufio.ErrBufferFull {
			l, err = p.br.ReadSlice('\n')
			p.long = append(p.long, l...)
		}
		l = p.long
	}
	if len(l) == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	p.line++
	n := len(l)
	if n > 0 && l[n-1] == '\n' {
		n--
	}
	if n > 0 && l[n-1] == '\r' {
		n--
	}
	return l[:n], nil
}

// fields returns the cells of the next non-empty record and the line it
// starts on.
func (p *parser) fields() ([]string, int, error) {
	for {
		l, err := p.readLine()
		if err != nil {
			return nil, 0, err
		}
		if len(l) == 0 {
			continue
		}
		start := p.line
		if bytes.IndexByte(l, '"') < 0 {
			var f []string
			for _, c := range bytes.Split(l, []byte{p.sep}) {
				f = append(f, string(trimSpace(c, p.sep)))
			}
			return f, start, nil
		}
		f, err := p.quoted(l)
		return f, start, err
	}
}

// column converts cells js of every remaining record, each having n
// cells, with conv, and adds the rows to t, in order (see frame.add).
// Splitting the lines takes about a third of the time and converting the
// cells the rest, so the splitting runs in a goroutine of its own, batches
// of rows ahead, and the conversion in two more. The first error, of the
// splitting or of conv, in the order of the input, stops them all.
func (p *parser) column(js []int, n int, conv converter, t *frame) error {
	const pool, workers = 6, 2
	full, parsed := make(chan *batch, pool), make(chan *batch, pool)
	free := make(chan *batch, pool)
	for range pool {
		free <- &batch{d: len(js)}
	}
	done := make(chan struct{})
	defer close(done)
	go p.split(js, n, full, free, done)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range full {
				b.convert(conv)
				select {
				case parsed <- b:
				case <-done:
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(parsed)
	}()
	// The batches come back in any order; they are taken in turn.
	pending := map[int]*batch{}
	next := 0
	for b := range parsed {
		pending[b.seq] = b
		for q := pending[next]; q != nil; q = pending[next] {
			delete(pending, next)
			next++
			if err := t.add(q); err != nil {
				return err
			}
			free <- q
		}
	}
	return nil
}

// converter converts a cell of column a (of those read) on the given line:
// its value, or false for a missing value, or an error.
type converter func(cell []byte, line, a int) (float64, bool, error)

// batch is a run of rows of d cells, one cell after another in buf, cell i
// ending at ends[i] and row r starting on line lines[r], and, after them,
// the error that stopped the splitting, if any; then, once converted, the
// values of the rows with a number in some column (NaN where missing), the
// indices in the batch of the rows missing every column and their values
// (NaN), the number of rows kept that miss some values and the line of the
// first, the number of rows converted, and the error of the first cell
// that could not be converted.
type batch struct {
	seq         int
	d           int
	buf         []byte
	ends, lines []int
	err         error

	vals, holeVals []float64
	holes          []int
	partial        int
	firstPartial   int
	rowsDone       int
	cellErr        error
}

// convert converts the rows of b with conv, up to the first error.
func (b *batch) convert(conv converter) {
	b.vals, b.holeVals, b.holes, b.rowsDone, b.cellErr = b.vals[:0], b.holeVals[:0], b.holes[:0], 0, nil
	b.partial, b.firstPartial = 0, 0
	start := 0
	for r, line := range b.lines {
		row := len(b.vals)
		holes := 0
		for a := range b.d {
			end := b.ends[r*b.d+a]
			v, ok, err := conv(b.buf[start:end], line, a)
			start = end
			if err != nil {
				b.vals, b.cellErr = b.vals[:row], err
				return
			}
			if !ok {
				v = math.NaN()
				holes++
			}
			b.vals = append(b.vals, v)
		}
		switch {
		case holes == b.d:
			b.holes = append(b.holes, r)
			b.holeVals = append(b.holeVals, b.vals[row:]...)
			b.vals = b.vals[:row]
		case holes > 0:
			if b.partial == 0 {
				b.firstPartial = line
			}
			b.partial++
		}
		b.rowsDone++
	}
}

// batchSize is the number of rows in a batch.
const batchSize = 4096

// split sends cells js of the remaining records, each having n cells, in
// batches on full, taking empty batches from free, until the input ends or
// fails, or done is closed. It closes full when it returns.
func (p *parser) split(js []int, n int, full, free chan *batch, done chan struct{}) {
	defer close(full)
	var b *batch
	seq := 0
	send := func() bool {
		select {
		case full <- b:
			b = nil
			return true
		case <-done:
			return false
		}
	}
	starts := make([]int, n+1)
	for {
		if b == nil {
			select {
			case b = <-free:
				b.seq, b.buf, b.ends, b.lines, b.err = seq, b.buf[:0], b.ends[:0], b.lines[:0], nil
				seq++
			case <-done:
				return
			}
		}
		line, err := p.cells(js, n, b, starts)
		if err != nil {
			if err != io.EOF {
				b.err = err
			}
			send()
			return
		}
		b.lines = append(b.lines, line)
		if len(b.lines) == batchSize && !send() {
			return
		}
	}
}

// cells appends cells js of the next non-empty record, which must have n
// cells, to b's buffer, and returns the line the record starts on. starts
// is room for n + 1 offsets.
func (p *parser) cells(js []int, n int, b *batch, starts []int) (int, error) {
	for {
		l, err := p.readLine()
		if err != nil {
			return 0, err
		}
		if len(l) == 0 {
			continue
		}
		start := p.line
		if bytes.IndexByte(l, '"') >= 0 {
			f, err := p.quoted(l)
			if err != nil {
				return 0, err
			}
			if len(f) != n {
				return 0, fieldCountError{start, len(f)}
			}
			for _, j := range js {
				b.buf = append(b.buf, f[j]...)
				b.ends = append(b.ends, len(b.buf))
			}
			return start, nil
		}
		// starts[i] is where cell i begins, and starts[i+1] − 1 where it
		// ends.
		got, off := 1, 0
		starts[0] = 0
		for {
			i := bytes.IndexByte(l[off:], p.sep)
			if i < 0 {
				break
			}
			off += i + 1
			if got < n {
				starts[got] = off
			}
			got++
		}
		if got != n {
			return 0, fieldCountError{start, got}
		}
		starts[n] = len(l) + 1
		for _, j := range js {
			b.buf = append(b.buf, l[starts[j]:starts[j+1]-1]...)
			b.ends = append(b.ends, len(b.buf))
		}
		return start, nil
	}
}

// trimSpace removes the white space before a cell, other than the
// separator.
func trimSpace(c []byte, sep byte) []byte {
	for len(c) > 0 {
		r, size := utf8.DecodeRune(c)
		if !unicode.IsSpace(r) || (size == 1 && c[0] == sep) {
			break
		}
		c = c[size:]
	}
	return c
}

// quoted splits the record that starts with the line l, which holds a
// double quote, reading more lines while a quoted cell runs on.
func (p *parser) quoted(l []byte) ([]string, error) {
	start := p.line
	l = append([]byte(nil), l...)
	var f []string
	for {
		l = trimSpace(l, p.sep)
		if len(l) == 0 || l[0] != '"' {
			i := bytes.IndexByte(l, p.sep)
			cell := l
			if i >= 0 {
				cell = l[:i]
			}
			if bytes.IndexByte(cell, '"') >= 0 {
				return nil, parseError{p.line, `a double quote inside a cell that does not start with one; quote the whole cell and double the quotes inside it ("say ""hi""")`}
			}
			f = append(f, string(cell))
			if i < 0 {
				return f, nil
			}
			l = l[i+1:]
			continue
		}
		// A quoted cell: up to the closing quote, "" standing for ".
		var cell []byte
		l = l[1:]
		for {
			i := bytes.IndexByte(l, '"')
			if i < 0 {
				cell = append(cell, l...)
				next, err := p.readLine()
				if err != nil {
					return nil, parseError{start, "a quoted cell is not closed before the end of the input; close it with a double quote"}
				}
				cell = append(cell, '\n')
				l = append([]byte(nil), next...)
				continue
			}
			cell = append(cell, l[:i]...)
			l = l[i+1:]
			if len(l) > 0 && l[0] == '"' {
				cell = append(cell, '"')
				l = l[1:]
				continue
			}
			break
		}
		f = append(f, string(cell))
		switch {
		case len(l) == 0:
			return f, nil
		case l[0] == p.sep:
			l = l[1:]
		default:
			return nil, parseError{p.line, fmt.Sprintf("text after the closing double quote of a cell, where %s or the end of the line should be", sepName(p.sep))}
		}
	}
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
