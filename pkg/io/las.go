package cloudio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
)

// LAS (ASPRS LiDAR exchange format, versions 1.0 to 1.4) is read from the public header
// layout by hand: the format is a fixed little-endian header, variable-length records
// skipped by the header's offset to the point data, and fixed-size point records. The Go
// LAS libraries found either read the whole file into memory or do not cover 1.4, and
// the part needed here (coordinates and a few standard fields) is small.

// lasMinHeader is the size of the LAS 1.0-1.2 public header; 1.3 adds 8 bytes, 1.4 adds 140.
const (
	lasMinHeader = 227
	las14Header  = 375
)

// lasRecordSizes is the size of the standard fields of point data formats 0-10; a
// record may be longer (extra bytes), never shorter.
var lasRecordSizes = [...]int{20, 28, 26, 34, 57, 63, 30, 36, 38, 59, 67}

// lasField is one standard point field carried as a property: its offset in the record,
// its type, and the bits of a packed byte it takes (mask 0: the whole value).
type lasField struct {
	name  string
	off   int
	typ   plyType
	shift uint8
	mask  uint8
}

// lasFields lists the standard fields worth carrying (colours, intensity, returns,
// class, time) of a point data format; flags, scan angle and waveform pointers are not.
func lasFields(format int) []lasField {
	var f []lasField
	f = append(f, lasField{name: "intensity", off: 12, typ: plyUint16})
	if format <= 5 {
		f = append(f,
			lasField{name: "return_number", off: 14, typ: plyUint8, mask: 0x07},
			lasField{name: "number_of_returns", off: 14, typ: plyUint8, shift: 3, mask: 0x07},
			lasField{name: "classification", off: 15, typ: plyUint8, mask: 0x1f})
		if format != 0 && format != 2 {
			f = append(f, lasField{name: "gps_time", off: 20, typ: plyFloat64})
		}
		switch format {
		case 2:
			f = append(f, lasRGB(20)...)
		case 3, 5:
			f = append(f, lasRGB(28)...)
		}
		return f
	}
	f = append(f,
		lasField{name: "return_number", off: 14, typ: plyUint8, mask: 0x0f},
		lasField{name: "number_of_returns", off: 14, typ: plyUint8, shift: 4, mask: 0x0f},
		lasField{name: "classification", off: 16, typ: plyUint8},
		lasField{name: "gps_time", off: 22, typ: plyFloat64})
	switch format {
	case 7, 8, 10:
		f = append(f, lasRGB(30)...)
	}
	if format == 8 || format == 10 {
		f = append(f, lasField{name: "nir", off: 36, typ: plyUint16})
	}
	return f
}

func lasRGB(off int) []lasField {
	return []lasField{{name: "red", off: off, typ: plyUint16}, {name: "green", off: off + 2, typ: plyUint16},
		{name: "blue", off: off + 4, typ: plyUint16}}
}

// lasHeader is what the reader needs from the public header block.
type lasHeader struct {
	major, minor uint8
	headerSize   int64
	pointOffset  int64
	format       int
	recordLen    int
	count        int64
	scale        [3]float64
	offset       [3]float64
}

// LAZHelp says how to turn a LAZ file into the LAS this package reads.
const LAZHelp = "decompress it first, e.g. `pdal translate in.laz out.las` or `laszip -i in.laz -o out.las`"

