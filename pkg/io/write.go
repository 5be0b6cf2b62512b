package cloudio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// flushAt is the size at which the writers hand their row buffer to w: big enough that
// an unbuffered w (a file) sees few calls.
const flushAt = 64 << 10

// flushFull hands buf to w once it holds flushAt bytes, and returns it emptied.
func flushFull(w io.Writer, buf []byte) ([]byte, error) {
	if len(buf) < flushAt {
		return buf, nil
	}
	_, err := w.Write(buf)
	return buf[:0], err
}

// WriteCSV writes a header row and one row per entry, floats in shortest round-trip form
// (strconv 'g', -1), so that reading the file back gives the same float64 bits.
func WriteCSV(w io.Writer, t *Table) error {
	if len(t.Names) != len(t.Columns) {
		return fmt.Errorf("WriteCSV: %d names for %d columns", len(t.Names), len(t.Columns))
	}
	s, err := NewCSVStream(w, t.Names)
	if err != nil {
		return err
	}
	return s.Write(t.Columns)
}

// CSVStream writes a CSV header, then blocks of rows as the caller produces them, in
// WriteCSV's format: for outputs too large to hold at once (landmark runs).
type CSVStream struct {
	w    io.Writer
	ncol int
	bufs [][]byte
}

// NewCSVStream writes the header row.
func NewCSVStream(w io.Writer, names []string) (*CSVStream, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("WriteCSV: no columns")
	}
	var head []byte
	for c, name := range names {
		if c > 0 {
			head = append(head, ',')
		}
		head = appendCSVName(head, name)
	}
	if _, err := w.Write(append(head, '\n')); err != nil {
		return nil, err
	}
	return &CSVStream{w: w, ncol: len(names)}, nil
}

