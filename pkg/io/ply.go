package cloudio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// plyType is a PLY scalar type.
type plyType uint8

const (
	plyInt8 plyType = iota + 1
	plyUint8
	plyInt16
	plyUint16
	plyInt32
	plyUint32
	plyFloat32
	plyFloat64
)

// plyTypes maps both spellings of each PLY scalar type (the 1990s names and the
// sized ones that numpy-based writers use).
var plyTypes = map[string]plyType{
	"char": plyInt8, "int8": plyInt8,
	"uchar": plyUint8, "uint8": plyUint8,
	"short": plyInt16, "int16": plyInt16,
	"ushort": plyUint16, "uint16": plyUint16,
	"int": plyInt32, "int32": plyInt32,
	"uint": plyUint32, "uint32": plyUint32,
	"float": plyFloat32, "float32": plyFloat32,
	"double": plyFloat64, "float64": plyFloat64,
}

func (t plyType) size() int {
	switch t {
	case plyInt8, plyUint8:
		return 1
	case plyInt16, plyUint16:
		return 2
	case plyInt32, plyUint32, plyFloat32:
		return 4
	}
	return 8
}

func (t plyType) isInt() bool { return t != plyFloat32 && t != plyFloat64 }

// decode reads one value of type t from the start of b.
func (t plyType) decode(b []byte, order binary.ByteOrder) float64 {
	switch t {
	case plyInt8:
		return float64(int8(b[0]))
	case plyUint8:
		return float64(b[0])
	case plyInt16:
		return float64(int16(order.Uint16(b)))
	case plyUint16:
		return float64(order.Uint16(b))
	case plyInt32:
		return float64(int32(order.Uint32(b)))
	case plyUint32:
		return float64(order.Uint32(b))
	case plyFloat32:
		return float64(math.Float32frombits(order.Uint32(b)))
	}
	return math.Float64frombits(order.Uint64(b))
}

type plyProp struct {
	name     string
	typ      plyType // the scalar type, or a list's item type
	list     bool
	countTyp plyType // a list's count type
}

type plyElement struct {
	name  string
	count int64
	props []plyProp
	line  int // header line that declared it
}

// fixedSize is the record size in bytes of an element without list properties, or -1.
func (e *plyElement) fixedSize() int {
	n := 0
	for _, p := range e.props {
		if p.list {
			return -1
		}
		n += p.typ.size()
	}
	return n
}

