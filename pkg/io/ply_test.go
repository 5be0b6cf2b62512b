package cloudio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
)

// A tiny PLY writer for tests, independent of WritePLY: elements with arbitrary scalar and
// list properties in any of the three encodings.
type tProp struct {
	typ, name string
	count     string // list count type; "" for a scalar
}

type tElem struct {
	name  string
	props []tProp
	// rows: one record per row, values in property order; a list property takes its
	// length followed by its items.
	rows [][]float64
}

func encodeValue(buf []byte, typ string, order binary.AppendByteOrder, v float64) []byte {
	switch typ {
	case "char", "int8":
		return append(buf, byte(int8(v)))
	case "uchar", "uint8":
		return append(buf, byte(v))
	case "short", "int16":
		return order.AppendUint16(buf, uint16(int16(v)))
	case "ushort", "uint16":
		return order.AppendUint16(buf, uint16(v))
	case "int", "int32":
		return order.AppendUint32(buf, uint32(int32(v)))
	case "uint", "uint32":
		return order.AppendUint32(buf, uint32(v))
	case "float", "float32":
		return order.AppendUint32(buf, math.Float32bits(float32(v)))
	case "double", "float64":
		return order.AppendUint64(buf, math.Float64bits(v))
	}
	panic("test: unknown type " + typ)
}

// buildPLY writes a PLY file; term ends the header lines (and ascii body lines).
func buildPLY(format, term string, elems []tElem) []byte {
	var b bytes.Buffer
	w := func(s string) { b.WriteString(s + term) }
	w("ply")
	w("format " + format + " 1.0")
	w("comment made by ply_test.go")
	w("obj_info anything")
	for _, e := range elems {
		w(fmt.Sprintf("element %s %d", e.name, len(e.rows)))
		for _, p := range e.props {
			if p.count != "" {
				w(fmt.Sprintf("property list %s %s %s", p.count, p.typ, p.name))
			} else {
				w(fmt.Sprintf("property %s %s", p.typ, p.name))
			}
		}
	}
	w("end_header")
	var order binary.AppendByteOrder = binary.LittleEndian
	if format == "binary_big_endian" {
		order = binary.BigEndian
	}
	for _, e := range elems {
		for _, row := range e.rows {
			var fields []string
			var rec []byte
			j := 0
			for _, p := range e.props {
				if p.count != "" {
					n := int(row[j])
					fields = append(fields, strconv.Itoa(n))
					rec = encodeValue(rec, p.count, order, row[j])
					for _, v := range row[j+1 : j+1+n] {
						fields = append(fields, strconv.FormatFloat(v, 'g', -1, 64))
						rec = encodeValue(rec, p.typ, order, v)
					}
					j += 1 + n
					continue
				}
				fields = append(fields, strconv.FormatFloat(row[j], 'g', -1, 64))
				rec = encodeValue(rec, p.typ, order, row[j])
				j++
			}
			if format == "ascii" {
				w(strings.Join(fields, " "))
			} else {
				b.Write(rec)
			}
		}
	}
	return b.Bytes()
}

var plyFormats = []string{"ascii", "binary_little_endian", "binary_big_endian"}

func readBytes(data []byte, opt ReadOptions) (*Cloud, error) {
	return Read(bytes.NewReader(data), "t.ply", opt)
}

