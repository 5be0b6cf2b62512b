package cloudio

import (
	"fmt"
	"io"
	"strconv"
)

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