func (e *plyElement) propNames() string {
	names := make([]string, len(e.props))
	for i, p := range e.props {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

type plyEncoding uint8

const (
	plyASCII plyEncoding = iota
	plyBinaryLE
	plyBinaryBE
)

var plyEncodingNames = map[string]plyEncoding{
	"ascii": plyASCII, "binary_little_endian": plyBinaryLE, "binary_big_endian": plyBinaryBE,
}

type plyHeader struct {
	encoding   plyEncoding
	formatName string
	elements   []*plyElement
	lines      int   // header lines, end_header included
	bodyOffset int64 // byte offset of the body
	term       byte  // line terminator: '\n' (LF or CRLF) or '\r' (bare CR)
}

// readPLYHeader reads up to and including the end_header line. The terminator style of
// the first line ("ply") is used for every header line, so that the single CR ending
// end_header in an old-Mac file is not confused with a following LF byte of the body.
func readPLYHeader(src *source) (*plyHeader, error) {
	h := &plyHeader{term: '\n'}
	b, _ := src.br.Peek(5)
	switch {
	case bytes.HasPrefix(b, []byte("ply\r\n")), bytes.HasPrefix(b, []byte("ply\n")):
	case bytes.HasPrefix(b, []byte("ply\r")):
		h.term = '\r'
	case len(b) == 0:
		return nil, fileError(src.name, nil, "empty input: no points")
	default:
		return nil, lineError(src.name, 1, nil, "not a PLY file: the first line must be \"ply\"")
	}
	sawFormat := false
	var cur *plyElement
	seen := map[string]bool{}
	for {
		raw, err := src.br.ReadSlice(h.term)
		h.bodyOffset += int64(len(raw))
		h.lines++
		if err == bufio.ErrBufferFull {
			return nil, lineError(src.name, h.lines, nil, "PLY header line longer than %d bytes", readBufSize)
		}
		if err != nil {
			if err == io.EOF {
				return nil, lineError(src.name, h.lines, nil, "PLY header has no end_header line")
			}
			return nil, lineError(src.name, h.lines, err, "reading PLY header")
		}
		line := string(bytes.TrimRight(raw, "\r\n"))
		f := strings.Fields(line)
		if h.lines == 1 {
			if line != "ply" {
				return nil, lineError(src.name, 1, nil, "not a PLY file: the first line must be \"ply\"")
			}
			continue
		}
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "format":
			if len(f) != 3 || sawFormat {
				return nil, lineError(src.name, h.lines, nil, "bad PLY format line %q", line)
			}
			enc, ok := plyEncodingNames[f[1]]
			if !ok {
				return nil, lineError(src.name, h.lines, nil, "unknown PLY format %q (want ascii, binary_little_endian or binary_big_endian)", f[1])
			}
			if f[2] != "1.0" && f[2] != "1" {
				return nil, lineError(src.name, h.lines, nil, "unsupported PLY version %q (want 1.0)", f[2])
			}
			h.encoding, h.formatName, sawFormat = enc, f[1], true
		case "comment", "obj_info":
		case "element":
			if len(f) != 3 {
				return nil, lineError(src.name, h.lines, nil, "bad PLY element line %q (want: element NAME COUNT)", line)
			}
			n, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil || n < 0 {
				return nil, lineError(src.name, h.lines, nil, "bad count %q for element %s", f[2], f[1])
			}
			if seen[f[1]] {
				return nil, lineError(src.name, h.lines, nil, "element %s declared twice", f[1])
			}
			seen[f[1]] = true
			cur = &plyElement{name: f[1], count: n, line: h.lines}
			h.elements = append(h.elements, cur)
		case "property":
			if cur == nil {
				return nil, lineError(src.name, h.lines, nil, "property before any element")
			}
			var p plyProp
			if len(f) == 5 && f[1] == "list" {
				ct, ok1 := plyTypes[f[2]]
				it, ok2 := plyTypes[f[3]]
				if !ok1 || !ok2 {
					return nil, lineError(src.name, h.lines, nil, "unknown type in %q (PLY types: char uchar short ushort int uint float double, or int8 ... float64)", line)
				}
				if !ct.isInt() {
					return nil, lineError(src.name, h.lines, nil, "list count type must be an integer type in %q", line)
				}
				p = plyProp{name: f[4], typ: it, list: true, countTyp: ct}
			} else if len(f) == 3 && f[1] != "list" {
				t, ok := plyTypes[f[1]]
				if !ok {
					return nil, lineError(src.name, h.lines, nil, "unknown type %q (PLY types: char uchar short ushort int uint float double, or int8 ... float64)", f[1])
				}
				p = plyProp{name: f[2], typ: t}
			} else {
				return nil, lineError(src.name, h.lines, nil, "bad PLY property line %q", line)
			}
			cur.props = append(cur.props, p)
		case "end_header":
			if len(f) != 1 {
				return nil, lineError(src.name, h.lines, nil, "bad end_header line %q", line)
			}
			if !sawFormat {
				return nil, lineError(src.name, h.lines, nil, "PLY header has no format line")
			}
			return h, nil
		default:
			return nil, lineError(src.name, h.lines, nil, "unknown PLY header keyword %q", f[0])
		}
	}
}

// vertexLayout locates x, y and (optionally) z among the vertex properties.
type vertexLayout struct {
	idx  [3]int // property indices of x, y, z
	dim  int
	slot []int // per property: output coordinate 0..dim-1, or -1
	// carry: per property, its index in props (a scalar that is not a coordinate, read
	// only with ReadOptions.Carry), or -1.
	carry []int
	props []Prop
}

// carryProps makes every scalar vertex property that is not a coordinate a carried Prop.
func (l *vertexLayout) carryProps(e *plyElement) {
	l.carry = make([]int, len(e.props))
	for i, p := range e.props {
		l.carry[i] = -1
		if l.slot[i] < 0 && !p.list {
			l.carry[i] = len(l.props)
			l.props = append(l.props, Prop{Name: p.name, Type: plyTypeName(p.typ)})
		}
	}
}

// carried is the index in props of property i, or -1.
func (l *vertexLayout) carried(i int) int {
	if l.carry == nil {
		return -1
	}
	return l.carry[i]
}

// plyTypeNames are the classic PLY names of the scalar types, as writers use them.
var plyTypeNames = map[plyType]string{plyInt8: "char", plyUint8: "uchar", plyInt16: "short",
	plyUint16: "ushort", plyInt32: "int", plyUint32: "uint", plyFloat32: "float", plyFloat64: "double"}

func plyTypeName(t plyType) string { return plyTypeNames[t] }

func findVertexProps(src *source, e *plyElement) (*vertexLayout, error) {
	l := &vertexLayout{idx: [3]int{-1, -1, -1}, slot: make([]int, len(e.props))}
	for i, p := range e.props {
		l.slot[i] = -1
		for k, name := range [3]string{"x", "y", "z"} {
			if p.name == name && l.idx[k] < 0 {
				if p.list {
					return nil, lineError(src.name, e.line, nil, "vertex property %s is a list, not a scalar", name)
				}
				l.idx[k] = i
				l.slot[i] = k
			}
		}
	}
	if l.idx[0] < 0 || l.idx[1] < 0 {
		return nil, lineError(src.name, e.line, nil, "vertex element has no x and y properties (it has: %s)", e.propNames())
	}
	l.dim = 3
	if l.idx[2] < 0 {
		l.dim = 2
	}
	return l, nil
}

// minRecordBytes is a lower bound on the bytes one record of e takes in the body.
func minRecordBytes(e *plyElement, enc plyEncoding) int64 {
	var n int64
	for _, p := range e.props {
		switch {
		case enc == plyASCII:
			n += 2 // a digit and a separator
		case p.list:
			n += int64(p.countTyp.size())
		default:
			n += int64(p.typ.size())
		}
	}
	return n
}

// initialPoints allocates room for the declared vertices, but never more than the rest of
// the input can hold (a header may declare 10^12 vertices), nor, when the input's size is
// unknown, more than maxBlindPoints up front; growPoints takes over past that.
func initialPoints(src *source, h *plyHeader, e *plyElement, dim int, consumed int64) []float64 {
	const maxBlindPoints = 1 << 16
	n := e.count
	if src.size >= 0 {
		if rec := minRecordBytes(e, h.encoding); rec > 0 {
			n = min(n, (src.size-consumed)/rec+1)
		}
	} else {
		n = min(n, maxBlindPoints)
	}
	return make([]float64, 0, presizeValues(max(n, 0)*int64(dim)))
}

// growPoints makes room for at least extra more values. With a limit (the declared
// count, trusted only once the data keeps coming) it grows 4x up to the limit, which keeps
// the copies of a stream of unknown size to about half the final size; without one it
// doubles.
func growPoints(p []float64, extra int, limit int64) []float64 {
	if len(p)+extra <= cap(p) {
		return p
	}
	c := int64(max(2*cap(p), 1<<16))
	if limit > 0 {
		c = min(int64(max(4*cap(p), 1<<16)), limit)
	}
	c = max(c, int64(len(p)+extra))
	q := make([]float64, len(p), c)
	copy(q, p)
	return q
}

// valuesLimit is count*dim, or 0 (no limit) when that overflows.
func valuesLimit(count int64, dim int) int64 {
	if count > math.MaxInt64/int64(dim) {
		return 0
	}
	return count * int64(dim)
}

// readPLY reads the vertex x, y, z of a PLY file, checking every other element too, so
// that a header that does not match the body is an error rather than a silent misread.
func readPLY(src *source, carry bool) (*Cloud, error) {
	h, err := readPLYHeader(src)
	if err != nil {
		return nil, err
	}
	var vertex *plyElement
	for _, e := range h.elements {
		if e.name == "vertex" {
			vertex = e
		}
	}
	if vertex == nil {
		return nil, lineError(src.name, h.lines, nil, "PLY header declares no vertex element")
	}
	layout, err := findVertexProps(src, vertex)
	if err != nil {
		return nil, err
	}
	if vertex.count == 0 {
		return nil, lineError(src.name, vertex.line, nil, "element vertex 0: no points")
	}
	if carry {
		layout.carryProps(vertex)
	}
	c := &Cloud{Dim: layout.dim, Names: []string{"x", "y", "z"}[:layout.dim],
		Format: "ply " + h.formatName, Source: src.name}
	if h.encoding == plyASCII {
		err = readPLYASCII(src, h, vertex, layout, c)
	} else {
		err = readPLYBinary(src, h, vertex, layout, c)
	}
	if err != nil {
		return nil, err
	}
	c.Props = layout.props
	return c, nil
}

// ---- binary ----

type binReader struct {
	src   *source
	order binary.ByteOrder
	off   int64 // absolute offset of the next byte
	buf   []byte
}

func (r *binReader) truncated(e *plyElement, i int64, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return offsetError(r.src.name, r.off, nil, "truncated PLY body: the input ends inside %s %d of %d (declared on header line %d)", e.name, i+1, e.count, e.line)
	}
	return offsetError(r.src.name, r.off, err, "reading %s %d of %d", e.name, i+1, e.count)
}

