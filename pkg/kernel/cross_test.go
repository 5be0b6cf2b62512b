package kernel

import (
	"context"
	"math"
	"testing"

	"github.com/spectral-dev/spectral/pkg/grid"
)

// TestCrossReproducesRows: extending the grid's own points gives their rows of K (the
// degrees and K V) to rounding of the sum order, for every cutoff and dimension.
func TestCrossReproducesRows(t *testing.T) {
	clouds := []cloud{
		{"roll", 3, swissRoll(3000, 1), 0.03},
		{"spiral", 2, spiral(2000, 2), 0.02},
		{"uniform1d", 1, uniform(500, 1, 3), 0.01},
	}
	for _, c := range clouds {
		for _, cutoff := range []float64{DefaultCutoff, 3, 0} {
			g := mustGrid(t, c, cutoff, grid.Options{})
			op := mustOp(t, g, Options{CacheBudget: -1})
			const b = 3
			v := make([]float64, g.N*b)
			cols := make([][]float64, b)
			for j := range cols {
				cols[j] = signedVec(g.N, uint64(j+10))
				for s := range cols[j] {
					v[s*b+j] = cols[j][s]
				}
			}
			cr, err := NewCross(g, 2)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]float64, g.N*b)
			deg := make([]float64, g.N)
			if err := cr.Apply(context.Background(), c.pts, v, b, out, deg); err != nil {
				t.Fatal(err)
			}
			kv := make([][]float64, b)
			for j := range kv {
				kv[j] = make([]float64, g.N)
				op.MulVec(kv[j], cols[j])
			}
			odeg := op.Degrees()
			worst := 0.0
			for s, i := range g.Perm { // target i (input order) is sorted point s
				worst = math.Max(worst, math.Abs(deg[i]-odeg[s])/odeg[s])
				for j := 0; j < b; j++ {
					worst = math.Max(worst, math.Abs(out[i*b+j]-kv[j][s])/odeg[s])
				}
			}
			if worst > 1e-13 {
				t.Errorf("%s cutoff %g: rows differ from K by %.3g relative", c.name, cutoff, worst)
			}
		}
	}
}

// TestCrossNewPointsBruteForce: new points (inside, between and far outside the cloud)
// against an O(N M) loop with math.Exp on the same float32 coordinates.
func TestCrossNewPointsBruteForce(t *testing.T) {
	c := cloud{"roll", 3, swissRoll(2000, 4), 0.04}
	g := mustGrid(t, c, 4, grid.Options{})
	newPts := swissRoll(300, 5)
	newPts = append(newPts, 10, 10, 10) // no source within the cutoff
	cr, err := NewCross(g, 3)
	if err != nil {
		t.Fatal(err)
	}
	v := positiveVec(g.N, 6)
	m := len(newPts) / 3
	out := make([]float64, m)
	deg := make([]float64, m)
	if err := cr.Apply(context.Background(), newPts, v, 1, out, deg); err != nil {
		t.Fatal(err)
	}
	tp := cr.Scale(newPts)
	c2 := float32(g.Cutoff * g.Cutoff)
	for i := 0; i < m; i++ {
		var want, wdeg float64
		for s := 0; s < g.N; s++ {
			var d2 float64
			var d232 float32
			for a := 0; a < 3; a++ {
				d := float64(tp[i*3+a]) - float64(g.Points[s*3+a])
				d2 += d * d
				e := tp[i*3+a] - g.Points[s*3+a]
				d232 = float32(d232 + float32(e*e))
			}
			if d232 <= c2 {
				w := math.Exp(-d2 / 2)
				want += w * v[s]
				wdeg += w
			}
		}
		if math.Abs(out[i]-want) > 1e-6*math.Max(want, 1e-30) || math.Abs(deg[i]-wdeg) > 1e-6*math.Max(wdeg, 1e-30) {
			t.Fatalf("point %d: K v %g want %g, degree %g want %g", i, out[i], want, deg[i], wdeg)
		}
	}
	if deg[m-1] != 0 || out[m-1] != 0 {
		t.Fatalf("far point: degree %g, K v %g, want 0", deg[m-1], out[m-1])
	}
}

// TestCrossThreadsAndCancel: the bits do not depend on the thread count; a cancelled
// context is reported.
func TestCrossThreadsAndCancel(t *testing.T) {
	c := cloud{"spiral", 2, spiral(3000, 7), 0.02}
	g := mustGrid(t, c, DefaultCutoff, grid.Options{})
	newPts := spiral(1000, 8)
	v := signedVec(g.N, 9)
	var ref []float64
	for _, th := range []int{1, 2, 7} {
		cr, _ := NewCross(g, th)
		out := make([]float64, 1000)
		deg := make([]float64, 1000)
		if err := cr.Apply(context.Background(), newPts, v, 1, out, deg); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = out
			continue
		}
		for i := range out {
			if out[i] != ref[i] {
				t.Fatalf("threads %d: point %d differs", th, i)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cr, _ := NewCross(g, 2)
	if err := cr.Apply(ctx, newPts, v, 1, make([]float64, 1000), make([]float64, 1000)); err == nil {
		t.Fatal("cancelled Apply returned nil")
	}
	if err := cr.Apply(context.Background(), []float64{math.NaN(), 0}, v, 1, make([]float64, 1), make([]float64, 1)); err == nil {
		t.Fatal("NaN point accepted")
	}
}

// BenchmarkCross is the extension's throughput: new points per second against a model of
// 10^5 Swiss-roll points at the tutorial's sigma (0.01, cutoff 4), 7 vectors plus the degree.
func BenchmarkCross(b *testing.B) {
	c := cloud{"roll", 3, swissRoll(100000, 11), 0.01}
	g := mustGrid(b, c, 4, grid.Options{})
	cr, err := NewCross(g, 0)
	if err != nil {
		b.Fatal(err)
	}
	const k = 8
	v := make([]float64, g.N*k)
	for i := range v {
		v[i] = 1
	}
	newPts := swissRoll(100000, 12)
	m := len(newPts) / 3
	out := make([]float64, m*k)
	deg := make([]float64, m)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := cr.Apply(context.Background(), newPts, v, k, out, deg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// TestCrossRowMatchesGauss: the generated rows give gauss's bits for the products'
// distance expression, beyond the cutoff included.
func TestCrossRowMatchesGauss(t *testing.T) {
	for _, dim := range []int{2, 3} {
		pts := uniform(4000, dim, uint64(20+dim))
		for i := range pts {
			pts[i] *= 12
		}
		p32 := make([]float32, len(pts))
		for i, x := range pts {
			p32[i] = float32(x)
		}
		tx, ty, tz := float32(5.5), float32(6.25), float32(4.75)
		for _, c2 := range []float32{16, underflowD2} {
			w := make([]float32, len(pts)/dim)
			if dim == 3 {
				crossRow3(w, tx, ty, tz, p32, c2)
			} else {
				crossRow2(w, tx, ty, p32, c2)
			}
			for i := range w {
				q := p32[i*dim : (i+1)*dim]
				d, e := tx-q[0], ty-q[1]
				d2 := float32(d*d) + float32(e*e)
				if dim == 3 {
					f := tz - q[2]
					d2 = float32(float32(d*d)+float32(e*e)) + float32(f*f)
				}
				if want := gauss(d2, c2); math.Float32bits(w[i]) != math.Float32bits(want) {
					t.Fatalf("dim %d c2 %g point %d: %g, gauss %g", dim, c2, i, w[i], want)
				}
			}
		}
	}
}
