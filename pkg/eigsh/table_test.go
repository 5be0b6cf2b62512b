package eigsh

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// csr is a sparse symmetric matrix in compressed sparse rows, as scripts/eigsh_vs_arpack.py
// writes it; dense matrices come as a CSR-free row-major block.
type csr struct {
	n       int
	indptr  []int64
	indices []int32
	data    []float64
	dense   []float64
}

func (a *csr) Dims() int { return a.n }

func (a *csr) MulVec(dst, src []float64) {
	n := a.n
	if a.dense != nil {
		for i := 0; i < n; i++ {
			row := a.dense[i*n : (i+1)*n]
			var s float64
			for j, x := range row {
				s += x * src[j]
			}
			dst[i] = s
		}
		return
	}
	for i := 0; i < n; i++ {
		var s float64
		for p := a.indptr[i]; p < a.indptr[i+1]; p++ {
			s += a.data[p] * src[a.indices[p]]
		}
		dst[i] = s
	}
}

func readMatrix(path string) (*csr, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var magic [8]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var n int64
	if err := binary.Read(f, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	a := &csr{n: int(n)}
	switch string(magic[:]) {
	case "EIGSHDNS":
		a.dense = make([]float64, n*n)
		err = binary.Read(f, binary.LittleEndian, a.dense)
	case "EIGSHCSR":
		var nnz int64
		if err := binary.Read(f, binary.LittleEndian, &nnz); err != nil {
			return nil, err
		}
		a.indptr = make([]int64, n+1)
		a.indices = make([]int32, nnz)
		a.data = make([]float64, nnz)
		for _, x := range []any{a.indptr, a.indices, a.data} {
			if err = binary.Read(f, binary.LittleEndian, x); err != nil {
				break
			}
		}
	default:
		return nil, fmt.Errorf("%s: bad magic %q", path, magic)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

type arpackRun struct {
	Cases []struct {
		Name   string
		N      int
		Sigma  float64
		Kernel string
		File   string
		Rows   []struct {
			NCV        int  `json:"ncv"`
			DefaultNCV bool `json:"default_ncv"`
			Tol        float64
			Matvecs    []int
			Median     float64
			Values     []float64
		}
	}
}

func median(x []int) float64 {
	s := append([]int(nil), x...)
	sort.Ints(s)
	if len(s)%2 == 1 {
		return float64(s[len(s)/2])
	}
	return float64(s[len(s)/2-1]+s[len(s)/2]) / 2
}

func span(x []int) string {
	s := append([]int(nil), x...)
	sort.Ints(s)
	return fmt.Sprintf("%d-%d", s[0], s[len(s)-1])
}

// TestMatVecTable prints the products table of BENCHMARKS.md: ours against ARPACK's
// (scripts/eigsh_vs_arpack.py) on the same matrices, k=7, LA. Set EIGSH_BENCH_DIR to the
// script's --out directory; EIGSH_BENCH_SEEDS (default 5) start vectors per setting.
func TestMatVecTable(t *testing.T) {
	dir := os.Getenv("EIGSH_BENCH_DIR")
	if dir == "" {
		t.Skip("EIGSH_BENCH_DIR not set (see scripts/eigsh_vs_arpack.py)")
	}
	seeds := 5
	fmt.Sscan(os.Getenv("EIGSH_BENCH_SEEDS"), &seeds)
	b, err := os.ReadFile(filepath.Join(dir, "arpack.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ar arpackRun
	if err := json.Unmarshal(b, &ar); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "| case | n | k | ncv (ARPACK / ours) | tol | ARPACK matvecs median (range) | ours median (range) | ratio |\n|---|---|---|---|---|---|---|---|\n")
	for _, c := range ar.Cases {
		a, err := readMatrix(filepath.Join(dir, c.File))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range c.Rows {
			ncvs := []int{r.NCV}
			if r.DefaultNCV {
				ncvs = append(ncvs, 0)
			}
			for _, ncv := range ncvs {
				var counts []int
				for s := 1; s <= seeds; s++ {
					res, err := Solve(a, 7, Options{NCV: ncv, Tol: r.Tol, Seed: uint64(s)})
					if err != nil {
						t.Fatalf("%s ncv=%d tol=%g: %v", c.Name, ncv, r.Tol, err)
					}
					// Same eigenvalues as ARPACK, to the accuracy asked for.
					for i, v := range res.Values {
						if len(r.Values) != len(res.Values) {
							break // ARPACK's values not recorded
						}
						if d := math.Abs(v - r.Values[i]); d > math.Max(1e-12, 10*r.Tol) {
							t.Errorf("%s ncv=%d tol=%g: value %d = %.16g, ARPACK %.16g", c.Name, ncv, r.Tol, i, v, r.Values[i])
						}
					}
					counts = append(counts, res.MatVecs)
				}
				ours := "default " + fmt.Sprint(min(DefaultNCV(7), c.N))
				if ncv != 0 {
					ours = "same"
				}
				ratio := median(counts) / median(r.Matvecs)
				fmt.Fprintf(&out, "| %s (%s) | %d | 7 | %d / %s | %g | %g (%s) | %g (%s) | %.2f |\n",
					c.Name, c.Kernel, c.N, r.NCV, ours, r.Tol, median(r.Matvecs), span(r.Matvecs), median(counts), span(counts), ratio)
				if ncv != 0 && median(counts) > median(r.Matvecs) {
					t.Errorf("%s ncv=%d tol=%g: ours %g products > ARPACK %g", c.Name, ncv, r.Tol, median(counts), median(r.Matvecs))
				}
			}
		}
	}
	t.Log("\n" + out.String())
	if p := os.Getenv("EIGSH_BENCH_OUT"); p != "" {
		os.WriteFile(p, []byte(out.String()), 0o644)
	}
}
