package gpu

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"unsafe"

	"github.com/spectral-dev/spectral/kernels"
	"github.com/spectral-dev/spectral/pkg/grid"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// Accumulation selects how the kernels sum the terms k(i,j) v[j].
type Accumulation int

const (
	// AccumulateF64: double products and sums, the same arithmetic as the CPU operator
	// (the default; data-centre GPUs run double FMAs at half the float rate or better).
	AccumulateF64 Accumulation = iota
	// AccumulateKahan: v rounded to float32, float32 products, Kahan-compensated float32
	// sums (for GPUs with slow double arithmetic). Degrees always use double sums.
	AccumulateKahan
	// AccumulateF64Bits: AccumulateF64's arithmetic and results, with the kernel value
	// widened to double by integer operations rather than the conversion instruction,
	// which runs at the rate of ex2 on recent GPUs; which is faster is measured.
	AccumulateF64Bits
)

// Accumulations lists every accumulation mode.
var Accumulations = []Accumulation{AccumulateF64, AccumulateKahan, AccumulateF64Bits}

func (a Accumulation) String() string {
	switch a {
	case AccumulateF64:
		return "f64"
	case AccumulateKahan:
		return "kahan"
	case AccumulateF64Bits:
		return "f64bits"
	}
	return fmt.Sprintf("Accumulation(%d)", int(a))
}

// ParseAccumulation reads "f64", "kahan" or "f64bits".
func ParseAccumulation(s string) (Accumulation, error) {
	if s == "" {
		return AccumulateF64, nil
	}
	for _, a := range Accumulations {
		if s == a.String() {
			return a, nil
		}
	}
	return 0, fmt.Errorf("accumulation %q: want f64, kahan or f64bits", s)
}

// Options tune the GPU operator; zero values mean defaults.
type Options struct {
	Device     int          // device ordinal
	BlockSize  int          // threads per block: a multiple of 32 up to 256; 0 = 128
	Accumulate Accumulation // AccumulateF64 by default
}

// DefaultBlockSize is the block size when Options.BlockSize is 0.
const DefaultBlockSize = 128

// minComputeCapability is the PTX target (sm_70) of kernels/gaussian.ptx.
const minComputeCapability = 70

// Operator is y = K v on the grid's sorted points, evaluated on a GPU: the same matrix and
// vector order as kernel.Operator, float64 vectors in and out. Its methods may be called
// from any goroutine, one product at a time.
type Operator struct {
	mu    sync.Mutex
	g     *grid.Grid
	ctx   *Context
	mod   *Module
	info  DeviceInfo
	opt   Options
	mul   *Function
	nwork int
	c2    float32
	// Device buffers: points, work table, ranges, v, y, pair count.
	dPts, dWork, dRanges, dV, dY, dCount DevicePtr
	degrees                              []float64
	stats                                kernel.Stats
	err                                  error // first failure of MulVec (sticky)
}

