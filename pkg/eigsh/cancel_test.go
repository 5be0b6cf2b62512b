package eigsh

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// stencil1D is the 1D Laplacian stencil: products cost O(n), so that the dense solver's time
// is all in LAPACK.
type stencil1D int

func (t stencil1D) Dims() int { return int(t) }

func (t stencil1D) MulVec(dst, src []float64) {
	n := int(t)
	for i := range n {
		v := 2 * src[i]
		if i > 0 {
			v -= src[i-1]
		}
		if i < n-1 {
			v -= src[i+1]
		}
		dst[i] = v
	}
}

// cancelAt cancels a context at its n-th product, as a Ctrl-C would.
type cancelAt struct {
	Operator
	n, calls int
	cancel   func()
	at       time.Time
}

func (c *cancelAt) MulVec(dst, src []float64) {
	c.calls++
	if c.calls == c.n {
		c.at = time.Now()
		c.cancel()
	}
	c.Operator.MulVec(dst, src)
}

// TestDenseCancelled: a dense solve stops between products, and the LAPACK step that
// follows the last product (no cancellation point inside) is abandoned
// at once (issue 11: SIGINT was ignored for over a minute in the dense solver).
func TestDenseCancelled(t *testing.T) {
	t.Cleanup(lapackRunning.Wait) // the abandoned call finishes before the next test
	const n = 1000
	for _, at := range []int{10, n} { // during the products; just before LAPACK
		ctx, cancel := context.WithCancel(context.Background())
		op := &cancelAt{Operator: stencil1D(n), n: at, cancel: cancel}
		_, err := Solve(op, 5, Options{NCV: n, Context: ctx})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel at product %d: %v, want context.Canceled", at, err)
		}
		if at == n && !strings.Contains(err.Error(), "dense") {
			t.Errorf("cancel before LAPACK: %v, want the dense eigensolver named", err)
		}
		if op.calls > at {
			t.Errorf("cancel at product %d: %d products ran", at, op.calls)
		}
		if d := time.Since(op.at); d > time.Second {
			t.Errorf("cancel at product %d: returned %v after the cancel", at, d)
		}
	}
}
