package eigsh

// BlockOperator is an Operator that also multiplies a block of vectors in one pass: the
// seam the block eigensolvers use, so that each kernel value is evaluated (or read from a
// cache) once for all the block's columns instead of once per column.
type BlockOperator interface {
	Operator
	// MulBlock sets dst = A src for n x b matrices stored row-major (entry (i, j) at
	// i*b + j), so one point's b values are contiguous; dst and src do not overlap.
	MulBlock(dst, src []float64, b int)
}

// MulBlock sets dst = op src for n x b row-major blocks, with op's own block product
// when it has one and a column loop otherwise.
func MulBlock(op Operator, dst, src []float64, b int) {
	if bo, ok := op.(BlockOperator); ok {
		bo.MulBlock(dst, src, b)
		return
	}
	n := op.Dims()
	x := make([]float64, n)
	y := make([]float64, n)
	for j := 0; j < b; j++ {
		for i := 0; i < n; i++ {
			x[i] = src[i*b+j]
		}
		op.MulVec(y, x)
		for i := 0; i < n; i++ {
			dst[i*b+j] = y[i]
		}
	}
}