// New loads the kernels on the GPU (Options.Device), copies the grid there and computes
// the degrees. Without a driver the error wraps ErrNoDriver; without a device, ErrNoDevice;
// a PTX the driver cannot compile gives a *PTXLoadError with the JIT log.
func New(g *grid.Grid, opt Options) (op *Operator, err error) {
	if opt.BlockSize == 0 {
		opt.BlockSize = DefaultBlockSize
	}
	if opt.Accumulate < AccumulateF64 || opt.Accumulate > AccumulateF64Bits {
		return nil, fmt.Errorf("gpu: unknown accumulation %v", opt.Accumulate)
	}
	work, pairs, err := WorkTable(g, opt.BlockSize)
	if err != nil {
		return nil, err
	}
	_, dev, info, err := open(opt.Device)
	if err != nil {
		return nil, err
	}
	ctx, err := dev.RetainPrimaryCtx()
	if err != nil {
		return nil, fmt.Errorf("gpu: %s: %w", info.Name, err)
	}
	o := &Operator{g: g, ctx: ctx, info: info, opt: opt, nwork: len(work)}
	o.stats.PairsEvaluated = pairs
	defer func() {
		if err != nil {
			o.Close()
			op = nil
		}
	}()
	o.mod, err = ctx.LoadData(kernels.GaussianPTX)
	if err != nil {
		return nil, fmt.Errorf("gpu: %s: %w", info.Name, err)
	}
	if o.mul, err = o.mod.Function(fmt.Sprintf("gaussian_matvec_%v_d%d", opt.Accumulate, g.Dim)); err != nil {
		return nil, fmt.Errorf("gpu: %w", err)
	}
	deg, err := o.mod.Function(fmt.Sprintf("gaussian_degrees_d%d", g.Dim))
	if err != nil {
		return nil, fmt.Errorf("gpu: %w", err)
	}
	// The cutoff test is d2 <= c^2 in float32; cutoff 0 means every pair, i.e. c^2 = +Inf.
	// (The kernels flush values beyond d2 = 173 to 0 themselves, as the CPU operator does.)
	o.c2 = float32(math.Inf(1))
	if g.Cutoff > 0 {
		o.c2 = float32(g.Cutoff * g.Cutoff)
	}

	n := int64(g.N)
	alloc := func(p *DevicePtr, bytes int64) {
		if err == nil {
			*p, err = ctx.MemAlloc(bytes)
		}
	}
	alloc(&o.dPts, 4*int64(len(g.Points)))
	alloc(&o.dWork, int64(len(work))*int64(unsafe.Sizeof(Work{})))
	alloc(&o.dRanges, 8*int64(len(g.Ranges)))
	alloc(&o.dV, 8*n)
	alloc(&o.dY, 8*n)
	alloc(&o.dCount, 8)
	if err != nil {
		return nil, fmt.Errorf("gpu: %s: %w", info.Name, err)
	}
	var zero uint64
	copies := []struct {
		dst DevicePtr
		src unsafe.Pointer
		n   int64
	}{
		{o.dPts, slicePtr(g.Points), 4 * int64(len(g.Points))},
		{o.dWork, slicePtr(work), int64(len(work)) * int64(unsafe.Sizeof(Work{}))},
		{o.dRanges, slicePtr(g.Ranges), 8 * int64(len(g.Ranges))},
		{o.dCount, unsafe.Pointer(&zero), 8},
	}
	for _, c := range copies {
		if err = ctx.MemcpyHtoD(c.dst, c.src, c.n); err != nil {
			return nil, fmt.Errorf("gpu: copying the grid to %s: %w", info.Name, err)
		}
	}

	o.degrees = make([]float64, g.N)
	var count uint64
	if o.nwork > 0 {
		err = deg.Launch(Dim3{o.nwork, 1, 1}, Dim3{opt.BlockSize, 1, 1}, 0, o.degArgs()...)
		if err == nil {
			err = ctx.MemcpyDtoH(slicePtr(o.degrees), o.dY, 8*n)
		}
		if err == nil {
			err = ctx.MemcpyDtoH(unsafe.Pointer(&count), o.dCount, 8)
		}
		if err != nil {
			return nil, fmt.Errorf("gpu: degrees on %s: %w", info.Name, err)
		}
	}
	o.stats.PairsWithinCutoff = int64(count)
	return o, nil
}

// slicePtr is the address of a slice's first element, nil when empty.
func slicePtr[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Pointer(&s[0])
}

// Dims is the number of points.
func (o *Operator) Dims() int { return o.g.N }

// Degrees returns D = K 1 (sorted order), from the same kernel values as MulVec.
func (o *Operator) Degrees() []float64 { return o.degrees }

// Stats reports the work per product: ordered pairs evaluated (block-sparse pattern) and
// within the cutoff (counted by the degree kernel). Nothing is cached on the GPU.
func (o *Operator) Stats() kernel.Stats { return o.stats }

// Device is the GPU's name, e.g. "NVIDIA H200".
func (o *Operator) Device() string { return o.info.Name }

