package cloudio

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// seedFiles adds the small real files of one kind to a fuzz corpus.
func seedFiles(f *testing.F, exts ...string) {
	for _, ext := range exts {
		files, _ := filepath.Glob(filepath.Join(dataDir, "*"+ext))
		for _, p := range files {
			if fi, err := os.Stat(p); err == nil && fi.Size() <= 64<<10 {
				b, err := os.ReadFile(p)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(b)
			}
		}
	}
}

func checkCloud(t *testing.T, c *Cloud, err error) {
	if err != nil {
		if !isInputError(err) {
			t.Fatalf("error is not an *InputError: %v", err)
		}
		return
	}
	if (c.Dim != 2 && c.Dim != 3) || len(c.Names) != c.Dim || len(c.Points) != c.N()*c.Dim || c.N() == 0 {
		t.Fatalf("bad cloud: dim %d, names %v, %d values", c.Dim, c.Names, len(c.Points))
	}
	for _, v := range c.Points {
		if !finite(v) {
			t.Fatalf("non-finite coordinate %v", v)
		}
	}
}

func FuzzReadPLY(f *testing.F) {
	seedFiles(f, ".ply")
	for _, format := range plyFormats {
		for _, term := range []string{"\n", "\r\n", "\r"} {
			f.Add(buildPLY(format, term, []tElem{
				{name: "face", props: []tProp{{typ: "int", name: "vertex_indices", count: "uchar"}}, rows: [][]float64{{3, 0, 1, 2}}},
				{name: "vertex", props: []tProp{{typ: "float", name: "x"}, {typ: "double", name: "y"}, {typ: "short", name: "z"}, {typ: "uchar", name: "n", count: "ushort"}},
					rows: [][]float64{{1, 2, 3, 2, 9, 9}, {4, 5, 6, 0}}}}))
		}
	}
	good := buildPLY("binary_little_endian", "\n", []tElem{xyzFloat([]float64{1, 2, 3}, []float64{4, 5, 6})})
	f.Add(good[:len(good)-5])
	f.Add(bytes.Replace(good, []byte("vertex 2"), []byte("vertex 999999999999"), 1))
	f.Add([]byte("ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nend_header\n1 2\n3 nan\n"))
	f.Add([]byte("ply\nformat ascii 1.0\nelement vertex 1\nproperty float y\nend_header\n1\n"))
	f.Add([]byte("ply\nformat binary_big_endian 1.0\nelement e 4000000000\nelement vertex 1\nproperty float x\nproperty float y\nend_header\n12345678"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Read(bytes.NewReader(data), "fuzz", ReadOptions{Format: FormatPLY})
		checkCloud(t, c, err)
		// From a pipe (size unknown), carrying the other properties, the outcome must be the same.
		c2, err2 := Read(onlyReader{bytes.NewReader(data)}, "fuzz", ReadOptions{Format: FormatPLY, Carry: true})
		if (err == nil) != (err2 == nil) || (err == nil && !equalFloats(c.Points, c2.Points)) {
			t.Fatalf("file vs pipe: %v vs %v", err, err2)
		}
		if err2 == nil {
			for _, p := range c2.Props {
				if len(p.Values) != c2.N() {
					t.Fatalf("prop %s: %d values for %d points", p.Name, len(p.Values), c2.N())
				}
			}
		}
	})
}

func FuzzReadText(f *testing.F) {
	seedFiles(f, ".csv", ".txt", ".xyz")
	for _, s := range []string{"x,y,z\n1,2,3\n4,5\n", "1 2 3\n4 nan 6\n", "\"X\";\"Y\"\r\n1;2\r\n3;4", "a\tb\n1\t\t2\n",
		"# c\n\n1e5 2E-3\n.5 +4.\n", "x,y\n\"1,5\",2\n", "\xef\xbb\xbfx y\n1 2\r3 4\r", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Read(bytes.NewReader(data), "fuzz", ReadOptions{Format: FormatText})
		checkCloud(t, c, err)
		c2, err2 := Read(onlyReader{bytes.NewReader(data)}, "fuzz", ReadOptions{Format: FormatText, Columns: []string{"2", "1"}})
		checkCloud(t, c2, err2)
		// Every column, as ReadTable reads them.
		d, err := readDelimited(newSource(bytes.NewReader(data), "fuzz"), func(h []string, n int) ([]int, []string, error) {
			cols := make([]int, n)
			for i := range cols {
				cols[i] = i
			}
			return cols, make([]string, n), nil
		})
		if err == nil && len(d.values) != d.rows*len(d.names) {
			t.Fatalf("%d values for %d rows of %d columns", len(d.values), d.rows, len(d.names))
		}
		// parseFloat agrees with strconv on whatever the fuzzer makes.
		got, ok := parseFloat(data)
		want, ok2 := slowFloat(data)
		if ok != ok2 || (ok && got != want && got == got) {
			t.Fatalf("parseFloat(%q) = %v %v, strconv %v %v", data, got, ok, want, ok2)
		}
	})
}