// readFull reads n bytes into r.buf, tracking the offset.
func (r *binReader) readFull(n int) ([]byte, error) {
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	got, err := io.ReadFull(r.src.br, b)
	r.off += int64(got)
	return b, err
}

// listCount reads a list's count.
func (r *binReader) listCount(p plyProp) (int64, error) {
	b, err := r.readFull(p.countTyp.size())
	if err != nil {
		return 0, err
	}
	v := p.countTyp.decode(b, r.order)
	if v < 0 {
		return 0, fmt.Errorf("negative list length %v for property %s", v, p.name)
	}
	return int64(v), nil
}

func (r *binReader) discard(n int64) error {
	for n > 0 {
		k := int(min(n, 1<<30))
		d, err := r.src.br.Discard(k)
		r.off += int64(d)
		n -= int64(d)
		if err != nil {
			return err
		}
	}
	return nil
}

// skip reads past every record of e.
func (r *binReader) skip(e *plyElement) error {
	if rec := e.fixedSize(); rec >= 0 {
		if rec > 0 && e.count > math.MaxInt64/int64(rec) {
			return offsetError(r.src.name, r.off, nil, "element %s: %d records of %d bytes cannot fit in a file", e.name, e.count, rec)
		}
		start := r.off
		if err := r.discard(e.count * int64(rec)); err != nil {
			return r.truncated(e, (r.off-start)/int64(max(rec, 1)), err)
		}
		return nil
	}
	for i := int64(0); i < e.count; i++ {
		for _, p := range e.props {
			if !p.list {
				if err := r.discard(int64(p.typ.size())); err != nil {
					return r.truncated(e, i, err)
				}
				continue
			}
			at := r.off
			n, err := r.listCount(p)
			if err != nil {
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return r.truncated(e, i, err)
				}
				return offsetError(r.src.name, at, nil, "%s %d: %v", e.name, i+1, err)
			}
			if err := r.discard(n * int64(p.typ.size())); err != nil {
				return r.truncated(e, i, err)
			}
		}
	}
	return nil
}