// Info describes the GPU in use.
func (o *Operator) Info() DeviceInfo { return o.info }

// Blocks is the number of thread blocks per product.
func (o *Operator) Blocks() int { return o.nwork }

// MulVec sets dst = K src (sorted order). A GPU failure fills dst with NaN and is kept for
// Err, since the operator interface has no error return; callers check Err after a solve.
// Lengths other than Dims are a programming error and panic, as in gonum.
func (o *Operator) MulVec(dst, src []float64) {
	if err := o.Apply(dst, src); err != nil {
		if len(dst) != o.g.N || len(src) != o.g.N {
			panic(err)
		}
		for i := range dst {
			dst[i] = math.NaN()
		}
	}
}

// MulBlock sets dst = K src for n x b row-major blocks (entry (i, j) at i*b + j), the
// block eigensolvers' seam (eigsh.BlockOperator), as a loop of MulVec over the columns:
// a block kernel on the device is future work. A GPU failure fills dst with NaN as in
// MulVec; lengths other than Dims*b panic.
func (o *Operator) MulBlock(dst, src []float64, b int) {
	n := o.g.N
	if b < 1 || len(dst) != n*b || len(src) != n*b {
		panic(fmt.Sprintf("gpu: MulBlock lengths %d, %d with %d columns, want %d rows", len(dst), len(src), b, n))
	}
	kernel.MulBlockColumns(o, dst, src, b)
}

// Err is the first error a MulVec met, or nil.
func (o *Operator) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.err
}

// Apply sets dst = K src and reports a GPU failure.
func (o *Operator) Apply(dst, src []float64) error {
	n := o.g.N
	if len(dst) != n || len(src) != n {
		return fmt.Errorf("gpu: MulVec with len(dst)=%d, len(src)=%d, want %d", len(dst), len(src), n)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return o.err
	}
	if o.ctx == nil {
		return errors.New("gpu: operator is closed")
	}
	if n == 0 {
		return nil
	}
	err := o.ctx.MemcpyHtoD(o.dV, slicePtr(src), 8*int64(n))
	if err == nil {
		err = o.launch()
	}
	if err == nil {
		err = o.ctx.MemcpyDtoH(slicePtr(dst), o.dY, 8*int64(n))
	}
	if err != nil {
		o.err = fmt.Errorf("gpu: K v on %s: %w", o.info.Name, err)
		return o.err
	}
	return nil
}

func (o *Operator) launch() error {
	return o.mul.Launch(Dim3{o.nwork, 1, 1}, Dim3{o.opt.BlockSize, 1, 1}, 0, o.mulArgs()...)
}

// mulArgs and degArgs are the kernels' parameter lists (see kernels/gaussian.cu).
func (o *Operator) mulArgs() []any {
	return []any{o.dPts, o.dWork, o.dRanges, o.c2, o.dV, o.dY}
}

func (o *Operator) degArgs() []any {
	return []any{o.dPts, o.dWork, o.dRanges, o.c2, o.dY, o.dCount}
}

// KernelOnly runs the product on the vector last copied to the GPU and waits for it,
// without transfers: for timing the kernel alone.
func (o *Operator) KernelOnly() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ctx == nil {
		return errors.New("gpu: operator is closed")
	}
	if o.nwork == 0 {
		return nil
	}
	if err := o.launch(); err != nil {
		return err
	}
	return o.ctx.Synchronize()
}

// Close frees the GPU memory and releases the context; the operator is unusable after.
func (o *Operator) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ctx == nil {
		return nil
	}
	var errs []error
	for _, p := range []*DevicePtr{&o.dPts, &o.dWork, &o.dRanges, &o.dV, &o.dY, &o.dCount} {
		errs = append(errs, o.ctx.MemFree(*p))
		*p = 0
	}
	if o.mod != nil {
		errs = append(errs, o.mod.Unload())
	}
	errs = append(errs, o.ctx.Release())
	o.ctx = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("gpu: closing: %w", err)
	}
	return nil
}
