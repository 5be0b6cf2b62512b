package cloudio

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
)

// Model is an embedding saved for the Nyström extension to new points (`spectral embed
// --model FILE`, read by `spectral extend`): the points, the kernel and Laplacian that
// were used, the degrees and the eigenpairs.
//
// File format (docs/CLI.md, "Model files"), version 1:
//
//	line 1: "spectral-model 1"
//	line 2: a JSON object on one line (ModelHeader), at most 1 MiB
//	then little-endian float64 arrays, back to back, nothing after them:
//	  points  n x dim, row-major, input order
//	  weights n        only when the header says "weighted": true (landmark models)
//	  degrees n        D = K W 1 at each point (W = I without weights), input order
//	  vectors k x n    each eigenvector whole, in the header's eigenvalue order
type Model struct {
	ModelHeader
	Points  []float64
	Weights []float64 // nil: every point counts once
	Degrees []float64
	Vectors [][]float64
}

// ModelHeader is the JSON line of a model file.
type ModelHeader struct {
	N           int       `json:"n"`
	Dim         int       `json:"dim"`
	K           int       `json:"k"`
	Names       []string  `json:"names"`       // coordinate column names
	VectorNames []string  `json:"vectors"`     // e.g. phi1..phi7
	Sigma       float64   `json:"sigma"`       // input units
	Cutoff      float64   `json:"cutoff"`      // units of sigma; 0 = every pair
	Affinity    string    `json:"affinity"`    // "gaussian"
	Laplacian   string    `json:"laplacian"`   // normalized, unnormalized, randomwalk
	Eigenvalues []float64 `json:"eigenvalues"` // of the Laplacian, one per vector
	Source      string    `json:"source,omitempty"`
	Weighted    bool      `json:"weighted,omitempty"` // a weights array follows the points
}

const modelMagic = "spectral-model 1"

// maxModelHeader bounds the JSON line so a corrupt file cannot make the reader buffer
// without end.
const maxModelHeader = 1 << 20

// WriteModel writes m in the model format.
func WriteModel(w io.Writer, m *Model) error {
	if err := m.check(); err != nil {
		return fmt.Errorf("WriteModel: %w", err)
	}
	h := m.ModelHeader
	h.Weighted = m.Weights != nil
	head, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("WriteModel: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(modelMagic + "\n")
	bw.Write(head)
	bw.WriteByte('\n')
	var b [8]byte
	put := func(xs []float64) {
		for _, x := range xs {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
			bw.Write(b[:])
		}
	}
	put(m.Points)
	put(m.Weights)
	put(m.Degrees)
	for _, v := range m.Vectors {
		put(v)
	}
	return bw.Flush()
}

// check verifies that the arrays match the header.
func (m *Model) check() error {
	h := &m.ModelHeader
	switch {
	case h.N < 1 || h.Dim < 1 || h.Dim > 3 || h.K < 1:
		return fmt.Errorf("n = %d, dim = %d, k = %d: need n >= 1, dim 1-3, k >= 1", h.N, h.Dim, h.K)
	case len(h.Names) != h.Dim || len(h.VectorNames) != h.K || len(h.Eigenvalues) != h.K:
		return fmt.Errorf("%d names, %d vector names, %d eigenvalues for dim %d, k %d", len(h.Names), len(h.VectorNames), len(h.Eigenvalues), h.Dim, h.K)
	case !(h.Sigma > 0) || math.IsInf(h.Sigma, 0) || !(h.Cutoff >= 0) || math.IsInf(h.Cutoff, 0):
		return fmt.Errorf("sigma %g, cutoff %g: need sigma > 0 and a finite cutoff >= 0", h.Sigma, h.Cutoff)
	case h.Affinity != "gaussian":
		return fmt.Errorf("affinity %q: this version extends gaussian models only", h.Affinity)
	case h.Laplacian != "normalized" && h.Laplacian != "unnormalized" && h.Laplacian != "randomwalk":
		return fmt.Errorf("laplacian %q: want normalized, unnormalized or randomwalk", h.Laplacian)
	case len(m.Points) != h.N*h.Dim || len(m.Degrees) != h.N || len(m.Vectors) != h.K:
		return fmt.Errorf("arrays do not match n = %d, dim = %d, k = %d", h.N, h.Dim, h.K)
	case m.Weights != nil && len(m.Weights) != h.N:
		return fmt.Errorf("%d weights for n = %d", len(m.Weights), h.N)
	}
	for _, v := range m.Vectors {
		if len(v) != h.N {
			return fmt.Errorf("a vector has %d entries for n = %d", len(v), h.N)
		}
	}
	for _, l := range h.Eigenvalues {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return fmt.Errorf("eigenvalue %g", l)
		}
	}
	return nil
}