// Write appends one row per entry of the columns (one per header name, equal lengths).
func (s *CSVStream) Write(cols [][]float64) error {
	n, err := blockRows("WriteCSV", cols, s.ncol)
	if err != nil {
		return err
	}
	// Shortest round-trip formatting (~100-200 ns a number) is nearly all of the cost, so
	// blocks of rows are formatted on all cores, a round at a time, and written in order.
	workers := max(1, min(runtime.GOMAXPROCS(0), (n+csvBlockRows-1)/csvBlockRows))
	if len(s.bufs) < workers {
		s.bufs = append(s.bufs, make([][]byte, workers-len(s.bufs))...)
	}
	bufs := s.bufs[:workers]
	for start := 0; start < n; start += workers * csvBlockRows {
		var wg sync.WaitGroup
		for k := range bufs {
			lo := start + k*csvBlockRows
			hi := min(lo+csvBlockRows, n)
			bufs[k] = bufs[k][:0]
			if lo >= hi {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				bufs[k] = appendCSVRows(bufs[k], cols, lo, hi)
			}()
		}
		wg.Wait()
		for _, b := range bufs {
			if _, err := s.w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// csvBlockRows is the rows per formatting job of WriteCSV (about 200 KB of text for ten
// columns).
const csvBlockRows = 2048

// appendCSVRows appends rows lo..hi-1 of the columns as CSV lines.
func appendCSVRows(buf []byte, cols [][]float64, lo, hi int) []byte {
	for i := lo; i < hi; i++ {
		for c, col := range cols {
			if c > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, col[i], 'g', -1, 64)
		}
		buf = append(buf, '\n')
	}
	return buf
}

// appendCSVName writes a header name, in double quotes (with "" for a quote) when a
// reader could otherwise split, trim or skip it.
func appendCSVName(buf []byte, name string) []byte {
	if name != "" && !strings.ContainsAny(name, ",;\"\t\r\n#") && strings.TrimSpace(name) == name {
		return append(buf, name...)
	}
	buf = append(buf, '"')
	for i := 0; i < len(name); i++ {
		if name[i] == '"' {
			buf = append(buf, '"')
		}
		buf = append(buf, name[i])
	}
	return append(buf, '"')
}

// PLYOutput is what WritePLY writes: points, the input's carried properties, extra
// float properties, optional colours and header comments.
type PLYOutput struct {
	Points []float64 // N x Dim (2D clouds are written with z = 0)
	Dim    int
	// Carry are the input's properties, written after x, y, z with their own types; a
	// name that clashes with x, y, z, a Props name or the colours gets an "input_" prefix.
	Carry    []Prop
	Props    []string    // extra float property names
	Values   [][]float64 // one column per property, each of length N
	RGB      []uint8     // 3 per point, or nil
	Comment  string      // optional header comment (one line)
	Comments []string    // more header comments, one line each
}

// WritePLY writes a binary little-endian PLY: one vertex element with x, y, z (float when
// every coordinate is a float32 exactly, double otherwise, so that nothing is rounded),
// the carried properties, a float property per extra column and, when RGB is set, uchar
// red, green, blue.
func WritePLY(w io.Writer, p *PLYOutput) error {
	if p.Dim != 2 && p.Dim != 3 {
		return fmt.Errorf("WritePLY: dimension %d (want 2 or 3)", p.Dim)
	}
	if len(p.Points)%p.Dim != 0 {
		return fmt.Errorf("WritePLY: %d coordinates is not a multiple of dimension %d", len(p.Points), p.Dim)
	}
	n := len(p.Points) / p.Dim
	if len(p.Props) != len(p.Values) {
		return fmt.Errorf("WritePLY: %d property names for %d value columns", len(p.Props), len(p.Values))
	}
	for i, v := range p.Values {
		if len(v) != n {
			return fmt.Errorf("WritePLY: property %q has %d values for %d points", p.Props[i], len(v), n)
		}
	}
	if p.RGB != nil && len(p.RGB) != 3*n {
		return fmt.Errorf("WritePLY: %d colour bytes for %d points (want 3 per point)", len(p.RGB), n)
	}
	comments := p.Comments
	if p.Comment != "" {
		comments = append([]string{p.Comment}, comments...)
	}
	var h strings.Builder
	h.WriteString("ply\nformat binary_little_endian 1.0\n")
	for _, c := range comments {
		if strings.ContainsAny(c, "\r\n") {
			return fmt.Errorf("WritePLY: a comment must be a single line")
		}
		h.WriteString("comment " + c + "\n")
	}
	coordType := "float"
	if !allFloat32(p.Points) {
		coordType = "double"
	}
	fmt.Fprintf(&h, "element vertex %d\nproperty %s x\nproperty %s y\nproperty %s z\n", n, coordType, coordType, coordType)
	taken := map[string]bool{"x": true, "y": true, "z": true}
	for _, name := range p.Props {
		taken[name] = true
	}
	if p.RGB != nil {
		taken["red"], taken["green"], taken["blue"] = true, true, true
	}
	carryTypes := make([]plyType, len(p.Carry))
	for i, c := range p.Carry {
		t, ok := plyTypes[c.Type]
		if !ok {
			return fmt.Errorf("WritePLY: carried property %q has type %q", c.Name, c.Type)
		}
		if len(c.Values) != n {
			return fmt.Errorf("WritePLY: carried property %q has %d values for %d points", c.Name, len(c.Values), n)
		}
		carryTypes[i] = t
		name := PLYName(c.Name)
		for taken[name] {
			name = "input_" + name
		}
		taken[name] = true
		fmt.Fprintf(&h, "property %s %s\n", plyTypeName(t), name)
	}
	for _, name := range p.Props {
		if name == "" || strings.ContainsAny(name, " \t\r\n") {
			return fmt.Errorf("WritePLY: property name %q must be a non-empty word", name)
		}
		fmt.Fprintf(&h, "property float %s\n", name)
	}
	if p.RGB != nil {
		h.WriteString("property uchar red\nproperty uchar green\nproperty uchar blue\n")
	}
	h.WriteString("end_header\n")
	if _, err := io.WriteString(w, h.String()); err != nil {
		return err
	}
	buf := make([]byte, 0, flushAt+1024)
	le := binary.LittleEndian
	for i := 0; i < n; i++ {
		xyz := [3]float64{p.Points[p.Dim*i], p.Points[p.Dim*i+1], 0}
		if p.Dim == 3 {
			xyz[2] = p.Points[3*i+2]
		}
		for _, v := range xyz {
			if coordType == "double" {
				buf = le.AppendUint64(buf, math.Float64bits(v))
			} else {
				buf = le.AppendUint32(buf, math.Float32bits(float32(v)))
			}
		}
		for j, c := range p.Carry {
			buf = appendPLYValue(buf, carryTypes[j], c.Values[i])
		}
		for _, v := range p.Values {
			buf = le.AppendUint32(buf, math.Float32bits(float32(v[i])))
		}
		if p.RGB != nil {
			buf = append(buf, p.RGB[3*i:3*i+3]...)
		}
		var err error
		if buf, err = flushFull(w, buf); err != nil {
			return err
		}
	}
	_, err := w.Write(buf)
	return err
}

// allFloat32 reports whether every value is a float32 exactly.
func allFloat32(v []float64) bool {
	for _, x := range v {
		if float64(float32(x)) != x {
			return false
		}
	}
	return true
}

// appendPLYValue appends v as a little-endian value of type t. Carried values came from
// that type, so the conversions are exact.
func appendPLYValue(buf []byte, t plyType, v float64) []byte {
	le := binary.LittleEndian
	switch t {
	case plyInt8:
		return append(buf, byte(int8(v)))
	case plyUint8:
		return append(buf, byte(v))
	case plyInt16:
		return le.AppendUint16(buf, uint16(int16(v)))
	case plyUint16:
		return le.AppendUint16(buf, uint16(v))
	case plyInt32:
		return le.AppendUint32(buf, uint32(int32(v)))
	case plyUint32:
		return le.AppendUint32(buf, uint32(v))
	case plyFloat32:
		return le.AppendUint32(buf, math.Float32bits(float32(v)))
	}
	return le.AppendUint64(buf, math.Float64bits(v))
}

// PLYName makes a column name a PLY property name: one word of letters, digits and
// underscores ("Scan Angle" -> "Scan_Angle", "" -> "unnamed").
func PLYName(s string) string {
	b := []byte(strings.TrimSpace(s))
	for i, c := range b {
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "unnamed"
	}
	return string(b)
}

// blockRows checks that a block for a streaming writer has want columns of one length,
// and returns that length.
func blockRows(writer string, cols [][]float64, want int) (int, error) {
	if len(cols) != want {
		return 0, fmt.Errorf("%s: %d columns for %d", writer, len(cols), want)
	}
	n := len(cols[0])
	for c, col := range cols {
		if len(col) != n {
			return 0, fmt.Errorf("%s: column %d has %d rows, column 1 has %d", writer, c+1, len(col), n)
		}
	}
	return n, nil
}
