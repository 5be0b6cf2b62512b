package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// blockOf is an n x b row-major block of signed random values (column j from seed+j).
func blockOf(n, b int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 9))
	v := make([]float64, n*b)
	for i := range v {
		v[i] = 2*r.Float64() - 1
	}
	return v
}

func column(m []float64, b, j int) []float64 {
	n := len(m) / b
	c := make([]float64, n)
	for i := range c {
		c[i] = m[i*b+j]
	}
	return c
}

func absVec(v []float64) []float64 {
	a := make([]float64, len(v))
	for i, x := range v {
		a[i] = math.Abs(x)
	}
	return a
}

var blockWidths = []int{1, 2, 3, 8, 16, 17}

// Column j of K V is K v_j: each column of MulBlock against MulVec of that column, to
// rounding (both sum the same terms in float64, in different association: the bound is
// relative to K |v_j|, the sum of the terms' magnitudes).
func TestMulBlockMatchesMulVec(t *testing.T) {
	if testing.Short() {
		t.Skip("long: run by CI and by go test without -short")
	}
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(3001, 51), 0.03},
		{"spiral", 2, spiral(2999, 52), 0.015},
		{"uniform3d", 3, uniform(777, 3, 53), 0.08},
	} {
		for _, cut := range []float64{4, DefaultCutoff} {
			for _, m := range modes {
				var gopt grid.Options
				if m.name == "cached" {
					gopt.CellSize = CachedCellFraction * cut
				}
				g := mustGrid(t, c, cut, gopt)
				op := mustOp(t, g, m.opt)
				for _, b := range blockWidths {
					v := blockOf(g.N, b, uint64(b))
					kv := make([]float64, g.N*b)
					op.MulBlock(kv, v, b)
					ref, mag := make([]float64, g.N), make([]float64, g.N)
					worst := 0.0
					for j := 0; j < b; j++ {
						vj := column(v, b, j)
						op.MulVec(ref, vj)
						op.MulVec(mag, absVec(vj))
						for i, x := range column(kv, b, j) {
							worst = math.Max(worst, math.Abs(x-ref[i])/mag[i])
						}
					}
					if worst > 1e-14 {
						t.Errorf("%s cutoff %g %s b=%d: max error %.3g of K |v| against MulVec", c.name, cut, m.name, b, worst)
					}
				}
			}
		}
	}
}

// Against the O(N^2) brute force on small clouds, both modes, odd sizes.
func TestMulBlockBruteForce(t *testing.T) {
	for _, c := range []cloud{
		{"uniform2d", 2, uniform(501, 2, 61), 0.03},
		{"swissroll", 3, swissRoll(1203, 62), 0.03},
	} {
		for _, cut := range []float64{3, DefaultCutoff, 0} {
			g := mustGrid(t, c, cut, grid.Options{})
			const b = 3
			v := make([]float64, g.N*b)
			for j := 0; j < b; j++ {
				for i, x := range positiveVec(g.N, uint64(10+j)) {
					v[i*b+j] = x
				}
			}
			refs := make([][]float64, b)
			for j := range refs {
				refs[j] = bruteForce(g, column(v, b, j)).kv
			}
			for _, m := range modes {
				op := mustOp(t, g, m.opt)
				kv := make([]float64, g.N*b)
				op.MulBlock(kv, v, b)
				for j := 0; j < b; j++ {
					for i, x := range column(kv, b, j) {
						if e := math.Abs(x-refs[j][i]) / refs[j][i]; e > 1e-6 {
							t.Fatalf("%s cutoff %g %s: row %d column %d = %.9g, brute force %.9g", c.name, cut, m.name, i, j, x, refs[j][i])
						}
					}
				}
			}
		}
	}
}

// 1, 2 and 8 threads give the same bits, in both modes (and a second product, which
// reuses the cached mode's buffers, too).
func TestMulBlockThreadsBitIdentical(t *testing.T) {
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(4000, 71), 0.03},
		{"spiral", 2, spiral(4001, 72), 0.015},
	} {
		for _, m := range modes {
			var gopt grid.Options
			if m.name == "cached" {
				gopt.CellSize = CachedCellFraction * DefaultCutoff
			}
			g := mustGrid(t, c, DefaultCutoff, gopt)
			for _, b := range []int{1, 8, 17} {
				v := blockOf(g.N, b, 5)
				var ref []float64
				for _, th := range []int{1, 2, 8} {
					opt := m.opt
					opt.Threads = th
					op := mustOp(t, g, opt)
					kv := make([]float64, g.N*b)
					op.MulBlock(kv, v, b)
					op.MulBlock(kv, v, b)
					if ref == nil {
						ref = kv
						continue
					}
					for i := range kv {
						if math.Float64bits(kv[i]) != math.Float64bits(ref[i]) {
							t.Fatalf("%s %s b=%d: %d threads entry %d = %.17g, 1 thread %.17g", c.name, m.name, b, th, i, kv[i], ref[i])
						}
					}
				}
			}
		}
	}
}

func TestMulBlockPanicsOnBadLengths(t *testing.T) {
	c := cloud{"uniform2d", 2, uniform(100, 2, 81), 0.1}
	op := mustOp(t, mustGrid(t, c, 4, grid.Options{}), Options{CacheBudget: -1})
	for _, b := range []int{0, 2} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("b=%d: no panic for lengths %d", b, 2*op.Dims()+1)
				}
			}()
			op.MulBlock(make([]float64, 2*op.Dims()+1), make([]float64, 2*op.Dims()+1), b)
		}()
	}
}

// vecOnly hides the operator's block product: the Laplacians' column-loop fallback (the
// GPU operator's case).
type vecOnly struct{ *Operator }