func TestPLYScalarTypes(t *testing.T) {
	spellings := [][2]string{{"char", "int8"}, {"uchar", "uint8"}, {"short", "int16"}, {"ushort", "uint16"},
		{"int", "int32"}, {"uint", "uint32"}, {"float", "float32"}, {"double", "float64"}}
	for _, sp := range spellings {
		signed := !strings.HasPrefix(sp[0], "u")
		for _, typ := range sp {
			for _, format := range plyFormats {
				want := []float64{1, 2, 3, 127, 0, 100}
				if signed {
					want = []float64{-1, 2, -3, 127, -128, 100}
				}
				if typ == "float" || typ == "float32" || typ == "double" || typ == "float64" {
					want = []float64{-1.5, 0.25, 3072.125, 127, -128, 0.5}
				}
				data := buildPLY(format, "\n", []tElem{{name: "vertex",
					props: []tProp{{typ: "uchar", name: "pad"}, {typ: typ, name: "x"}, {typ: typ, name: "y"}, {typ: typ, name: "z"}},
					rows:  [][]float64{{7, want[0], want[1], want[2]}, {9, want[3], want[4], want[5]}}}})
				c, err := readBytes(data, ReadOptions{})
				if err != nil {
					t.Fatalf("%s %s: %v", typ, format, err)
				}
				if !equalFloats(c.Points, want) || c.Dim != 3 {
					t.Errorf("%s %s: %v, want %v", typ, format, c.Points, want)
				}
			}
		}
	}
}

// Lists of every count and item type, in the vertex element and in elements before and
// after it, are skipped in all three encodings.
func TestPLYListsAndElementOrder(t *testing.T) {
	counts := []string{"uchar", "uint8", "char", "ushort", "short", "int", "uint", "int32"}
	items := []string{"int", "uint", "uchar", "double", "float", "short", "ushort", "char"}
	for _, format := range plyFormats {
		for i, ct := range counts {
			it := items[i]
			face := tElem{name: "face", props: []tProp{{typ: it, name: "vertex_indices", count: ct}, {typ: "uchar", name: "red"}},
				rows: [][]float64{{3, 0, 1, 2, 255}, {0, 7}, {4, 1, 2, 3, 0, 9}}}
			vertex := tElem{name: "vertex",
				props: []tProp{{typ: "float", name: "x"}, {typ: it, name: "nbrs", count: ct}, {typ: "double", name: "y"}, {typ: "short", name: "z"}},
				rows:  [][]float64{{0.5, 2, 1, 2, -1.25, 3}, {1.5, 0, 2.5, -4}, {-2, 1, 5, 1e-3, 7}}}
			edge := tElem{name: "edge", props: []tProp{{typ: "int", name: "vertex1"}, {typ: "int", name: "vertex2"}},
				rows: [][]float64{{0, 1}, {1, 2}}}
			want := []float64{0.5, -1.25, 3, 1.5, 2.5, -4, -2, 1e-3, 7}
			for _, order := range [][]tElem{{vertex, face, edge}, {face, vertex, edge}, {face, edge, vertex}} {
				data := buildPLY(format, "\n", order)
				c, err := readBytes(data, ReadOptions{})
				if err != nil {
					t.Fatalf("%s list %s %s, order %s: %v", format, ct, it, order[0].name, err)
				}
				if !equalFloats(c.Points, want) {
					t.Errorf("%s list %s %s, order %s: %v, want %v", format, ct, it, order[0].name, c.Points, want)
				}
			}
		}
	}
}

func TestPLYLineTerminators(t *testing.T) {
	for _, term := range []string{"\n", "\r\n", "\r"} {
		for _, format := range plyFormats {
			// The first body byte is 0x0A (10.0f little endian starts 00 00 20 41; use
			// a uchar 10 first) so a reader that eats an LF after a bare CR misreads.
			data := buildPLY(format, term, []tElem{{name: "vertex",
				props: []tProp{{typ: "uchar", name: "flag"}, {typ: "float", name: "x"}, {typ: "float", name: "y"}},
				rows:  [][]float64{{10, 1, 2}, {13, 3, 4}}}})
			c, err := readBytes(data, ReadOptions{})
			if err != nil {
				t.Fatalf("%q %s: %v", term, format, err)
			}
			if c.Dim != 2 || !equalFloats(c.Points, []float64{1, 2, 3, 4}) || strings.Join(c.Names, ",") != "x,y" {
				t.Errorf("%q %s: dim %d %v %v", term, format, c.Dim, c.Points, c.Names)
			}
		}
	}
}

// plyErrCase is a malformed input and where its error must point.
type plyErrCase struct {
	name   string
	data   []byte
	line   int   // want InputError.Line (0: not a line error)
	offset int64 // want InputError.Offset when line == 0 (-1: none)
	msg    string
}