// readLASHeader parses the public header block; src is positioned at byte 0.
func readLASHeader(src *source) (*lasHeader, error) {
	b := make([]byte, las14Header)
	n, err := io.ReadFull(src.br, b[:lasMinHeader])
	if err != nil {
		if n >= 4 && string(b[:4]) != "LASF" {
			return nil, offsetError(src.name, 0, nil, "not a LAS file: it does not start with \"LASF\"")
		}
		return nil, offsetError(src.name, int64(n), nil, "truncated LAS header: %d bytes, the header takes at least %d", n, lasMinHeader)
	}
	if string(b[:4]) != "LASF" {
		return nil, offsetError(src.name, 0, nil, "not a LAS file: it does not start with \"LASF\"")
	}
	le := binary.LittleEndian
	h := &lasHeader{major: b[24], minor: b[25], headerSize: int64(le.Uint16(b[94:])),
		pointOffset: int64(le.Uint32(b[96:])), recordLen: int(le.Uint16(b[105:])),
		count: int64(le.Uint32(b[107:]))}
	rawFormat := b[104]
	if rawFormat&0xc0 != 0 || strings.EqualFold(filepath.Ext(src.name), ".laz") {
		return nil, fileError(src.name, nil, "a LAZ file (LASzip-compressed LAS, point format byte %#x); spectral reads uncompressed LAS only: %s", rawFormat, LAZHelp)
	}
	if h.major != 1 || h.minor > 4 {
		return nil, offsetError(src.name, 24, nil, "LAS version %d.%d is not supported (want 1.0 to 1.4)", h.major, h.minor)
	}
	h.format = int(rawFormat)
	if h.format >= len(lasRecordSizes) {
		return nil, offsetError(src.name, 104, nil, "LAS point data format %d is not defined (want 0 to 10)", h.format)
	}
	if h.recordLen < lasRecordSizes[h.format] {
		return nil, offsetError(src.name, 105, nil, "LAS point records of %d bytes are too short for point data format %d (at least %d)", h.recordLen, h.format, lasRecordSizes[h.format])
	}
	if h.headerSize < lasMinHeader {
		return nil, offsetError(src.name, 94, nil, "LAS header size %d is less than the %d bytes of the 1.0 header", h.headerSize, lasMinHeader)
	}
	if h.pointOffset < h.headerSize {
		return nil, offsetError(src.name, 96, nil, "LAS offset to point data %d lies inside the %d-byte header", h.pointOffset, h.headerSize)
	}
	for k := 0; k < 3; k++ {
		h.scale[k] = math.Float64frombits(le.Uint64(b[131+8*k:]))
		h.offset[k] = math.Float64frombits(le.Uint64(b[155+8*k:]))
		if !finite(h.scale[k]) || h.scale[k] == 0 || !finite(h.offset[k]) {
			return nil, offsetError(src.name, int64(131+8*k), nil, "LAS %s scale %v / offset %v: the scale must be finite and nonzero, the offset finite", "XYZ"[k:k+1], h.scale[k], h.offset[k])
		}
	}
	read := int64(lasMinHeader)
	// LAS 1.4 keeps a 64-bit point count at byte 247; the legacy 32-bit one is 0 for
	// formats 6-10 and cannot be trusted there.
	if h.minor >= 4 && h.headerSize >= las14Header {
		if n, err := io.ReadFull(src.br, b[lasMinHeader:las14Header]); err != nil {
			return nil, offsetError(src.name, lasMinHeader+int64(n), nil, "truncated LAS 1.4 header: it declares %d bytes", h.headerSize)
		}
		read = las14Header
		if c := le.Uint64(b[247:]); c != 0 || h.format >= 6 {
			if c > math.MaxInt64 {
				return nil, offsetError(src.name, 247, nil, "LAS point count %d cannot fit in a file", c)
			}
			h.count = int64(c)
		}
	}
	// The VLRs (and anything else) up to the point data are skipped by the offset, never by
	// the VLR count, so a wrong count does not stop a file whose points are intact.
	for read < h.pointOffset {
		d, err := src.br.Discard(int(min(h.pointOffset-read, 1<<30)))
		read += int64(d)
		if err != nil {
			return nil, offsetError(src.name, read, nil, "truncated LAS file: the point data should start at byte %d", h.pointOffset)
		}
	}
	return h, nil
}

