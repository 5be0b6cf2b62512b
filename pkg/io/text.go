package cloudio

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// textLayout is what sniffing the first lines of a delimited file found.
type textLayout struct {
	term  byte // line terminator: '\n' (LF or CRLF) or '\r' (old Mac)
	delim byte // ',', ';', '\t', or 0 for runs of spaces and tabs
}

func (l textLayout) delimName() string {
	switch l.delim {
	case ',':
		return "comma"
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "whitespace"
}

// sniffText picks the line terminator and the delimiter from the lines at the start of
// the input (without consuming them). Comma, then semicolon, then tab is chosen when it
// splits the first row into 2 or more fields and at least half the sampled rows into as many; a tab
// must split every row alike and leave no empty field, because files aligned with tabs
// (spiral.txt: "20\t\t 2.9") double them. Otherwise fields are separated by runs of
// spaces and tabs.
func sniffText(src *source) textLayout {
	l := textLayout{term: '\n', delim: 0}
	want := min(1<<16, src.br.Size())
	sample, _ := src.br.Peek(want)
	if len(sample) == want && bytes.IndexByte(sample, '\n') < 0 && bytes.IndexByte(sample, '\r') < 0 {
		want = src.br.Size()
		sample, _ = src.br.Peek(want) // a first line longer than 64 KiB
	}
	atEOF := len(sample) < want
	if bytes.IndexByte(sample, '\n') < 0 && bytes.IndexByte(sample, '\r') >= 0 {
		l.term = '\r'
	}
	var rows [][]byte
	for len(sample) > 0 && len(rows) < 32 {
		i := bytes.IndexByte(sample, l.term)
		if i < 0 && !atEOF {
			if len(rows) == 0 {
				// A first line longer than the buffer (a row of 550,000 columns): its
				// first MiB shows the delimiter well; only its cut last field is dropped.
				if j := bytes.LastIndexAny(sample, ",;\t "); j > 0 && !isBlank(sample[:j]) && !isComment(sample[:j]) {
					rows = append(rows, sample[:j])
				}
			}
			break // an incomplete last line says nothing reliable
		}
		line := sample
		if i >= 0 {
			line, sample = sample[:i], sample[i+1:]
		} else {
			sample = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if !isBlank(line) && !isComment(line) {
			rows = append(rows, line)
		}
	}
	if len(rows) == 0 {
		return l
	}
	for _, d := range []byte{',', ';', '\t'} {
		n := len(splitFields(rows[0], d))
		if n < 2 {
			continue
		}
		same, empty := 0, false
		for _, r := range rows {
			f := splitFields(r, d)
			if len(f) == n {
				same++
			}
			for _, s := range f {
				empty = empty || s == ""
			}
		}
		// Commas and semicolons: at least half the rows agree with the first (a malformed row further
		// down is then reported as such). Tabs: every row agrees and none is empty.
		if (d != '\t' && 2*same >= len(rows)) || (d == '\t' && same == len(rows) && !empty) {
			l.delim = d
			return l
		}
	}
	return l
}

func isComment(line []byte) bool {
	for _, c := range line {
		if c != ' ' && c != '\t' {
			return c == '#'
		}
	}
	return false
}

// splitFields splits a line into unquoted, space-trimmed fields; delim 0 means runs of
// spaces and tabs. A field in double quotes may hold the delimiter, and "" stands for a
// quote inside it. It allocates, so rows without quotes take rowParser's fast path.
func splitFields(line []byte, delim byte) []string {
	var out []string
	i, n := 0, len(line)
	for {
		if delim == 0 {
			for i < n && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
			if i == n {
				return out
			}
		} else {
			for i < n && (line[i] == ' ' || (line[i] == '\t' && delim != '\t')) {
				i++
			}
		}
		var field []byte
		if i < n && line[i] == '"' {
			i++
			for i < n {
				if line[i] == '"' {
					if i+1 < n && line[i+1] == '"' {
						field = append(field, '"')
						i += 2
						continue
					}
					i++
					break
				}
				field = append(field, line[i])
				i++
			}
			// anything between the closing quote and the delimiter is kept, unquoted
			for i < n && !isSep(line[i], delim) {
				field = append(field, line[i])
				i++
			}
		} else {
			j := i
			for j < n && !isSep(line[j], delim) {
				j++
			}
			field = line[i:j]
			i = j
		}
		out = append(out, string(bytes.TrimRight(field, " \t")))
		if delim == 0 {
			continue
		}
		if i >= n {
			return out
		}
		i++ // past the delimiter
	}
}

func isSep(c, delim byte) bool {
	if delim == 0 {
		return c == ' ' || c == '\t'
	}
	return c == delim
}

// rowParser parses the selected columns of a data row.
type rowParser struct {
	delim  byte
	ncols  int
	target []int    // per column: the output slot, or -1 for a column not read
	names  []string // per column, for messages
}

func (p *rowParser) value(f []byte, col int, out []float64) error {
	v, ok := parseFloat(f)
	if !ok {
		if len(f) == 0 {
			return fmt.Errorf("empty value in column %s", p.names[col])
		}
		return fmt.Errorf("%q in column %s is not a number", f, p.names[col])
	}
	if !finite(v) {
		return fmt.Errorf("column %s is %v (only finite coordinates are allowed)", p.names[col], v)
	}
	out[p.target[col]] = v
	return nil
}

func (p *rowParser) fieldCount(n int) error {
	return fmt.Errorf("%d fields, expected %d (as in the first row)", n, p.ncols)
}

// parse reads the selected columns of line into out and checks the number of fields.
// Only the selected columns go through the float parser.
func (p *rowParser) parse(line []byte, out []float64) error {
	if bytes.IndexByte(line, '"') >= 0 {
		return p.parseQuoted(line, out)
	}
	f := 0
	if p.delim == 0 {
		pos := 0
		for {
			fld := nextField(line, &pos)
			if len(fld) == 0 {
				break
			}
			if f < p.ncols && p.target[f] >= 0 {
				if err := p.value(fld, f, out); err != nil {
					return err
				}
			}
			f++
		}
	} else {
		i := 0
		for {
			j := bytes.IndexByte(line[i:], p.delim)
			end := len(line)
			if j >= 0 {
				end = i + j
			}
			if f < p.ncols && p.target[f] >= 0 {
				if err := p.value(trimSpace(line[i:end]), f, out); err != nil {
					return err
				}
			}
			f++
			if j < 0 {
				break
			}
			i = end + 1
		}
	}
	if f != p.ncols {
		return p.fieldCount(f)
	}
	return nil
}

func (p *rowParser) parseQuoted(line []byte, out []float64) error {
	fields := splitFields(line, p.delim)
	if len(fields) != p.ncols {
		return p.fieldCount(len(fields))
	}
	for c, s := range fields {
		if p.target[c] >= 0 {
			if err := p.value([]byte(s), c, out); err != nil {
				return err
			}
		}
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// isHeader reports whether a first row names its columns: some non-empty field is not
// a number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		if f == "" {
			continue
		}
		if _, ok := parseFloat([]byte(f)); !ok {
			return true
		}
	}
	return false
}

// columnChooser picks the columns to read given the header (nil when the file has none)
// and the number of columns; it returns their indices and names.
type columnChooser func(header []string, ncols int) (cols []int, names []string, err error)

// delimited is a parsed delimited text file: the chosen columns, row-major.
type delimited struct {
	layout textLayout
	names  []string
	header []string
	values []float64
	rows   int
}

// readDelimited streams a delimited text file, parsing only the chosen columns.
func readDelimited(src *source, choose columnChooser) (*delimited, error) {
	if err := checkTextBytes(src); err != nil {
		return nil, err
	}
	lay := sniffText(src)
	lr := &lineReader{br: src.br, term: lay.term}
	first, err := nextDataLine(lr)
	if err == io.EOF {
		return nil, fileError(src.name, nil, "empty input: no points")
	}
	if err != nil {
		return nil, lineError(src.name, lr.line, err, "reading")
	}
	first = bytes.TrimPrefix(first, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	fields := splitFields(first, lay.delim)
	firstLine := lr.line
	d := &delimited{layout: lay}
	if isHeader(fields) {
		d.header = fields
	}
	cols, names, err := choose(d.header, len(fields))
	if err != nil {
		return nil, lineError(src.name, firstLine, nil, "%v", err)
	}
	d.names = names
	p := &rowParser{delim: lay.delim, ncols: len(fields), target: make([]int, len(fields)), names: make([]string, len(fields))}
	for c := range p.target {
		p.target[c] = -1
		if d.header != nil {
			p.names[c] = strconv.Quote(d.header[c])
		} else {
			p.names[c] = strconv.Itoa(c + 1)
		}
	}
	for k, c := range cols {
		p.target[c] = k
	}
	dim := len(cols)
	// Size the values once from a count of the remaining lines when the input can
	// seek (a count at memchr speed costs far less than growing and copying).
	// The count includes blank and comment lines, so it is bounded (presizeValues).
	if n, ok := src.countLines(lay.term); ok {
		d.values = make([]float64, 0, presizeValues((n+1)*int64(dim)))
	}
	line := first
	if d.header != nil {
		line, err = nextDataLine(lr)
	}
	for err == nil {
		if len(d.values)+dim > cap(d.values) {
			if d.values, err = growValues(src, d.values, dim); err != nil {
				return nil, err
			}
		}
		base := len(d.values)
		d.values = d.values[:base+dim]
		if perr := p.parse(line, d.values[base:]); perr != nil {
			return nil, lineError(src.name, lr.line, nil, "%v", perr)
		}
		d.rows++
		line, err = nextDataLine(lr)
	}
	if err != io.EOF {
		return nil, lineError(src.name, lr.line, err, "reading")
	}
	if d.rows == 0 {
		return nil, lineError(src.name, firstLine, nil, "no data rows after the header: no points")
	}
	return d, nil
}

// nextDataLine skips blank lines and '#' comments.
func nextDataLine(lr *lineReader) ([]byte, error) {
	for {
		b, err := lr.next()
		if err != nil {
			return nil, err
		}
		for _, c := range b { // the first non-blank byte decides
			if c != ' ' && c != '\t' {
				if c == '#' {
					break
				}
				return b, nil
			}
		}
	}
}

// countLines counts the line terminators from the reader's position to the end of the
// input, plus one for a last line without one, then puts the underlying reader back
// where it was. ok is false when the input cannot seek.
func (s *source) countLines(term byte) (n int64, ok bool) {
	if s.seeker == nil {
		return 0, false
	}
	pos, err := s.seeker.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false
	}
	defer s.seeker.Seek(pos, io.SeekStart)
	buffered, _ := s.br.Peek(s.br.Buffered())
	n = int64(bytes.Count(buffered, []byte{term}))
	buf := make([]byte, min(1<<20, max(s.size, 0)+1))
	for {
		k, err := s.seeker.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{term}))
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, false
		}
	}
	return n + 1, true
}