func checkInputError(t *testing.T, name string, err error, line int, offset int64, msg string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Errorf("%s: got %v, want an *InputError", name, err)
		return
	}
	if ie.Line != line || (line == 0 && ie.Offset != offset) {
		t.Errorf("%s: line %d offset %d (%v), want line %d offset %d", name, ie.Line, ie.Offset, err, line, offset)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("%s: %q does not contain %q", name, err, msg)
	}
	want := ie.Source + ":"
	if line > 0 {
		want = fmt.Sprintf("%s line %d:", ie.Source, line)
	} else if offset >= 0 {
		want = fmt.Sprintf("%s byte %d:", ie.Source, offset)
	}
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("%s: %q does not start with %q", name, err, want)
	}
}

func xyzFloat(rows ...[]float64) tElem {
	return tElem{name: "vertex", props: []tProp{{typ: "float", name: "x"}, {typ: "float", name: "y"}, {typ: "float", name: "z"}}, rows: rows}
}

func TestPLYMalformed(t *testing.T) {
	good := buildPLY("binary_little_endian", "\n", []tElem{xyzFloat([]float64{1, 2, 3}, []float64{4, 5, 6}, []float64{7, 8, 9})})
	hdr := int64(bytes.Index(good, []byte("end_header\n")) + len("end_header\n"))
	nan := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(nan[hdr+16:], math.Float32bits(float32(math.NaN()))) // vertex 2, y
	inf := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(inf[hdr+32:], math.Float32bits(float32(math.Inf(-1)))) // vertex 3, z
	asciiHead := "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n"
	withFace := buildPLY("binary_big_endian", "\n", []tElem{
		{name: "face", props: []tProp{{typ: "int", name: "vertex_indices", count: "uchar"}}, rows: [][]float64{{3, 0, 1, 2}, {3, 0, 1, 2}}},
		xyzFloat([]float64{1, 2, 3})})
	faceHdr := int64(bytes.Index(withFace, []byte("end_header\n")) + len("end_header\n"))
	cases := []plyErrCase{
		{"truncated binary", good[:len(good)-6], 0, int64(len(good) - 6), "truncated PLY body: the input ends inside vertex 3 of 3"},
		{"truncated in face list", withFace[:faceHdr+20], 0, faceHdr + 20, "ends inside face 2 of 2"},
		{"binary NaN", nan, 0, hdr + 16, "vertex 2: y is NaN"},
		{"binary Inf", inf, 0, hdr + 32, "vertex 3: z is -Inf"},
		{"binary trailing data", append(append([]byte(nil), good...), 0, 0, 0, 0), 0, int64(len(good)), "data after the last element"},
		{"huge count", bytes.Replace(good, []byte("vertex 3"), []byte("vertex 999999999999"), 1), 0, int64(len(good) + 11), "ends inside vertex 4 of 999999999999"},
		{"ascii wrong field count", []byte(asciiHead + "1 2 3\n4 5\n"), 9, -1, "vertex 2: 2 values, but the header declares more"},
		{"ascii extra field", []byte(asciiHead + "1 2 3 4\n4 5 6\n"), 8, -1, "vertex 1: more values than the header declares"},
		{"ascii non-numeric", []byte(asciiHead + "1 2 3\n4 five 6\n"), 9, -1, `vertex 2: y = "five" is not a number`},
		{"ascii NaN", []byte(asciiHead + "1 2 nan\n4 5 6\n"), 8, -1, "vertex 1: z is NaN"},
		{"ascii Inf", []byte(asciiHead + "1 2 3\n4 1e999 6\n"), 9, -1, "vertex 2: y is +Inf"},
		{"ascii truncated", []byte(asciiHead + "1 2 3\n"), 8, -1, "truncated PLY body: the input ends before vertex 2 of 2"},
		{"ascii extra line", []byte(asciiHead + "1 2 3\n4 5 6\n7 8 9\n"), 10, -1, "data after the last element (vertex)"},
		{"ascii bad list length", []byte("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\nelement face 1\nproperty list uchar int v\nend_header\n1 2\n-3 1 2 3\n"), 10, -1, `list length "-3"`},
		{"missing x", []byte("ply\nformat ascii 1.0\nelement vertex 1\nproperty float y\nproperty float z\nproperty uchar red\nend_header\n1 2 3\n"), 3, -1, "vertex element has no x and y properties (it has: y, z, red)"},
		{"missing y", []byte("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n"), 3, -1, "(it has: x)"},
		{"no vertex", []byte("ply\nformat ascii 1.0\nelement face 0\nproperty list uchar int v\nend_header\n"), 5, -1, "no vertex element"},
		{"zero vertices", []byte("ply\nformat binary_little_endian 1.0\nelement vertex 0\nproperty float x\nproperty float y\nend_header\n"), 3, -1, "no points"},
		{"bad magic", []byte("plx\nformat ascii 1.0\n"), 1, -1, "not a PLY file"},
		{"bad format", []byte("ply\nformat binary_middle_endian 1.0\nend_header\n"), 2, -1, `unknown PLY format "binary_middle_endian"`},
		{"bad version", []byte("ply\nformat ascii 2.0\nend_header\n"), 2, -1, "unsupported PLY version"},
		{"no format", []byte("ply\nelement vertex 1\nproperty float x\nend_header\n"), 4, -1, "no format line"},
		{"bad type", []byte("ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n"), 4, -1, `unknown type "float128"`},
		{"bad list type", []byte("ply\nformat ascii 1.0\nelement vertex 1\nproperty list float int x\nend_header\n"), 4, -1, "list count type must be an integer"},
		{"list x", []byte("ply\nformat ascii 1.0\nelement vertex 1\nproperty list uchar float x\nproperty float y\nend_header\n"), 3, -1, "vertex property x is a list"},
		{"property first", []byte("ply\nformat ascii 1.0\nproperty float x\nend_header\n"), 3, -1, "property before any element"},
		{"bad count", []byte("ply\nformat ascii 1.0\nelement vertex -5\nend_header\n"), 3, -1, `bad count "-5"`},
		{"bad keyword", []byte("ply\nformat ascii 1.0\nelemnt vertex 5\nend_header\n"), 3, -1, `unknown PLY header keyword "elemnt"`},
		{"duplicate element", []byte("ply\nformat ascii 1.0\nelement vertex 1\nelement vertex 1\nend_header\n"), 4, -1, "declared twice"},
		{"no end_header", []byte("ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\n"), 5, -1, "no end_header"},
		{"empty", []byte{}, 0, -1, "empty input"},
	}
	for _, tc := range cases {
		_, err := readBytes(tc.data, ReadOptions{Format: FormatPLY})
		checkInputError(t, tc.name, err, tc.line, tc.offset, tc.msg)
	}
}

// A header claiming 10^12 vertices must not make the reader allocate for them, from a
// file (size known) or a pipe (size unknown).
func TestPLYHugeCountAllocatesLittle(t *testing.T) {
	data := buildPLY("binary_little_endian", "\n", []tElem{xyzFloat([]float64{1, 2, 3}, []float64{4, 5, 6})})
	data = bytes.Replace(data, []byte("vertex 2"), []byte("vertex 999999999999"), 1)
	for _, pipe := range []bool{false, true} {
		var before, after runtimeMem
		before.read()
		var err error
		if pipe {
			_, err = Read(onlyReader{bytes.NewReader(data)}, "p", ReadOptions{})
		} else {
			_, err = Read(bytes.NewReader(data), "p", ReadOptions{})
		}
		after.read()
		if !isInputError(err) {
			t.Fatalf("pipe=%v: %v", pipe, err)
		}
		if d := after.total - before.total; d > 16<<20 {
			t.Errorf("pipe=%v: allocated %d bytes for a 2-vertex body", pipe, d)
		}
	}
}