// readLAS reads the points of a LAS file, applying the header's scale and offset in
// float64; with carry, the standard fields of lasFields become Cloud.Props.
func readLAS(src *source, carry bool) (*Cloud, error) {
	h, err := readLASHeader(src)
	if err != nil {
		return nil, err
	}
	if h.count == 0 {
		return nil, offsetError(src.name, 107, nil, "the LAS header declares 0 points: no points")
	}
	rec := int64(h.recordLen)
	if src.size >= 0 {
		room := (src.size - h.pointOffset) / rec
		if h.count > room {
			return nil, offsetError(src.name, h.pointOffset, nil, "the LAS header declares %d points of %d bytes from byte %d, but the file has room for %d", h.count, rec, h.pointOffset, room)
		}
	}
	c := &Cloud{Dim: 3, Names: []string{"x", "y", "z"}, Source: src.name,
		Format: fmt.Sprintf("las %d.%d point format %d", h.major, h.minor, h.format)}
	var fields []lasField
	if carry {
		fields = lasFields(h.format)
	}
	// Allocation: the count was checked against the file's size above; from a pipe the
	// first allocation is capped and growPoints takes over.
	initial := h.count
	if src.size < 0 {
		initial = min(initial, 1<<16)
	}
	c.Points = make([]float64, 0, 3*initial)
	props := make([][]float64, len(fields))
	for i := range props {
		props[i] = make([]float64, 0, initial)
	}
	perBlock := max(1, (128<<10)/rec)
	block := make([]byte, min(perBlock, h.count)*rec)
	le := binary.LittleEndian
	off := h.pointOffset
	for done := int64(0); done < h.count; {
		n := min(perBlock, h.count-done)
		b := block[:n*rec]
		got, err := io.ReadFull(src.br, b)
		if err != nil {
			return nil, offsetError(src.name, off+int64(got), nil, "truncated LAS file: the input ends inside point %d of %d (records of %d bytes from byte %d)", done+int64(got)/rec+1, h.count, rec, h.pointOffset)
		}
		c.Points = growPoints(c.Points, int(3*n), valuesLimit(h.count, 3))
		base := len(c.Points)
		c.Points = c.Points[:base+int(3*n)]
		dst := c.Points[base:]
		for i := int64(0); i < n; i++ {
			r := b[i*rec:]
			for k := 0; k < 3; k++ {
				v := float64(int32(le.Uint32(r[4*k:])))
				// The conversion rounds the product, so no fused multiply-add changes the
				// result on any platform: it matches numpy's X*scale+offset bit for bit.
				dst[3*i+int64(k)] = float64(v*h.scale[k]) + h.offset[k]
			}
		}
		for j, f := range fields {
			col := growPoints(props[j], int(n), h.count)
			m := len(col)
			col = col[:m+int(n)]
			if f.mask == 0 {
				decodeColumn(col[m:], 1, b[f.off:], int(rec), int(n), f.typ, false)
			} else {
				for i := int64(0); i < n; i++ {
					col[m+int(i)] = float64((b[i*rec+int64(f.off)] >> f.shift) & f.mask)
				}
			}
			props[j] = col
		}
		off += n * rec
		done += n
	}
	for i, v := range c.Points {
		if !finite(v) { // a huge scale can overflow
			p := int64(i / 3)
			return nil, offsetError(src.name, h.pointOffset+p*rec+int64(4*(i%3)), nil, "point %d: %s is %v after scale and offset (only finite coordinates are allowed)", p+1, "xyz"[i%3:i%3+1], v)
		}
	}
	for j, f := range fields {
		if f.typ == plyFloat64 && !allFinite(props[j]) {
			continue // a NaN time is not worth carrying into a PLY
		}
		c.Props = append(c.Props, Prop{Name: f.name, Type: plyTypeName(f.typ), Values: props[j]})
	}
	return c, nil
}

func allFinite(v []float64) bool {
	for _, x := range v {
		if !finite(x) {
			return false
		}
	}
	return true
}