// chooseCoordinates implements the column rule of the CLI: --columns by name or 1-based
// index; else x, y and z named (case-insensitively; x, y alone make a 2D cloud); else,
// for a file without a header, the first 3 columns (2 if there are only 2).
func chooseCoordinates(spec []string) columnChooser {
	return func(header []string, ncols int) ([]int, []string, error) {
		var cols []int
		if len(spec) == 0 && ncols < 2 {
			return nil, nil, fmt.Errorf("only %d column; a cloud needs 2 or 3 coordinates", ncols)
		}
		if len(spec) > 0 {
			if len(spec) < 2 || len(spec) > 3 {
				return nil, nil, fmt.Errorf("--columns names %d columns; a cloud is 2D or 3D", len(spec))
			}
			for _, s := range spec {
				c, err := findColumn(header, ncols, s)
				if err != nil {
					return nil, nil, err
				}
				for _, prev := range cols {
					if prev == c {
						return nil, nil, fmt.Errorf("column %q selected twice in --columns", s)
					}
				}
				cols = append(cols, c)
			}
		} else if header != nil {
			idx := [3]int{-1, -1, -1}
			for k, want := range []string{"x", "y", "z"} {
				for c, h := range header {
					if strings.EqualFold(h, want) {
						idx[k] = c
						break
					}
				}
			}
			if idx[0] < 0 || idx[1] < 0 {
				return nil, nil, fmt.Errorf("the header has no x and y columns (columns: %s); choose 2 or 3 coordinate columns with --columns, e.g. --columns %s", quoteList(header), exampleColumns(header))
			}
			cols = []int{idx[0], idx[1]}
			if idx[2] >= 0 {
				cols = append(cols, idx[2])
			}
		} else {
			switch {
			case ncols >= 3:
				cols = []int{0, 1, 2}
			case ncols == 2:
				cols = []int{0, 1}
			default:
				return nil, nil, fmt.Errorf("only %d column; a cloud needs 2 or 3 coordinates", ncols)
			}
		}
		names := make([]string, len(cols))
		for k, c := range cols {
			if header != nil {
				names[k] = header[c]
			} else {
				names[k] = "xyz"[k : k+1]
			}
		}
		return cols, names, nil
	}
}