func readPLYBinary(src *source, h *plyHeader, vertex *plyElement, l *vertexLayout, c *Cloud) error {
	r := &binReader{src: src, order: binary.LittleEndian, off: h.bodyOffset}
	if h.encoding == plyBinaryBE {
		r.order = binary.BigEndian
	}
	for _, e := range h.elements {
		var err error
		switch {
		case e != vertex:
			err = r.skip(e)
		case e.fixedSize() > 0:
			c.Points, err = r.readFixedVertices(h, e, l)
		default:
			c.Points, err = r.readVertices(h, e, l)
		}
		if err != nil {
			return err
		}
	}
	if b, _ := src.br.Peek(1); len(b) > 0 {
		return offsetError(src.name, r.off, nil, "data after the last element (%s): the header does not match the body", h.elements[len(h.elements)-1].name)
	}
	return nil
}

// readFixedVertices is the fast path for vertices without list properties: records are
// read in large blocks and each coordinate is decoded column by column with a loop
// specialised to its type and byte order, so there is no per-value call or switch.
func (r *binReader) readFixedVertices(h *plyHeader, e *plyElement, l *vertexLayout) ([]float64, error) {
	rec := e.fixedSize()
	dim := l.dim
	pts := initialPoints(r.src, h, e, dim, r.off)
	var offs [3]int
	for k := 0; k < dim; k++ {
		for _, p := range e.props[:l.idx[k]] {
			offs[k] += p.typ.size()
		}
	}
	perBlock := int64(max(1, (128<<10)/rec)) // decoded points stay in L2 between the column passes
	if r.src.size >= 0 {
		perBlock = min(perBlock, (r.src.size-r.off)/int64(rec)+1)
	}
	block := make([]byte, min(perBlock, e.count)*int64(rec))
	for done := int64(0); done < e.count; {
		n := int(min(perBlock, e.count-done))
		b := block[:n*rec]
		start := r.off
		got, err := io.ReadFull(r.src.br, b)
		r.off += int64(got)
		if err != nil {
			return nil, r.truncated(e, done+int64(got/rec), err)
		}
		pts = growPoints(pts, n*dim, valuesLimit(e.count, dim))
		base := len(pts)
		pts = pts[:base+n*dim]
		dst := pts[base:]
		for k := 0; k < dim; k++ {
			decodeColumn(dst[k:], dim, b[offs[k]:], rec, n, e.props[l.idx[k]].typ, r.order == binary.BigEndian)
		}
		poff := 0
		for pi, p := range e.props {
			if j := l.carried(pi); j >= 0 {
				col := growPoints(l.props[j].Values, n, e.count)
				m := len(col)
				col = col[:m+n]
				decodeColumn(col[m:], 1, b[poff:], rec, n, p.typ, r.order == binary.BigEndian)
				l.props[j].Values = col
			}
			poff += p.typ.size()
		}
		for i, v := range dst {
			if v-v != 0 { // NaN or Inf
				j, k := i/dim, i%dim
				return nil, offsetError(r.src.name, start+int64(j*rec+offs[k]), nil, "vertex %d: %s is %v (only finite coordinates are allowed)", done+int64(j)+1, "xyz"[k:k+1], v)
			}
		}
		done += int64(n)
	}
	return pts, nil
}

