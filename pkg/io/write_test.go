package cloudio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteCSVRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 1000
	tab := &Table{Names: []string{"x", "y", "z", "phi1", "odd, name", "\"q\""}}
	for c := range tab.Names {
		col := make([]float64, n)
		for i := range col {
			switch c {
			case 0:
				col[i] = rng.NormFloat64() * 1e6
			case 1:
				col[i] = rng.Float64() * 1e-300
			default:
				col[i] = math.Float64frombits(rng.Uint64()>>2 | 1<<61) // broad exponents
			}
		}
		tab.Columns = append(tab.Columns, col)
	}
	tab.Columns[2][0] = math.Copysign(0, -1)
	tab.Columns[3][1] = math.SmallestNonzeroFloat64
	tab.Columns[3][2] = math.MaxFloat64
	dir := t.TempDir()
	path := filepath.Join(dir, "eig.csv")
	if err := WriteFileAtomic(path, func(w io.Writer) error { return WriteCSV(w, tab) }); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Names, "|") != strings.Join(tab.Names, "|") {
		t.Fatalf("names %q, want %q", got.Names, tab.Names)
	}
	for c := range tab.Columns {
		for i := range tab.Columns[c] {
			if math.Float64bits(got.Columns[c][i]) != math.Float64bits(tab.Columns[c][i]) {
				t.Fatalf("column %d row %d: %v, want %v", c, i, got.Columns[c][i], tab.Columns[c][i])
			}
		}
	}
	// The same file as a cloud: x, y, z by name.
	cl, err := ReadFile(path, ReadOptions{})
	if err != nil || cl.N() != n || cl.Points[3*7+1] != tab.Columns[1][7] {
		t.Fatalf("as a cloud: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestWriteCSVRejectsRaggedTable(t *testing.T) {
	err := WriteCSV(io.Discard, &Table{Names: []string{"a", "b"}, Columns: [][]float64{{1, 2}, {3}}})
	if err == nil {
		t.Error("ragged table accepted")
	}
	if err := WriteCSV(io.Discard, &Table{Names: []string{"a"}, Columns: [][]float64{{1}, {3}}}); err == nil {
		t.Error("names/columns mismatch accepted")
	}
}

func TestWritePLYRoundTrip(t *testing.T) {
	for _, dim := range []int{2, 3} {
		n := 257
		p := &PLYOutput{Dim: dim, Props: []string{"phi1", "phi2"}, Comment: "spectral test"}
		p.Values = [][]float64{make([]float64, n), make([]float64, n)}
		p.RGB = make([]uint8, 3*n)
		for i := 0; i < n; i++ {
			for k := 0; k < dim; k++ {
				p.Points = append(p.Points, float64(float32(float64(i)*0.37-float64(k)*11.5)))
			}
			p.Values[0][i], p.Values[1][i] = float64(i), -float64(i)/8
			p.RGB[3*i], p.RGB[3*i+1], p.RGB[3*i+2] = uint8(i), 7, 255
		}
		var buf bytes.Buffer
		if err := WritePLY(&buf, p); err != nil {
			t.Fatal(err)
		}
		data := buf.Bytes()
		hdr := "ply\nformat binary_little_endian 1.0\ncomment spectral test\nelement vertex 257\nproperty float x\nproperty float y\nproperty float z\nproperty float phi1\nproperty float phi2\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nend_header\n"
		if !bytes.HasPrefix(data, []byte(hdr)) || len(data) != len(hdr)+n*(5*4+3) {
			t.Fatalf("dim %d: header or size wrong:\n%s", dim, data[:min(len(data), 300)])
		}
		c, err := Read(bytes.NewReader(data), "w.ply", ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Dim != 3 || c.N() != n {
			t.Fatalf("dim %d: read back dim %d n %d", dim, c.Dim, c.N())
		}
		for i := 0; i < n; i++ {
			for k := 0; k < 3; k++ {
				want := 0.0
				if k < dim {
					want = p.Points[i*dim+k]
				}
				if c.Points[3*i+k] != want {
					t.Fatalf("dim %d point %d coord %d: %v, want %v", dim, i, k, c.Points[3*i+k], want)
				}
			}
		}
		// the last record's extra values and colour, decoded by hand
		last := data[len(data)-23:]
		if math.Float32frombits(leUint32(last[16:])) != float32(-float64(n-1)/8) || last[20] != uint8(n-1) || last[22] != 255 {
			t.Errorf("dim %d: last record %x", dim, last)
		}
	}
	if err := WritePLY(io.Discard, &PLYOutput{Points: []float64{1, 2, 3, 4}, Dim: 4}); err == nil {
		t.Error("dimension 4 accepted")
	}
	if err := WritePLY(io.Discard, &PLYOutput{Points: []float64{1, 2}, Dim: 2, RGB: []uint8{1}}); err == nil {
		t.Error("short RGB accepted")
	}
	if err := WritePLY(io.Discard, &PLYOutput{Points: []float64{1, 2}, Dim: 2, Props: []string{"a b"}, Values: [][]float64{{1}}}); err == nil {
		t.Error("property name with a space accepted")
	}
}

func leUint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func TestWriteFileAtomicFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileAtomic(path, func(w io.Writer) error {
		io.WriteString(w, strings.Repeat("partial\n", 100000))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if b, _ := os.ReadFile(path); string(b) != "old\n" {
		t.Errorf("old content replaced: %q", b[:min(len(b), 20)])
	}
	// Success replaces it and keeps its permissions.
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "new\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new\n" {
		t.Errorf("content %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// A missing folder is an error, not a panic.
	if err := WriteFileAtomic(filepath.Join(dir, "no", "such", "x.csv"), func(io.Writer) error { return nil }); err == nil {
		t.Error("write into a missing folder succeeded")
	}
}

func TestWriteFileAtomicContextCancelled(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.ply")
	ctx, cancel := context.WithCancel(context.Background())
	// Cancelled mid-write (Ctrl-C): the write fails and the temp file goes.
	err := WriteFileAtomicContext(ctx, path, func(w io.Writer) error {
		for i := 0; i < 1000; i++ {
			if i == 10 {
				cancel()
			}
			if _, err := w.Write(make([]byte, 64<<10)); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	// Cancelled after a write that completed in the buffer: no rename either.
	ctx2, cancel2 := context.WithCancel(context.Background())
	err = WriteFileAtomicContext(ctx2, path, func(w io.Writer) error { cancel2(); return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestReadTableHeaderless(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(path, []byte("1 2\n3 4\n5 6"), 0o644)
	tab, err := ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tab.Names, ",") != "1,2" || !equalFloats(tab.Columns[1], []float64{2, 4, 6}) {
		t.Errorf("%v %v", tab.Names, tab.Columns)
	}
	if _, err := ReadTable(filepath.Join(t.TempDir(), "missing.csv")); !isInputError(err) {
		t.Errorf("missing file: %v", err)
	}
}
