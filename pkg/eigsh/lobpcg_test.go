package eigsh

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// diagOp is a diagonal operator with a known spectrum.
type diagOp []float64

func (d diagOp) Dims() int { return len(d) }
func (d diagOp) MulVec(dst, src []float64) {
	for i, v := range d {
		dst[i] = v * src[i]
	}
}

func TestLOBPCGDiagonal(t *testing.T) {
	n := 2000
	d := make(diagOp, n)
	for i := range d {
		d[i] = math.Exp(-float64(i) / 50)
	}
	res, err := LOBPCG(d, 5, BlockOptions{Block: 8, Tol: 1e-8, MaxIter: 2000})
	if err != nil {
		t.Fatal(err)
	}
	for j, v := range res.Values {
		want := d[4-j]
		if math.Abs(v-want) > 1e-10 {
			t.Errorf("value %d: %.15g want %.15g", j, v, want)
		}
	}
	t.Logf("passes %d", res.Passes)
}

func TestLOBPCGDenseAgainstEigen(t *testing.T) {
	a := randSym(300, 3)
	res, err := LOBPCG(Dense{a}, 4, BlockOptions{Block: 7, Tol: 1e-9, MaxIter: 3000})
	if err != nil {
		t.Fatal(err)
	}
	all := denseEigen(t, a)
	want := wanted(LA, all, 4)
	for j := range want {
		if math.Abs(res.Values[j]-want[j]) > 1e-8*math.Abs(want[j]) {
			t.Errorf("value %d: %.15g want %.15g", j, res.Values[j], want[j])
		}
	}
	_ = mat.NewDense
	t.Logf("passes %d", res.Passes)
}