// decodeColumn writes n values of type t found every stride bytes of src (starting at
// src[0]) to every step-th element of dst.
func decodeColumn(dst []float64, step int, src []byte, stride, n int, t plyType, bigEndian bool) {
	le, be := binary.LittleEndian, binary.BigEndian
	switch {
	case t == plyFloat32 && !bigEndian:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(math.Float32frombits(le.Uint32(src[i*stride:])))
		}
	case t == plyFloat32:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(math.Float32frombits(be.Uint32(src[i*stride:])))
		}
	case t == plyFloat64 && !bigEndian:
		for i := 0; i < n; i++ {
			dst[i*step] = math.Float64frombits(le.Uint64(src[i*stride:]))
		}
	case t == plyFloat64:
		for i := 0; i < n; i++ {
			dst[i*step] = math.Float64frombits(be.Uint64(src[i*stride:]))
		}
	case t == plyInt8:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(int8(src[i*stride]))
		}
	case t == plyUint8:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(src[i*stride])
		}
	case t == plyInt16 && !bigEndian:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(int16(le.Uint16(src[i*stride:])))
		}
	case t == plyInt16:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(int16(be.Uint16(src[i*stride:])))
		}
	case t == plyUint16 && !bigEndian:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(le.Uint16(src[i*stride:]))
		}
	case t == plyUint16:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(be.Uint16(src[i*stride:]))
		}
	case t == plyInt32 && !bigEndian:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(int32(le.Uint32(src[i*stride:])))
		}
	case t == plyInt32:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(int32(be.Uint32(src[i*stride:])))
		}
	case t == plyUint32 && !bigEndian:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(le.Uint32(src[i*stride:]))
		}
	case t == plyUint32:
		for i := 0; i < n; i++ {
			dst[i*step] = float64(be.Uint32(src[i*stride:]))
		}
	}
}

