package cloudio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

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
