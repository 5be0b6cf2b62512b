package cloudio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lasFiles holds, for every LAS file in testdata/data, values computed independently of
// this package by scripts/las_check.py (numpy on the raw records, by the public header
// layout); its output lines are copied here verbatim. Comparisons are exact: both apply
// scale and offset as a rounded product, then a rounded sum, in float64.
var lasFiles = []struct {
	file                string
	format              int
	n                   int
	first, last, lo, hi []float64
	intensity           [2]float64
}{
	{file: "extrabytes.las", format: 3, n: 1065, first: []float64{637012.24, 849028.31, 431.66}, last: []float64{637342.85, 853240.3200000001, 423.92}, lo: []float64{635619.85, 848899.7000000001, 406.59000000000003}, hi: []float64{638982.55, 853535.43, 586.38}, intensity: [2]float64{143, 116}},
	{file: "simple.las", format: 3, n: 1065, first: []float64{637012.24, 849028.31, 431.66}, last: []float64{637342.85, 853240.3200000001, 423.92}, lo: []float64{635619.85, 848899.7000000001, 406.59000000000003}, hi: []float64{638982.55, 853535.43, 586.38}, intensity: [2]float64{143, 116}},
	{file: "simple1_4.las", format: 7, n: 22600, first: []float64{1.0, 1.0, 100.0}, last: []float64{226.00000000000003, 100.00000000000003, 185.0}, lo: []float64{1.0, 1.0, 44.0}, hi: []float64{226.00000000000003, 100.00000000000003, 254.0}, intensity: [2]float64{0, 0}},
	{file: "test1_4.las", format: 6, n: 1000, first: []float64{1694510.3869346841, 1816497.966263977, 5598.3596128149675}, last: []float64{1694291.6363326558, 1816493.0662305846, 5597.089652537912}, lo: []float64{1694038.4456374517, 1816492.7062700584, 5592.7499174683535}, hi: []float64{1694539.677014474, 1816497.9762624602, 5599.069686751426}, intensity: [2]float64{41, 36}},
}

func TestLASRealFiles(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(dataDir, "*.las"))
	if len(files) != len(lasFiles) {
		t.Fatalf("%d .las files in %s, %d expected: rerun scripts/las_check.py", len(files), dataDir, len(lasFiles))
	}
	for _, want := range lasFiles {
		t.Run(want.file, func(t *testing.T) {
			path := filepath.Join(dataDir, want.file)
			for _, carry := range []bool{false, true} {
				c, err := ReadFile(path, ReadOptions{Carry: carry})
				if err != nil {
					t.Fatal(err)
				}
				if c.N() != want.n || c.Dim != 3 {
					t.Fatalf("%d points of dim %d, want %d of 3", c.N(), c.Dim, want.n)
				}
				if !strings.Contains(c.Format, "las 1.") || !strings.HasSuffix(c.Format, "format "+string(rune('0'+want.format))) {
					t.Errorf("format %q, want LAS point format %d", c.Format, want.format)
				}
				lo, hi := bbox(c)
				if !equalFloats(c.Points[:3], want.first) || !equalFloats(c.Points[len(c.Points)-3:], want.last) ||
					!equalFloats(lo, want.lo) || !equalFloats(hi, want.hi) {
					t.Fatalf("first %v last %v lo %v hi %v, want %v %v %v %v", c.Points[:3], c.Points[len(c.Points)-3:], lo, hi, want.first, want.last, want.lo, want.hi)
				}
				if !carry {
					if c.Props != nil {
						t.Fatalf("props read without Carry")
					}
					continue
				}
				in := findProp(c, "intensity")
				if in == nil || in.Type != "ushort" || len(in.Values) != want.n || in.Values[0] != want.intensity[0] || in.Values[want.n-1] != want.intensity[1] {
					t.Fatalf("intensity %+v, want first/last %v", in, want.intensity)
				}
				for _, p := range c.Props {
					if len(p.Values) != want.n {
						t.Fatalf("prop %s: %d values", p.Name, len(p.Values))
					}
				}
				if (want.format == 3 || want.format == 7) && findProp(c, "red") == nil {
					t.Errorf("format %d: no red carried (props %v)", want.format, propNames(c))
				}
			}
		})
	}
}