// readVertices reads vertices that carry list properties, one value at a time.
func (r *binReader) readVertices(h *plyHeader, e *plyElement, l *vertexLayout) ([]float64, error) {
	dim := l.dim
	pts := initialPoints(r.src, h, e, dim, r.off)
	var at [3]int64
	for i := int64(0); i < e.count; i++ {
		pts = growPoints(pts, dim, valuesLimit(e.count, dim))
		base := len(pts)
		pts = pts[:base+dim]
		for pi, p := range e.props {
			if p.list {
				start := r.off
				n, err := r.listCount(p)
				if err != nil {
					if err == io.EOF || err == io.ErrUnexpectedEOF {
						return nil, r.truncated(e, i, err)
					}
					return nil, offsetError(r.src.name, start, nil, "vertex %d: %v", i+1, err)
				}
				if err := r.discard(n * int64(p.typ.size())); err != nil {
					return nil, r.truncated(e, i, err)
				}
				continue
			}
			k := l.slot[pi]
			if j := l.carried(pi); j >= 0 {
				b, err := r.readFull(p.typ.size())
				if err != nil {
					return nil, r.truncated(e, i, err)
				}
				l.props[j].Values = append(l.props[j].Values, p.typ.decode(b, r.order))
				continue
			}
			if k < 0 {
				if err := r.discard(int64(p.typ.size())); err != nil {
					return nil, r.truncated(e, i, err)
				}
				continue
			}
			at[k] = r.off
			b, err := r.readFull(p.typ.size())
			if err != nil {
				return nil, r.truncated(e, i, err)
			}
			pts[base+k] = p.typ.decode(b, r.order)
		}
		for k := 0; k < dim; k++ {
			if v := pts[base+k]; !finite(v) {
				return nil, offsetError(r.src.name, at[k], nil, "vertex %d: %s is %v (only finite coordinates are allowed)", i+1, "xyz"[k:k+1], v)
			}
		}
	}
	return pts, nil
}

// ---- ascii ----

// readPLYASCII reads an ascii body: one record per line, values separated by spaces or
// tabs; blank lines are ignored.
func readPLYASCII(src *source, h *plyHeader, vertex *plyElement, l *vertexLayout, c *Cloud) error {
	lr := &lineReader{br: src.br, term: h.term, line: h.lines}
	for _, e := range h.elements {
		if e == vertex {
			c.Points = initialPoints(src, h, e, l.dim, h.bodyOffset)
		}
		if len(e.props) == 0 {
			continue // records without properties take no space
		}
		for i := int64(0); i < e.count; i++ {
			line, err := lr.nextNonBlank()
			if err != nil {
				if err == io.EOF {
					return lineError(src.name, lr.line, nil, "truncated PLY body: the input ends before %s %d of %d (declared on header line %d)", e.name, i+1, e.count, e.line)
				}
				return lineError(src.name, lr.line, err, "reading %s %d", e.name, i+1)
			}
			var out []float64
			if e == vertex {
				c.Points = growPoints(c.Points, l.dim, valuesLimit(e.count, l.dim))
				base := len(c.Points)
				c.Points = c.Points[:base+l.dim]
				out = c.Points[base:]
			}
			if err := parsePLYLine(line, e, l, out); err != nil {
				return lineError(src.name, lr.line, nil, "%s %d: %v", e.name, i+1, err)
			}
		}
	}
	if _, err := lr.nextNonBlank(); err != io.EOF {
		if err != nil {
			return lineError(src.name, lr.line, err, "reading PLY body")
		}
		return lineError(src.name, lr.line, nil, "data after the last element (%s): the header does not match the body", h.elements[len(h.elements)-1].name)
	}
	return nil
}