// findColumn resolves a --columns entry: a header name (exact, then case-insensitive),
// else a 1-based index.
func findColumn(header []string, ncols int, s string) (int, error) {
	s = strings.TrimSpace(s)
	for c, h := range header {
		if h == s {
			return c, nil
		}
	}
	for c, h := range header {
		if strings.EqualFold(h, s) {
			return c, nil
		}
	}
	if i, err := strconv.Atoi(s); err == nil {
		if i < 1 || i > ncols {
			return 0, fmt.Errorf("column %d out of range: the file has %d columns", i, ncols)
		}
		return i - 1, nil
	}
	if header == nil {
		return 0, fmt.Errorf("column %q: the file has no header, so columns are chosen by 1-based index (1..%d)", s, ncols)
	}
	return 0, fmt.Errorf("no column %q (columns: %s)", s, quoteList(header))
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// exampleColumns suggests a --columns value: the first three non-empty names.
func exampleColumns(header []string) string {
	var ex []string
	for _, h := range header {
		switch strings.ToLower(h) {
		case "", "id", "index", "rownames", "row", "label":
			continue // row numbers and labels are seldom coordinates
		}
		if !strings.ContainsAny(h, ", ") && len(ex) < 3 {
			ex = append(ex, h)
		}
	}
	if len(ex) < 2 {
		return "1,2,3"
	}
	return strings.Join(ex, ",")
}

// readText reads a cloud from delimited text.
func readText(src *source, columns []string) (*Cloud, error) {
	d, err := readDelimited(src, chooseCoordinates(columns))
	if err != nil {
		return nil, err
	}
	return &Cloud{Points: d.values, Dim: len(d.names), Names: d.names, Format: "csv", Source: src.name}, nil
}