func findProp(c *Cloud, name string) *Prop {
	for i := range c.Props {
		if c.Props[i].Name == name {
			return &c.Props[i]
		}
	}
	return nil
}

func propNames(c *Cloud) []string {
	var s []string
	for _, p := range c.Props {
		s = append(s, p.Name)
	}
	return s
}

// extrabytes.las (LAS 1.4, 27 extra bytes a record, an Extra Bytes VLR) holds the points
// of simple.las (LAS 1.2): the readers must agree bit for bit, properties included.
func TestLASExtraBytesSamePoints(t *testing.T) {
	a, err := ReadFile(filepath.Join(dataDir, "simple.las"), ReadOptions{Carry: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(filepath.Join(dataDir, "extrabytes.las"), ReadOptions{Carry: true})
	if err != nil {
		t.Fatal(err)
	}
	if !equalFloats(a.Points, b.Points) {
		t.Fatal("simple.las and extrabytes.las differ")
	}
	if len(a.Props) != len(b.Props) {
		t.Fatalf("props %v vs %v", propNames(a), propNames(b))
	}
	for i := range a.Props {
		if a.Props[i].Name != b.Props[i].Name || !equalFloats(a.Props[i].Values, b.Props[i].Values) {
			t.Fatalf("prop %s differs", a.Props[i].Name)
		}
	}
}

func TestLAZRefused(t *testing.T) {
	_, err := ReadFile(filepath.Join(dataDir, "simple.laz"), ReadOptions{})
	if !isInputError(err) || !strings.Contains(err.Error(), "LAZ") || !strings.Contains(err.Error(), "laszip -i") {
		t.Fatalf("got %v, want the LAZ refusal", err)
	}
	// By content alone (stdin): the compression bit of the point format byte.
	raw, err := os.ReadFile(filepath.Join(dataDir, "simple.laz"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Read(onlyReader{bytes.NewReader(raw)}, "<stdin>", ReadOptions{})
	if !isInputError(err) || !strings.Contains(err.Error(), "pdal translate") {
		t.Fatalf("stdin: got %v, want the LAZ refusal", err)
	}
}

// lasBytes returns simple.las with edits applied, for the error cases.
func lasBytes(t *testing.T, edit func(b []byte) []byte) []byte {
	raw, err := os.ReadFile(filepath.Join(dataDir, "simple.las"))
	if err != nil {
		t.Fatal(err)
	}
	return edit(append([]byte(nil), raw...))
}

func TestLASErrors(t *testing.T) {
	le := binary.LittleEndian
	cases := []struct {
		name, want string
		edit       func(b []byte) []byte
	}{
		{"truncated record", "byte 227: the LAS header declares 1065 points of 34 bytes from byte 227, but the file has room for 1064", func(b []byte) []byte { return b[:len(b)-10] }},
		{"truncated header", "truncated LAS header", func(b []byte) []byte { return b[:100] }},
		{"count beyond file", "declares 4000000000 points of 34 bytes from byte 227, but the file has room for 1065", func(b []byte) []byte { le.PutUint32(b[107:], 4e9); return b }},
		{"format 11", "point data format 11 is not defined", func(b []byte) []byte { b[104] = 11; return b }},
		{"short records", "too short for point data format 3", func(b []byte) []byte { le.PutUint16(b[105:], 20); return b }},
		{"version 2.0", "LAS version 2.0 is not supported", func(b []byte) []byte { b[24] = 2; b[25] = 0; return b }},
		{"zero scale", "scale must be finite and nonzero", func(b []byte) []byte { le.PutUint64(b[139:], 0); return b }},
		{"offset inside header", "lies inside the 227-byte header", func(b []byte) []byte { le.PutUint32(b[96:], 100); return b }},
		{"offset beyond the end", "byte 36437: truncated LAS file: the point data should start at byte 99999", func(b []byte) []byte { le.PutUint32(b[96:], 99999); return b }},
		{"no points", "declares 0 points", func(b []byte) []byte { le.PutUint32(b[107:], 0); return b }},
		{"huge scale", "after scale and offset", func(b []byte) []byte { le.PutUint64(b[131:], math.Float64bits(1e308)); return b }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := lasBytes(t, tc.edit)
			_, err := Read(bytes.NewReader(data), "x.las", ReadOptions{})
			if !isInputError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			// From a pipe the count cannot be checked up front; the error comes from the data.
			if _, err := Read(onlyReader{bytes.NewReader(data)}, "x.las", ReadOptions{}); !isInputError(err) {
				t.Fatalf("pipe: got %v, want an *InputError", err)
			}
		})
	}
}

func TestLASTruncatedPipe(t *testing.T) {
	data := lasBytes(t, func(b []byte) []byte { return b[:len(b)-10] })
	_, err := Read(onlyReader{bytes.NewReader(data)}, "x.las", ReadOptions{})
	if want := "x.las byte 36427: truncated LAS file: the input ends inside point 1065 of 1065"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
}

// A wrong VLR count does not matter: the points are found by the offset to point data.
func TestLASWrongVLRCount(t *testing.T) {
	data := lasBytes(t, func(b []byte) []byte { binary.LittleEndian.PutUint32(b[100:], 7); return b })
	c, err := Read(bytes.NewReader(data), "x.las", ReadOptions{})
	if err != nil || c.N() != 1065 || !equalFloats(c.Points[:3], lasFiles[1].first) {
		t.Fatalf("got %v, %v", c, err)
	}
}

// A LAS file named .csv, or on stdin, is still read as LAS (the signature decides);
// other binary input gets one clean line.
func TestLASSniffedAndBinaryRefused(t *testing.T) {
	data := lasBytes(t, func(b []byte) []byte { return b })
	c, err := Read(onlyReader{bytes.NewReader(data)}, "<stdin>", ReadOptions{Format: FormatText})
	if err != nil || c.N() != 1065 {
		t.Fatalf("LAS as text: %v", err)
	}
	bin := []byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0x3e, 0}
	_, err = Read(bytes.NewReader(bin), "a.out", ReadOptions{})
	if !isInputError(err) || !strings.Contains(err.Error(), "binary data") || !strings.Contains(err.Error(), "not PLY, LAS or NumPy .npy") ||
		strings.ContainsRune(err.Error(), 0) || strings.Contains(err.Error(), "ELF") {
		t.Fatalf("got %v", err)
	}
}

func FuzzReadLAS(f *testing.F) {
	seedFiles(f, ".las", ".laz")
	le := binary.LittleEndian
	small := func() []byte { // a LAS 1.4 header, format 6, two points
		b := make([]byte, las14Header+2*30)
		copy(b, "LASF")
		b[24], b[25] = 1, 4
		le.PutUint16(b[94:], las14Header)
		le.PutUint32(b[96:], las14Header)
		b[104] = 6
		le.PutUint16(b[105:], 30)
		for k := 0; k < 3; k++ {
			le.PutUint64(b[131+8*k:], math.Float64bits(0.01))
		}
		le.PutUint64(b[247:], 2)
		le.PutUint32(b[las14Header+30:], 12345)
		return b
	}
	f.Add(small())
	b := small()
	le.PutUint64(b[247:], 1<<62)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Read(bytes.NewReader(data), "fuzz", ReadOptions{Format: FormatLAS, Carry: true})
		checkCloud(t, c, err)
		if err == nil {
			for _, p := range c.Props {
				if len(p.Values) != c.N() {
					t.Fatalf("prop %s: %d values for %d points", p.Name, len(p.Values), c.N())
				}
			}
		}
		c2, err2 := Read(onlyReader{bytes.NewReader(data)}, "fuzz", ReadOptions{Format: FormatLAS})
		if (err == nil) != (err2 == nil) || (err == nil && !equalFloats(c.Points, c2.Points)) {
			t.Fatalf("file vs pipe: %v vs %v", err, err2)
		}
	})
}

