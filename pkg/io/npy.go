package cloudio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// NumPy .npy arrays (format versions 1.0-3.0) are read and written by hand. The module
// codeberg.org/sbinet/npyio was considered: it allocates the array from the header's
// shape before reading any data (a 100-byte file claiming 10^12 rows asks for terabytes),
// decodes one value per read call, reads float32 data only into []float32, and brings
// gopickle and newer golang.org/x/text versions into the build; the subset needed here
// (2-D float32/float64 arrays in either byte order and either memory order) is small.

const npyMagic = "\x93NUMPY"

// npyHeader is the parsed header dictionary of a 2-D float array.
type npyHeader struct {
	order      binary.ByteOrder
	size       int // 4 or 8
	fortran    bool
	rows, cols int64
	dataOffset int64
}

var (
	npyDescrRe   = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	npyFortranRe = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShapeRe   = regexp.MustCompile(`'shape'\s*:\s*\(([^)]*)\)`)
)

// readNPYHeader reads the magic, version and header dictionary.
func readNPYHeader(src *source) (*npyHeader, error) {
	var pre [10]byte
	if n, err := io.ReadFull(src.br, pre[:8]); err != nil {
		return nil, offsetError(src.name, int64(n), nil, "truncated .npy header")
	}
	if string(pre[:6]) != npyMagic {
		return nil, offsetError(src.name, 0, nil, "not a NumPy .npy file: it does not start with \\x93NUMPY")
	}
	var hlen, off int64
	switch pre[6] {
	case 1:
		if n, err := io.ReadFull(src.br, pre[8:10]); err != nil {
			return nil, offsetError(src.name, 8+int64(n), nil, "truncated .npy header")
		}
		hlen, off = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case 2, 3:
		var l [4]byte
		if n, err := io.ReadFull(src.br, l[:]); err != nil {
			return nil, offsetError(src.name, 8+int64(n), nil, "truncated .npy header")
		}
		hlen, off = int64(binary.LittleEndian.Uint32(l[:])), 12
	default:
		return nil, offsetError(src.name, 6, nil, ".npy format version %d.%d is not supported (want 1.0 to 3.0)", pre[6], pre[7])
	}
	// A dictionary of a 2-D array takes under 200 bytes; writers pad it to a multiple of
	// 64. Anything much longer is not a plain float array.
	if hlen > 1<<16 {
		return nil, offsetError(src.name, 8, nil, ".npy header of %d bytes: too long for a plain array", hlen)
	}
	dict := make([]byte, hlen)
	if n, err := io.ReadFull(src.br, dict); err != nil {
		return nil, offsetError(src.name, off+int64(n), nil, "truncated .npy header: it declares %d bytes", hlen)
	}
	h := &npyHeader{dataOffset: off + hlen}
	d := string(dict)
	m := npyDescrRe.FindStringSubmatch(d)
	if m == nil {
		return nil, offsetError(src.name, off, nil, ".npy header has no 'descr'")
	}
	switch m[1] {
	case "<f8", "=f8":
		h.order, h.size = binary.LittleEndian, 8
	case ">f8":
		h.order, h.size = binary.BigEndian, 8
	case "<f4", "=f4":
		h.order, h.size = binary.LittleEndian, 4
	case ">f4":
		h.order, h.size = binary.BigEndian, 4
	default:
		return nil, offsetError(src.name, off, nil, ".npy array of dtype %q: want float32 or float64 (e.g. a.astype(np.float64))", m[1])
	}
	m = npyFortranRe.FindStringSubmatch(d)
	if m == nil {
		return nil, offsetError(src.name, off, nil, ".npy header has no 'fortran_order'")
	}
	h.fortran = m[1] == "True"
	m = npyShapeRe.FindStringSubmatch(d)
	if m == nil {
		return nil, offsetError(src.name, off, nil, ".npy header has no 'shape'")
	}
	var dims []int64
	for _, f := range strings.Split(m[1], ",") {
		if f = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f), "L")); f == "" {
			continue
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil || v < 0 {
			return nil, offsetError(src.name, off, nil, ".npy shape (%s) is not a tuple of sizes", m[1])
		}
		dims = append(dims, v)
	}
	if len(dims) != 2 {
		return nil, offsetError(src.name, off, nil, ".npy array of shape (%s): want 2-D, N x 2 or N x 3 (one point per row)", m[1])
	}
	h.rows, h.cols = dims[0], dims[1]
	return h, nil
}

// readNPYData reads the rows x cols values after the header into a row-major float64
// slice, checking the declared size against the input's size first.
func readNPYData(src *source, h *npyHeader) ([]float64, error) {
	if h.rows == 0 || h.cols == 0 {
		return nil, offsetError(src.name, h.dataOffset, nil, ".npy array of shape (%d, %d): no values", h.rows, h.cols)
	}
	if h.rows > math.MaxInt64/int64(h.size)/h.cols {
		return nil, offsetError(src.name, h.dataOffset, nil, ".npy shape (%d, %d) cannot fit in a file", h.rows, h.cols)
	}
	total := h.rows * h.cols
	if src.size >= 0 && total*int64(h.size) > src.size-h.dataOffset {
		return nil, offsetError(src.name, h.dataOffset, nil, ".npy shape (%d, %d) needs %d bytes of data, but the file holds %d", h.rows, h.cols, total*int64(h.size), src.size-h.dataOffset)
	}
	initial := total
	if src.size < 0 {
		initial = min(total, 1<<16)
	}
	vals := make([]float64, 0, initial)
	block := make([]byte, min(total*int64(h.size), 128<<10))
	off := h.dataOffset
	for done := int64(0); done < total; {
		n := min(int64(len(block)/h.size), total-done)
		b := block[:n*int64(h.size)]
		got, err := io.ReadFull(src.br, b)
		if err != nil {
			return nil, offsetError(src.name, off+int64(got), nil, "truncated .npy data: the input ends at value %d of %d", done+int64(got/h.size)+1, total)
		}
		vals = growPoints(vals, int(n), total)
		if h.size == 8 {
			for i := int64(0); i < n; i++ {
				vals = append(vals, math.Float64frombits(h.order.Uint64(b[8*i:])))
			}
		} else {
			for i := int64(0); i < n; i++ {
				vals = append(vals, float64(math.Float32frombits(h.order.Uint32(b[4*i:]))))
			}
		}
		off += int64(len(b))
		done += n
	}
	if h.fortran { // column-major on disk: transpose to row-major
		t := make([]float64, total)
		for c := int64(0); c < h.cols; c++ {
			for r := int64(0); r < h.rows; r++ {
				t[r*h.cols+c] = vals[c*h.rows+r]
			}
		}
		vals = t
	}
	if b, _ := src.br.Peek(1); len(b) > 0 {
		return nil, offsetError(src.name, off, nil, "data after the .npy array of shape (%d, %d)", h.rows, h.cols)
	}
	return vals, nil
}