func (vecOnly) MulBlock() {}

// Each Laplacian's block product against its MulVec column by column: to rounding on the
// kernel's block product (bound relative to |L| |v|, computed from K |v| and the degrees),
// bit for bit on the column-loop fallback; and the null vectors (L 1 = 0, A D^1/2 =
// D^1/2) in every column.
func TestLaplacianMulBlock(t *testing.T) {
	c := cloud{"swissroll", 3, swissRoll(2001, 91), 0.04}
	g := mustGrid(t, c, DefaultCutoff, grid.Options{})
	n, b := g.N, 5
	for _, m := range modes {
		op := mustOp(t, g, m.opt)
		d := op.Degrees()
		v := blockOf(n, b, 17)
		kinds := []struct {
			name string
			mk   func(Matrix) *Laplacian
		}{{"unnormalized", Unnormalized}, {"affinity", NormalizedAffinity}, {"normalized", Normalized}}
		for _, k := range kinds {
			for _, mat := range []Matrix{op, vecOnly{op}} {
				_, fallback := mat.(vecOnly)
				L := k.mk(mat)
				out := make([]float64, n*b)
				L.MulBlock(out, v, b)
				ref, mag := make([]float64, n), make([]float64, n)
				for j := 0; j < b; j++ {
					vj := column(v, b, j)
					L.MulVec(ref, vj)
					op.MulVec(mag, absVec(vj))
					for i, x := range column(out, b, j) {
						switch {
						case fallback && x != ref[i]:
							t.Fatalf("%s %s fallback: row %d column %d = %.17g, MulVec %.17g", m.name, k.name, i, j, x, ref[i])
						case math.Abs(x-ref[i]) > 1e-14*(mag[i]+d[i]*math.Abs(vj[i])):
							t.Fatalf("%s %s: row %d column %d = %.17g, MulVec %.17g", m.name, k.name, i, j, x, ref[i])
						}
					}
				}
			}
		}
		// Null vectors in every column.
		ones, sq := make([]float64, n*b), make([]float64, n*b)
		for i := 0; i < n; i++ {
			for j := 0; j < b; j++ {
				ones[i*b+j] = 1
				sq[i*b+j] = math.Sqrt(d[i])
			}
		}
		out := make([]float64, n*b)
		Unnormalized(op).MulBlock(out, ones, b)
		for i, x := range out {
			if math.Abs(x) > 1e-13*d[i/b] {
				t.Fatalf("%s: (L 1)[%d] = %g", m.name, i, x)
			}
		}
		NormalizedAffinity(op).MulBlock(out, sq, b)
		for i, x := range out {
			if math.Abs(x-sq[i]) > 1e-13*sq[i] {
				t.Fatalf("%s: (A D^1/2)[%d] = %.17g, want %.17g", m.name, i, x, sq[i])
			}
		}
	}
}

// The block loops in AVX2 (blockAcc, tileRow) and in Go add the same terms in the same
// order with the same FMAs: the same bits, in both modes, for widths that pad and that
// take several column chunks (the on-the-fly kernel values from the AVX2 row loop and
// from gauss are the same bits too).
func TestMulBlockSIMDMatchesGo(t *testing.T) {
	if !haveBlockSIMD || !haveAVX2 {
		t.Skip("no AVX2+FMA+BMI1 on this machine")
	}
	defer func(a, b bool) { haveBlockSIMD, haveAVX2 = a, b }(haveBlockSIMD, haveAVX2)
	for _, c := range []cloud{
		{"swissroll", 3, swissRoll(2500, 101), 0.03},
		{"spiral", 2, spiral(2501, 102), 0.015},
	} {
		for _, m := range modes {
			var gopt grid.Options
			if m.name == "cached" {
				gopt.CellSize = CachedCellFraction * 4
			}
			g := mustGrid(t, c, 4, gopt)
			for _, b := range []int{2, 4, 7, 16, 17, 36} {
				v := blockOf(g.N, b, 7)
				var out [2][]float64
				for k, simd := range []bool{true, false} {
					haveBlockSIMD, haveAVX2 = simd, simd
					op := mustOp(t, g, m.opt)
					out[k] = make([]float64, g.N*b)
					op.MulBlock(out[k], v, b)
				}
				for i := range out[0] {
					if out[0][i] != out[1][i] {
						t.Fatalf("%s %s b=%d: entry %d AVX2 %.17g, Go %.17g", c.name, m.name, b, i, out[0][i], out[1][i])
					}
				}
			}
		}
	}
}

// The degenerate clouds (single points, duplicates, collinear, huge extent, 1D) in both
// modes: each column of a block against MulVec of that column.
func TestMulBlockDegenerateClouds(t *testing.T) {
	for _, c := range degenerateClouds() {
		for _, cut := range []float64{DefaultCutoff, 0} {
			g := mustGrid(t, c, cut, grid.Options{})
			for _, m := range modes {
				op := mustOp(t, g, m.opt)
				for _, b := range []int{3, 8} {
					v := blockOf(g.N, b, 13)
					kv := make([]float64, g.N*b)
					op.MulBlock(kv, v, b)
					ref, mag := make([]float64, g.N), make([]float64, g.N)
					for j := 0; j < b; j++ {
						vj := column(v, b, j)
						op.MulVec(ref, vj)
						op.MulVec(mag, absVec(vj))
						for i, x := range column(kv, b, j) {
							if math.Abs(x-ref[i]) > 1e-14*mag[i] {
								t.Fatalf("%s cutoff %g %s b=%d: row %d column %d = %.17g, MulVec %.17g", c.name, cut, m.name, b, i, j, x, ref[i])
							}
						}
					}
				}
			}
		}
	}
}
