package kernel

// Matrix is a symmetric kernel matrix with its degrees: the CPU Operator, or the GPU one.
type Matrix interface {
	Dims() int
	MulVec(dst, src []float64)
	Degrees() []float64
}

// Laplacian operators (each with Dims and MulVec, so they satisfy eigsh.Operator):
//   Unnormalized(m):      L = D - K
//   NormalizedAffinity(m): A = D^-1/2 K D^-1/2
//   Normalized(m):        I - D^-1/2 K D^-1/2