// readNPY reads an N x 2 or N x 3 float array as a cloud.
func readNPY(src *source) (*Cloud, error) {
	h, err := readNPYHeader(src)
	if err != nil {
		return nil, err
	}
	if h.cols != 2 && h.cols != 3 {
		return nil, offsetError(src.name, 8, nil, ".npy array of shape (%d, %d): want N x 2 or N x 3 (one point per row)", h.rows, h.cols)
	}
	vals, err := readNPYData(src, h)
	if err != nil {
		return nil, err
	}
	for i, v := range vals {
		if !finite(v) {
			return nil, offsetError(src.name, h.dataOffset+int64(h.size)*npyIndex(h, int64(i)), nil,
				"point %d: %s is %v (only finite coordinates are allowed)", int64(i)/h.cols+1, "xyz"[int64(i)%h.cols:int64(i)%h.cols+1], v)
		}
	}
	order := "C"
	if h.fortran {
		order = "Fortran"
	}
	kind := "float64"
	if h.size == 4 {
		kind = "float32"
	}
	return &Cloud{Points: vals, Dim: int(h.cols), Names: []string{"x", "y", "z"}[:h.cols], Source: src.name,
		Format: fmt.Sprintf("npy %s %s-order", kind, order)}, nil
}

// npyIndex is the position in the file's data of row-major value i.
func npyIndex(h *npyHeader, i int64) int64 {
	if !h.fortran {
		return i
	}
	return (i%h.cols)*h.rows + i/h.cols
}

// ReadNPYArray reads a 2-D float32 or float64 .npy array of any width, row-major as
// float64, e.g. an eigenvector file written by WriteNPY.
func ReadNPYArray(r io.Reader, source string) (vals []float64, rows, cols int, err error) {
	src := newSource(r, source)
	h, err := readNPYHeader(src)
	if err != nil {
		return nil, 0, 0, err
	}
	vals, err = readNPYData(src, h)
	if err != nil {
		return nil, 0, 0, err
	}
	return vals, int(h.rows), int(h.cols), nil
}

// WriteNPY writes the table's columns as one N x C little-endian float64 array in C
// order (format 1.0), which numpy.load reads bit for bit. The names are not stored.
func WriteNPY(w io.Writer, t *Table) error {
	if len(t.Columns) == 0 {
		return fmt.Errorf("WriteNPY: no columns")
	}
	s, err := NewNPYStream(w, len(t.Columns[0]), len(t.Columns))
	if err != nil {
		return err
	}
	return s.Write(t.Columns)
}

// NPYStream writes a C-order float64 .npy array of a known shape a block of rows at a
// time, in WriteNPY's format: for outputs too large to hold at once (landmark runs).
type NPYStream struct {
	w          io.Writer
	rows, cols int
	written    int
	buf        []byte
}

// NewNPYStream writes the header of a rows x cols array.
func NewNPYStream(w io.Writer, rows, cols int) (*NPYStream, error) {
	if cols == 0 {
		return nil, fmt.Errorf("WriteNPY: no columns")
	}
	dict := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
	// numpy pads the header with spaces so that the data starts on a 64-byte boundary,
	// ending it with a newline.
	pad := 64 - (10+len(dict)+1)%64
	if pad == 64 {
		pad = 0
	}
	hdr := make([]byte, 0, 10+len(dict)+pad+1)
	hdr = append(hdr, npyMagic...)
	hdr = append(hdr, 1, 0)
	hdr = binary.LittleEndian.AppendUint16(hdr, uint16(len(dict)+pad+1))
	hdr = append(hdr, dict...)
	hdr = append(hdr, strings.Repeat(" ", pad)...)
	hdr = append(hdr, '\n')
	if _, err := w.Write(hdr); err != nil {
		return nil, err
	}
	return &NPYStream{w: w, rows: rows, cols: cols, buf: make([]byte, 0, flushAt+8*cols)}, nil
}

// Write appends one row per entry of the columns (cols columns of equal length); the
// rows written may not exceed the header's.
func (s *NPYStream) Write(cols [][]float64) error {
	n, err := blockRows("WriteNPY", cols, s.cols)
	if err != nil {
		return err
	}
	if s.written+n > s.rows {
		return fmt.Errorf("WriteNPY: %d rows for an array of %d", s.written+n, s.rows)
	}
	s.written += n
	buf := s.buf[:0]
	for i := 0; i < n; i++ {
		for _, col := range cols {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(col[i]))
		}
		if buf, err = flushFull(s.w, buf); err != nil {
			return err
		}
	}
	_, err = s.w.Write(buf)
	s.buf = buf[:0]
	return err
}
