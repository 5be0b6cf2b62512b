// PLY: the scalar types, elements and header structures, the vertex reader's entry point
// (readPLY) and its allocation rules. ply_header.go parses the header, ply_binary.go and
// ply_ascii.go the two kinds of body; lines.go has the line reader text.go shares.

package cloudio

import (
	"encoding/binary"
	"math"
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