// TestLASAllPointFormats builds a two-point LAS file for each point data format 0-10 (in
// the header version that introduced it, with 3 extra bytes a record) and checks the
// coordinates and the carried intensity and colours, placed at the ASPRS offsets: RGB
// at 20 (format 2), 28 (3, 5), 30 (7, 8, 10).
func TestLASAllPointFormats(t *testing.T) {
	le := binary.LittleEndian
	rgbAt := map[int]int{2: 20, 3: 28, 5: 28, 7: 30, 8: 30, 10: 30}
	for f, size := range lasRecordSizes {
		minor, hsize := byte(2), lasMinHeader
		if f >= 4 {
			minor, hsize = 3, lasMinHeader+8
		}
		if f >= 6 {
			minor, hsize = 4, las14Header
		}
		rec := size + 3
		vlr := 54 + 10 // one VLR header and 10 bytes of payload, skipped by the offset
		b := make([]byte, hsize+vlr+2*rec)
		copy(b, "LASF")
		b[24], b[25] = 1, minor
		le.PutUint16(b[94:], uint16(hsize))
		le.PutUint32(b[96:], uint32(hsize+vlr))
		le.PutUint32(b[100:], 1)
		b[104] = byte(f)
		le.PutUint16(b[105:], uint16(rec))
		if f < 6 {
			le.PutUint32(b[107:], 2)
		} else {
			le.PutUint64(b[247:], 2)
		}
		for k, s := range []float64{0.01, 0.001, 0.5} {
			le.PutUint64(b[131+8*k:], math.Float64bits(s))
			le.PutUint64(b[155+8*k:], math.Float64bits(1000*float64(k+1)))
		}
		for i := 0; i < 2; i++ {
			r := b[hsize+vlr+i*rec:]
			for k := 0; k < 3; k++ {
				le.PutUint32(r[4*k:], uint32(int32(-7+100*i+k)))
			}
			le.PutUint16(r[12:], uint16(500+i))
			if at, ok := rgbAt[f]; ok {
				le.PutUint16(r[at:], uint16(60000+i))
			}
		}
		c, err := Read(bytes.NewReader(b), "f.las", ReadOptions{Carry: true})
		if err != nil {
			t.Fatalf("format %d: %v", f, err)
		}
		for i := 0; i < 2; i++ {
			for k, s := range []float64{0.01, 0.001, 0.5} {
				want := float64(float64(-7+100*i+k)*s) + 1000*float64(k+1)
				if got := c.Points[3*i+k]; got != want {
					t.Fatalf("format %d point %d coord %d: %v, want %v", f, i, k, got, want)
				}
			}
			if in := findProp(c, "intensity"); in == nil || in.Values[i] != float64(500+i) {
				t.Fatalf("format %d: intensity %+v", f, in)
			}
			red := findProp(c, "red")
			if _, ok := rgbAt[f]; ok != (red != nil) || (ok && red.Values[i] != float64(60000+i)) {
				t.Fatalf("format %d: red %+v", f, red)
			}
		}
		if c.Format != fmt.Sprintf("las 1.%d point format %d", minor, f) {
			t.Errorf("format %q", c.Format)
		}
	}
}

// ReadTable (plot's input) refuses a LAS file in one line too.
func TestReadTableRefusesBinary(t *testing.T) {
	_, err := ReadTable(filepath.Join(dataDir, "simple.las"))
	if !isInputError(err) || !strings.Contains(err.Error(), "first bytes 4c 41 53 46") || strings.Count(err.Error(), "\n") > 0 {
		t.Fatalf("got %v", err)
	}
}