// ReadModelFile reads a model file, checking every size against the file's length before
// allocating, and every value the extension divides by.
func ReadModelFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err, "cannot open model")
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fileError(path, err, "cannot open model")
	}
	if !st.Mode().IsRegular() {
		return nil, fileError(path, nil, "model file: not a regular file")
	}
	bad := func(format string, a ...any) error {
		return fileError(path, nil, "model file: %s", fmt.Sprintf(format, a...))
	}
	br := bufio.NewReaderSize(f, 1<<16)
	line := func(limit int) ([]byte, error) {
		var out []byte
		for {
			chunk, err := br.ReadSlice('\n')
			out = append(out, chunk...)
			if len(out) > limit {
				return nil, bad("line longer than %d bytes: not a spectral model", limit)
			}
			if err == nil {
				return bytes.TrimRight(out, "\r\n"), nil
			}
			if err != bufio.ErrBufferFull {
				return nil, bad("truncated header (%v): not a spectral model", err)
			}
		}
	}
	magic, err := line(64)
	if err != nil {
		return nil, err
	}
	if string(magic) != modelMagic {
		return nil, bad("starts with %.40q, want %q (write one with spectral embed --model)", magic, modelMagic)
	}
	head, err := line(maxModelHeader)
	if err != nil {
		return nil, err
	}
	m := &Model{}
	if err := json.Unmarshal(head, &m.ModelHeader); err != nil {
		return nil, bad("header: %v", err)
	}
	h := &m.ModelHeader
	if h.N < 1 || h.Dim < 1 || h.Dim > 3 || h.K < 1 {
		return nil, bad("n = %d, dim = %d, k = %d: need n >= 1, dim 1-3, k >= 1", h.N, h.Dim, h.K)
	}
	offset := int64(len(modelMagic) + 1 + len(head) + 1)
	// Sizes in float64 words, checked against the file before any allocation.
	arrays := h.Dim + 1 + h.K
	if h.Weighted {
		arrays++
	}
	words := float64(h.N) * float64(arrays)
	if want := float64(offset) + 8*words; want != float64(st.Size()) {
		return nil, bad("%d bytes, but n = %d, dim = %d, k = %d need %.0f (truncated or not a model)", st.Size(), h.N, h.Dim, h.K, want)
	}
	get := func(n int) ([]float64, error) {
		out := make([]float64, n)
		var b [8]byte
		for i := range out {
			if _, err := io.ReadFull(br, b[:]); err != nil {
				return nil, bad("truncated data at byte %d: %v", offset, err)
			}
			offset += 8
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[:]))
		}
		return out, nil
	}
	if m.Points, err = get(h.N * h.Dim); err != nil {
		return nil, err
	}
	if h.Weighted {
		if m.Weights, err = get(h.N); err != nil {
			return nil, err
		}
		for i, w := range m.Weights {
			if !(w > 0) || math.IsInf(w, 0) {
				return nil, bad("weight of point %d is %g (need a positive weight)", i+1, w)
			}
		}
	}
	if m.Degrees, err = get(h.N); err != nil {
		return nil, err
	}
	for j := 0; j < h.K; j++ {
		v, err := get(h.N)
		if err != nil {
			return nil, err
		}
		m.Vectors = append(m.Vectors, v)
	}
	if err := m.check(); err != nil {
		return nil, bad("%v", err)
	}
	for i, x := range m.Points {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, bad("point %d coordinate %d is %g", i/h.Dim+1, i%h.Dim+1, x)
		}
	}
	for i, d := range m.Degrees {
		if !(d > 0) || math.IsInf(d, 0) {
			return nil, bad("degree of point %d is %g (need a positive degree)", i+1, d)
		}
	}
	return m, nil
}