// nextField returns the next space- or tab-separated field of line at or after *pos.
func nextField(line []byte, pos *int) []byte {
	i := *pos
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	j := i
	for j < len(line) && line[j] != ' ' && line[j] != '\t' {
		j++
	}
	*pos = j
	return line[i:j]
}

// parsePLYLine checks one ascii record of e against its properties and, when out is not
// nil, parses the vertex coordinates into out.
func parsePLYLine(line []byte, e *plyElement, l *vertexLayout, out []float64) error {
	pos := 0
	count := 0
	for pi, p := range e.props {
		f := nextField(line, &pos)
		if len(f) == 0 {
			return fmt.Errorf("%d values, but the header declares more (%s)", count, e.propNames())
		}
		count++
		if p.list {
			n, err := strconv.ParseUint(string(f), 10, 63)
			if err != nil {
				return fmt.Errorf("list length %q of property %s is not a non-negative integer", f, p.name)
			}
			for j := uint64(0); j < n; j++ {
				if len(nextField(line, &pos)) == 0 {
					return fmt.Errorf("list %s declares %d items but the line has fewer", p.name, n)
				}
				count++
			}
			continue
		}
		if out == nil {
			continue
		}
		if j := l.carried(pi); j >= 0 {
			v, ok := parseFloat(f)
			if !ok {
				return fmt.Errorf("%s = %q is not a number", p.name, f)
			}
			if p.typ == plyFloat32 {
				v = float64(float32(v)) // the declared precision, as in a binary file
			}
			l.props[j].Values = append(l.props[j].Values, v)
			continue
		}
		if l.slot[pi] < 0 {
			continue
		}
		v, ok := parseFloat(f)
		if !ok {
			return fmt.Errorf("%s = %q is not a number", p.name, f)
		}
		if !finite(v) {
			return fmt.Errorf("%s is %v (only finite coordinates are allowed)", p.name, v)
		}
		out[l.slot[pi]] = v
	}
	if len(nextField(line, &pos)) != 0 {
		return fmt.Errorf("more values than the header declares (%s)", e.propNames())
	}
	return nil
}

// lineReader yields lines without their terminator, counting them. A line longer than
// the bufio buffer is assembled in a separate slice.
type lineReader struct {
	br   *bufio.Reader
	term byte // '\n' (a preceding '\r' is dropped) or '\r'
	line int  // number of the line last returned
	long []byte
	eof  bool
}

// next returns the next line, valid until the following call, or io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	if lr.eof {
		return nil, io.EOF
	}
	b, err := lr.br.ReadSlice(lr.term)
	if err == bufio.ErrBufferFull {
		lr.long = append(lr.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(lr.long) > MaxLineBytes {
				lr.line++
				return nil, errLineTooLong
			}
			b, err = lr.br.ReadSlice(lr.term)
			lr.long = append(lr.long, b...)
		}
		b = lr.long
	}
	if err != nil {
		if err != io.EOF {
			return nil, err
		}
		lr.eof = true
		if len(b) == 0 {
			return nil, io.EOF
		}
	}
	lr.line++
	if n := len(b); n > 0 && b[n-1] == lr.term {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b, nil
}

// nextNonBlank skips lines of only spaces and tabs.
func (lr *lineReader) nextNonBlank() ([]byte, error) {
	for {
		b, err := lr.next()
		if err != nil {
			return nil, err
		}
		if !isBlank(b) {
			return b, nil
		}
	}
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
