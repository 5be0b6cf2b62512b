package cloudio

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
)

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
