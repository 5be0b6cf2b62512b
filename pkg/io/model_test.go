package cloudio

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testModel() *Model {
	m := &Model{ModelHeader: ModelHeader{
		N: 4, Dim: 2, K: 2, Names: []string{"x", "y"}, VectorNames: []string{"phi1", "phi2"},
		Sigma: 0.5, Cutoff: 4, Affinity: "gaussian", Laplacian: "normalized",
		Eigenvalues: []float64{0, 0.25}, Source: "t.csv",
	}}
	m.Points = []float64{0, 0, 1, 0, 0, 1, 1, 1e-300}
	m.Degrees = []float64{1.5, 2, 2, 1.5}
	m.Vectors = [][]float64{{0.5, 0.5, 0.5, 0.5}, {-0.7, math.SmallestNonzeroFloat64, 0.1, 0.7}}
	return m
}

// TestModelRoundTrip: every value comes back bit for bit.
func TestModelRoundTrip(t *testing.T) {
	m := testModel()
	var buf bytes.Buffer
	if err := WriteModel(&buf, m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.model")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadModelFile(path)
	if err != nil {
		t.Fatal(err)
	}
	same := func(a, b []float64) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				return false
			}
		}
		return true
	}
	if !same(got.Points, m.Points) || !same(got.Degrees, m.Degrees) || !same(got.Vectors[0], m.Vectors[0]) ||
		!same(got.Vectors[1], m.Vectors[1]) || !same(got.Eigenvalues, m.Eigenvalues) ||
		got.Sigma != m.Sigma || got.Cutoff != m.Cutoff || got.Laplacian != m.Laplacian || got.Names[1] != "y" {
		t.Fatalf("round trip differs: %+v", got)
	}
}

// TestModelCorrupt: truncated, padded, wrong magic, lying header, bad degrees: each a
// clear InputError naming the file, never a panic or a huge allocation.
func TestModelCorrupt(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteModel(&buf, testModel()); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	head := bytes.IndexByte(good[17:], '\n') + 18
	badDeg := append([]byte{}, good...)
	for i := 0; i < 8; i++ { // first degree -> 0
		badDeg[head+8*8+i] = 0
	}
	cases := map[string]struct {
		data []byte
		want string
	}{
		"empty":     {nil, "not a spectral model"},
		"magic":     {[]byte("ply\nformat ascii 1.0\n"), "want \"spectral-model 1\""},
		"truncated": {good[:len(good)-3], "truncated or not a model"},
		"padded":    {append(append([]byte{}, good...), 0), "truncated or not a model"},
		"huge n":    {[]byte("spectral-model 1\n{\"n\":4000000000000,\"dim\":3,\"k\":7}\n"), "need"},
		"json":      {[]byte("spectral-model 1\n{\"n\":\n"), "header"},
		"degree":    {badDeg, "degree of point 1 is 0"},
		"no header": {[]byte("spectral-model 1\n" + strings.Repeat("x", 2<<20)), "line longer"},
	}
	for name, c := range cases {
		path := filepath.Join(t.TempDir(), "m.model")
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadModelFile(path)
		var ie *InputError
		if err == nil || !asInputError(err, &ie) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: got %v, want an InputError naming the file and containing %q", name, err, c.want)
		}
	}
}

func asInputError(err error, target **InputError) bool {
	e, ok := err.(*InputError)
	*target = e
	return ok
}

// FuzzReadModel: any bytes give a model that passes its own checks, or an InputError
// naming the file; never a panic or an allocation the file cannot back.
func FuzzReadModel(f *testing.F) {
	var buf bytes.Buffer
	if err := WriteModel(&buf, testModel()); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	w := testModel()
	w.Weights = []float64{1, 2, 3, 4}
	buf.Reset()
	if err := WriteModel(&buf, w); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("spectral-model 1\n{\"n\":1,\"dim\":1,\"k\":1}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.model")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := ReadModelFile(path)
		if err != nil {
			var ie *InputError
			if !asInputError(err, &ie) {
				t.Fatalf("not an InputError: %v", err)
			}
			return
		}
		if err := m.check(); err != nil {
			t.Fatalf("accepted a model that fails its checks: %v", err)
		}
	})
}
