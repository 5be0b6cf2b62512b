package cloudio

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNPYFixtures reads the arrays numpy wrote (testdata/npy/make.py): both widths, both
// byte orders, both memory orders, exactly.
func TestNPYFixtures(t *testing.T) {
	for _, d := range []int{2, 3} {
		for _, kind := range []string{"f8", "f4"} {
			for _, bo := range []string{"le", "be"} {
				for _, order := range []string{"C", "F"} {
					name := fmt.Sprintf("%d_%s_%s_%s.npy", d, kind, bo, order)
					c, err := ReadFile(filepath.Join("testdata", "npy", name), ReadOptions{})
					if err != nil {
						t.Fatal(err)
					}
					if c.N() != 5 || c.Dim != d {
						t.Fatalf("%s: %d x %d", name, c.N(), c.Dim)
					}
					for i := 0; i < 5; i++ {
						for j := 0; j < d; j++ {
							want := float64(i*d+j)/7.0 + 1e6*float64(j)
							if kind == "f4" {
								want = float64(float32(want))
							}
							if got := c.Points[i*d+j]; got != want {
								t.Fatalf("%s [%d,%d] = %v, want %v", name, i, j, got, want)
							}
						}
					}
					wantFormat := map[string]string{"f8": "npy float64 ", "f4": "npy float32 "}[kind] + map[string]string{"C": "C-order", "F": "Fortran-order"}[order]
					if c.Format != wantFormat {
						t.Errorf("%s: format %q, want %q", name, c.Format, wantFormat)
					}
				}
			}
		}
	}
}

// TestNPYRoundTrip: WriteNPY then the reader give back the same bits, for awkward values
// (subnormals, -0, the largest float), from a file and from a pipe.
func TestNPYRoundTrip(t *testing.T) {
	cols := [][]float64{
		{665171.37498, math.Copysign(0, -1), math.SmallestNonzeroFloat64, 1},
		{5648298.096676, math.MaxFloat64, -1e-300, 2},
		{228.049194, 1.0 / 3, math.Nextafter(1, 2), 3},
		{0.1, 0.2, 0.3, 4},
	}
	var buf bytes.Buffer
	if err := WriteNPY(&buf, &Table{Names: []string{"x", "y", "z", "phi1"}, Columns: cols}); err != nil {
		t.Fatal(err)
	}
	if (bytes.IndexByte(buf.Bytes(), '\n')+1)%64 != 0 {
		t.Errorf("data does not start on a 64-byte boundary")
	}
	for _, r := range []func() any{func() any { return bytes.NewReader(buf.Bytes()) }, func() any { return onlyReader{bytes.NewReader(buf.Bytes())} }} {
		vals, rows, ncols, err := ReadNPYArray(r().(interface{ Read([]byte) (int, error) }), "rt")
		if err != nil || rows != 4 || ncols != 4 {
			t.Fatalf("%v %d x %d", err, rows, ncols)
		}
		for i := 0; i < rows; i++ {
			for c := 0; c < ncols; c++ {
				if math.Float64bits(vals[i*ncols+c]) != math.Float64bits(cols[c][i]) {
					t.Fatalf("[%d,%d] = %v, wrote %v", i, c, vals[i*ncols+c], cols[c][i])
				}
			}
		}
	}
	// The first three columns are a cloud.
	var b3 bytes.Buffer
	if err := WriteNPY(&b3, &Table{Columns: cols[:3]}); err != nil {
		t.Fatal(err)
	}
	c, err := Read(bytes.NewReader(b3.Bytes()), "<stdin>", ReadOptions{})
	if err != nil || c.N() != 4 || c.Dim != 3 || !math.Signbit(c.Points[3]) || c.Points[4] != math.MaxFloat64 {
		t.Fatalf("%v %+v", err, c)
	}
	// numpy reads what WriteNPY wrote, bit for bit (when Debian's numpy is installed).
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	path := filepath.Join(t.TempDir(), "a.npy")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", "import sys, numpy as np; a = np.load(sys.argv[1]); print(a.shape, a.dtype, a.astype('<f8').tobytes().hex())", path).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "No module named") {
			t.Skip("no numpy")
		}
		t.Fatalf("%v: %s", err, out)
	}
	var want []byte
	for i := 0; i < 4; i++ {
		for c := 0; c < 4; c++ {
			want = binary.LittleEndian.AppendUint64(want, math.Float64bits(cols[c][i]))
		}
	}
	if got := strings.TrimSpace(string(out)); got != "(4, 4) float64 "+hex.EncodeToString(want) {
		t.Fatalf("numpy read\n%s\nwant\n%x", got, want)
	}
}

func TestNPYErrors(t *testing.T) {
	hdr := func(dict string) []byte {
		b := []byte(npyMagic + "\x01\x00")
		b = append(b, byte(len(dict)+1), 0)
		return append(append(b, dict...), '\n')
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"huge shape", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000, 3), }"), "needs 24000000000000 bytes of data, but the file holds 0"},
		{"overflow", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 3), }"), "cannot fit in a file"},
		{"int dtype", hdr("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 3), }"), "want float32 or float64"},
		{"4 columns", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 4), }"), "want N x 2 or N x 3"},
		{"1-D", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"), "want 2-D"},
		{"truncated", append(hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }"), make([]byte, 20)...), "the file holds 20"},
		{"nan", append(hdr("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }"), 0, 0, 0xc0, 0x7f, 0, 0, 0, 0), "point 1: x is NaN"},
		{"version 9", []byte(npyMagic + "\x09\x00\x00\x00"), "version 9.0"},
	} {
		_, err := Read(bytes.NewReader(tc.data), "a.npy", ReadOptions{})
		if !isInputError(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
		if _, err := Read(onlyReader{bytes.NewReader(tc.data)}, "a.npy", ReadOptions{}); !isInputError(err) {
			t.Errorf("%s from a pipe: got %v", tc.name, err)
		}
	}
}

func FuzzReadNPY(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "npy", "*.npy"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Read(bytes.NewReader(data), "fuzz", ReadOptions{Format: FormatNPY})
		checkCloud(t, c, err)
		c2, err2 := Read(onlyReader{bytes.NewReader(data)}, "fuzz", ReadOptions{Format: FormatNPY})
		if (err == nil) != (err2 == nil) || (err == nil && !equalFloats(c.Points, c2.Points)) {
			t.Fatalf("file vs pipe: %v vs %v", err, err2)
		}
		if vals, rows, cols, err := ReadNPYArray(bytes.NewReader(data), "fuzz"); err == nil && len(vals) != rows*cols {
			t.Fatalf("%d values for %d x %d", len(vals), rows, cols)
		}
	})
}
