//go:build devcheck

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/embed"
	"github.com/spectral-dev/spectral/pkg/generate"
	"github.com/spectral-dev/spectral/pkg/gpu"
	"github.com/spectral-dev/spectral/pkg/grid"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// devcheck is a developer command for scripts/gpu-check.sh: it checks the GPU operator
// against the CPU one on the same grid and vector and times both. It is compiled only
// with `-tags devcheck`, so user binaries list exactly the commands --help shows.

func init() { devCommands = append(devCommands, newDevcheckCmd) }

type devcheckOptions struct {
	input, columns, cutoff, accum string
	swissroll, spiral             int
	sigma, noise, tol             float64
	seed                          int64
	reps, cpuReps                 int
	blockSizes                    []int
	device, threads               int
	jsonOut, probe, cpuCache      bool
}

func newDevcheckCmd() *cobra.Command {
	o := &devcheckOptions{}
	cmd := &cobra.Command{
		Use:   "devcheck",
		Short: "Check the GPU kernel operator against the CPU one and time both (developers)",
		Long: `Devcheck builds the grid of a cloud, applies the CPU and the GPU kernel operators to
the same random vector v (uniform in [0,1), seeded), and prints the largest relative
difference of K v (max_i |gpu_i - cpu_i| / max_i |cpu_i|, and the largest elementwise
relative difference) and of the degrees, and the median time per product on each device
(GPU: with transfers, and the kernel alone). It fails when a difference exceeds --tol or
when there is no GPU, saying why.

  spectral devcheck --probe                          which GPU would be used
  spectral devcheck --swissroll 100000 --sigma 0.03 --cutoff 4
  spectral devcheck --input testdata/reference/spiral_n1000_s0.05_points.csv --sigma 0.05 --json
  spectral devcheck eigcmp --rtol 1e-6 gpu.json cpu.json
` + exitStatusHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDevcheck(cmd, o) },
	}
	f := cmd.Flags()
	f.BoolVar(&o.probe, "probe", false, "only report the GPU (exit status 1 without one)")
	f.StringVar(&o.input, "input", "", "cloud file (.csv/.txt/.xyz/.tsv/.ply)")
	f.StringVar(&o.columns, "columns", "", "coordinate columns of a delimited --input")
	f.IntVar(&o.swissroll, "swissroll", 0, "generate the tutorial's Swiss roll of N points instead")
	f.IntVar(&o.spiral, "spiral", 0, "generate the tutorial's spiral of N points instead")
	f.Float64Var(&o.noise, "noise", 0.01, "noise of a generated cloud")
	f.Int64Var(&o.seed, "seed", 0, "seed of a generated cloud and of v")
	f.Float64Var(&o.sigma, "sigma", 0, "kernel width in the cloud's units (required)")
	f.StringVar(&o.cutoff, "cutoff", "auto", "cutoff in sigmas; auto ~5.77; 0 = every pair")
	f.StringVar(&o.accum, "accumulate", "all", "GPU accumulation modes to check and time: all, or a list of f64, kahan, f64bits")
	f.IntSliceVar(&o.blockSizes, "block-size", []int{gpu.DefaultBlockSize}, "GPU threads per block (multiple of 32, <= 256); a list times each")
	f.IntVar(&o.device, "device", 0, "GPU ordinal")
	f.IntVar(&o.reps, "reps", 7, "GPU products to time (median reported)")
	f.IntVar(&o.cpuReps, "cpu-reps", 3, "CPU products to time (median reported; at least 1)")
	f.IntVar(&o.threads, "threads", 0, "CPU threads (0 = all cores)")
	f.BoolVar(&o.cpuCache, "cpu-cache", true, "let the CPU operator cache kernel values when they fit (as embed does)")
	f.Float64Var(&o.tol, "tol", 1e-5, "largest accepted relative difference of K v and of the degrees")
	f.BoolVar(&o.jsonOut, "json", false, "print one JSON object instead of text")
	cmd.AddCommand(newEigcmpCmd())
	return cmd
}

// devcheckReport is the JSON of `spectral devcheck --json`.
type devcheckReport struct {
	Input             string         `json:"input"`
	N                 int            `json:"n"`
	Dim               int            `json:"dim"`
	Sigma             float64        `json:"sigma"`
	Cutoff            float64        `json:"cutoff"`
	Device            gpu.DeviceInfo `json:"device"`
	GridSeconds       float64        `json:"grid_seconds"`
	Cells             int            `json:"cells"`
	PairsEvaluated    int64          `json:"pairs_evaluated"`
	PairsWithinCutoff int64          `json:"pairs_within_cutoff"`
	CPU               devcheckCPU    `json:"cpu"`
	GPU               []devcheckGPU  `json:"gpu"`
	Tol               float64        `json:"tol"`
	Pass              bool           `json:"pass"`
	Failures          []string       `json:"failures"`
}

type devcheckCPU struct {
	Threads           int     `json:"threads"`
	SetupSeconds      float64 `json:"setup_seconds"` // kernel.New, degrees included
	ProductSeconds    float64 `json:"product_seconds"`
	Reps              int     `json:"reps"`
	Cached            bool    `json:"cached"`
	PairsEvaluated    int64   `json:"pairs_evaluated"`
	PairsWithinCutoff int64   `json:"pairs_within_cutoff"`
}

type devcheckGPU struct {
	Accumulate        string  `json:"accumulate"`
	BlockSize         int     `json:"block_size"`
	Blocks            int     `json:"blocks"`
	SetupSeconds      float64 `json:"setup_seconds"`   // gpu.New: PTX JIT, copies, degrees
	ProductSeconds    float64 `json:"product_seconds"` // MulVec, transfers included
	KernelSeconds     float64 `json:"kernel_seconds"`  // the kernel alone
	Reps              int     `json:"reps"`
	PairsPerSecond    float64 `json:"pairs_per_second"` // evaluated pairs / kernel time
	MaxRelDiff        float64 `json:"max_rel_diff"`
	MaxRelDiffElem    float64 `json:"max_rel_diff_elementwise"`
	DegreesMaxRelDiff float64 `json:"degrees_max_rel_diff"`
	PairsWithinCutoff int64   `json:"pairs_within_cutoff"`
}

func (o *devcheckOptions) validate() (cutoff float64, modes []gpu.Accumulation, err error) {
	sources := 0
	for _, set := range []bool{o.input != "", o.swissroll > 0, o.spiral > 0} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return 0, nil, usageErrorf("devcheck: give exactly one of --input FILE, --swissroll N, --spiral N")
	}
	if o.swissroll < 0 || o.spiral < 0 {
		return 0, nil, usageErrorf("devcheck: a generated cloud needs N > 0")
	}
	if !(o.sigma > 0) || math.IsInf(o.sigma, 0) {
		return 0, nil, usageErrorf("devcheck: --sigma must be a positive number")
	}
	if cutoff, err = parseCutoff(o.cutoff); err != nil {
		return 0, nil, fmt.Errorf("devcheck: %w", err)
	}
	if cutoff == embed.CutoffAuto {
		cutoff = kernel.DefaultCutoff
	}
	if o.accum == "all" {
		modes = gpu.Accumulations
	} else {
		for _, s := range strings.Split(o.accum, ",") {
			m, err := gpu.ParseAccumulation(strings.TrimSpace(s))
			if err != nil || s == "" {
				return 0, nil, usageErrorf("devcheck: --accumulate %q: want all, or a list of f64, kahan, f64bits", o.accum)
			}
			modes = append(modes, m)
		}
	}
	for _, b := range o.blockSizes {
		if b < 32 || b > gpu.MaxBlockSize || b%32 != 0 {
			return 0, nil, usageErrorf("devcheck: --block-size %d: want a multiple of 32 up to %d", b, gpu.MaxBlockSize)
		}
	}
	if o.reps < 1 || o.cpuReps < 1 {
		return 0, nil, usageErrorf("devcheck: --reps and --cpu-reps must be at least 1")
	}
	if !(o.tol > 0) {
		return 0, nil, usageErrorf("devcheck: --tol must be positive")
	}
	return cutoff, modes, nil
}

func runDevcheck(cmd *cobra.Command, o *devcheckOptions) error {
	out := cmd.OutOrStdout()
	if o.probe {
		info, err := gpu.Probe()
		if err != nil {
			return fmt.Errorf("devcheck: no usable GPU: %w", err)
		}
		if o.jsonOut {
			return json.NewEncoder(out).Encode(info)
		}
		fmt.Fprintln(out, info)
		return nil
	}
	cutoff, modes, err := o.validate()
	if err != nil {
		return err
	}
	// Fail early, before the CPU work, when there is no GPU.
	info, err := gpu.Probe()
	if err != nil {
		return fmt.Errorf("devcheck: no usable GPU: %w", err)
	}

	var pts []float64
	var dim int
	var source string
	switch {
	case o.input != "":
		ropt := cloudio.ReadOptions{}
		if o.columns != "" {
			ropt.Columns = strings.Split(o.columns, ",")
		}
		c, err := cloudio.ReadFile(o.input, ropt)
		if err != nil {
			return err
		}
		pts, dim, source = c.Points, c.Dim, o.input
	case o.swissroll > 0:
		pts, dim = generate.SwissRoll(o.swissroll, o.noise, o.seed), 3
		source = fmt.Sprintf("swissroll n=%d noise=%g seed=%d", o.swissroll, o.noise, o.seed)
	default:
		pts, dim = generate.Spiral(o.spiral, o.noise, o.seed), 2
		source = fmt.Sprintf("spiral n=%d noise=%g seed=%d", o.spiral, o.noise, o.seed)
	}

	t0 := time.Now()
	g, err := grid.Build(pts, dim, o.sigma, cutoff, grid.Options{})
	if err != nil {
		return fmt.Errorf("devcheck: %w", err)
	}
	rep := devcheckReport{Input: source, N: g.N, Dim: dim, Sigma: o.sigma, Cutoff: cutoff, Device: info,
		GridSeconds: time.Since(t0).Seconds(), Cells: len(g.Cells), Tol: o.tol, Failures: []string{}}

	r := rand.New(rand.NewSource(o.seed))
	v := make([]float64, g.N)
	for i := range v {
		v[i] = r.Float64()
	}

	threads := o.threads
	if threads == 0 {
		threads = runtime.NumCPU()
	}
	t0 = time.Now()
	kopt := kernel.Options{Threads: threads}
	if !o.cpuCache {
		kopt.CacheBudget = -1
	}
	cpu, err := kernel.New(g, kopt)
	if err != nil {
		return fmt.Errorf("devcheck: CPU operator: %w", err)
	}
	st := cpu.Stats()
	rep.CPU = devcheckCPU{Threads: threads, SetupSeconds: time.Since(t0).Seconds(), Reps: o.cpuReps,
		Cached: st.Cached, PairsEvaluated: st.PairsEvaluated, PairsWithinCutoff: st.PairsWithinCutoff}
	want := make([]float64, g.N)
	rep.CPU.ProductSeconds, _ = medianSeconds(o.cpuReps, func() error { cpu.MulVec(want, v); return nil })
	cpuDeg := cpu.Degrees()

	got := make([]float64, g.N)
	type variant struct {
		mode  gpu.Accumulation
		block int
	}
	var variants []variant
	for _, b := range o.blockSizes {
		for _, mode := range modes {
			variants = append(variants, variant{mode, b})
		}
	}
	for _, vr := range variants {
		mode := vr.mode
		t0 = time.Now()
		op, err := gpu.New(g, gpu.Options{Device: o.device, BlockSize: vr.block, Accumulate: mode})
		if err != nil {
			return fmt.Errorf("devcheck: GPU operator (%v, block %d): %w", mode, vr.block, err)
		}
		res := devcheckGPU{Accumulate: mode.String(), BlockSize: vr.block, Blocks: op.Blocks(), Reps: o.reps,
			SetupSeconds: time.Since(t0).Seconds(), PairsWithinCutoff: op.Stats().PairsWithinCutoff}
		rep.PairsEvaluated = op.Stats().PairsEvaluated
		rep.PairsWithinCutoff = op.Stats().PairsWithinCutoff
		if err := op.Apply(got, v); err != nil { // warm-up, and the values compared
			op.Close()
			return fmt.Errorf("devcheck: %w", err)
		}
		res.MaxRelDiff, res.MaxRelDiffElem = relDiffs(got, want)
		res.DegreesMaxRelDiff, _ = relDiffs(op.Degrees(), cpuDeg)
		res.ProductSeconds, err = medianSeconds(o.reps, func() error { return op.Apply(got, v) })
		var runErr error
		if err == nil {
			res.KernelSeconds, runErr = medianSeconds(o.reps, op.KernelOnly)
		} else {
			runErr = err
		}
		if err := op.Close(); err != nil && runErr == nil {
			runErr = err
		}
		if runErr != nil {
			return fmt.Errorf("devcheck: %w", runErr)
		}
		if res.KernelSeconds > 0 {
			res.PairsPerSecond = float64(rep.PairsEvaluated) / res.KernelSeconds
		}
		if !(res.MaxRelDiff <= o.tol) {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%v/%d: K v differs from the CPU by %.3g relative (tol %g)", mode, vr.block, res.MaxRelDiff, o.tol))
		}
		if !(res.DegreesMaxRelDiff <= o.tol) {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%v/%d: degrees differ from the CPU by %.3g relative (tol %g)", mode, vr.block, res.DegreesMaxRelDiff, o.tol))
		}
		if res.PairsWithinCutoff != st.PairsWithinCutoff && !st.Cached {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%v: %d pairs within the cutoff on the GPU, %d on the CPU", mode, res.PairsWithinCutoff, st.PairsWithinCutoff))
		}
		rep.GPU = append(rep.GPU, res)
	}
	rep.Pass = len(rep.Failures) == 0

	if o.jsonOut {
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s\n", b)
	} else {
		printDevcheck(out, &rep)
	}
	if !rep.Pass {
		return fmt.Errorf("devcheck: GPU and CPU disagree: %s", strings.Join(rep.Failures, "; "))
	}
	return nil
}

// medianSeconds runs f reps times and returns the median wall time.
func medianSeconds(reps int, f func() error) (float64, error) {
	ts := make([]float64, 0, reps)
	for i := 0; i < reps; i++ {
		t0 := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		ts = append(ts, time.Since(t0).Seconds())
	}
	sort.Float64s(ts)
	if len(ts)%2 == 1 {
		return ts[len(ts)/2], nil
	}
	return (ts[len(ts)/2-1] + ts[len(ts)/2]) / 2, nil
}

// relDiffs returns max_i |a_i - b_i| / max_i |b_i| and max_i |a_i - b_i| / |b_i| (entries
// with b_i == 0 count only when a_i differs).
func relDiffs(a, b []float64) (normwise, elementwise float64) {
	var num, den float64
	for i := range a {
		d := math.Abs(a[i] - b[i])
		if math.IsNaN(d) || math.IsInf(d, 0) {
			return math.MaxFloat64, math.MaxFloat64 // finite, so the JSON report stays valid
		}
		num = math.Max(num, d)
		den = math.Max(den, math.Abs(b[i]))
		if d > 0 {
			elementwise = math.Max(elementwise, math.Min(d/math.Abs(b[i]), math.MaxFloat64))
		}
	}
	if den > 0 {
		return num / den, elementwise
	}
	return num, elementwise
}

func printDevcheck(w io.Writer, r *devcheckReport) {
	fmt.Fprintf(w, "cloud    %s: n=%d dim=%d sigma=%g cutoff=%.4g, %d cells (grid %.3fs)\n",
		r.Input, r.N, r.Dim, r.Sigma, r.Cutoff, r.Cells, r.GridSeconds)
	fmt.Fprintf(w, "pairs    %d evaluated per product, %d within the cutoff\n", r.PairsEvaluated, r.PairsWithinCutoff)
	fmt.Fprintf(w, "gpu      %s\n", r.Device)
	fmt.Fprintf(w, "cpu      %d threads, cached=%v: setup %.3fs, K v %.4f ms (median of %d)\n",
		r.CPU.Threads, r.CPU.Cached, r.CPU.SetupSeconds, 1e3*r.CPU.ProductSeconds, r.CPU.Reps)
	for _, g := range r.GPU {
		fmt.Fprintf(w, "gpu %-5s block %d x %d: setup %.3fs, K v %.4f ms (kernel %.4f ms, %.3g pairs/s, median of %d); "+
			"max rel diff %.3g (elementwise %.3g), degrees %.3g\n",
			g.Accumulate, g.Blocks, g.BlockSize, g.SetupSeconds, 1e3*g.ProductSeconds, 1e3*g.KernelSeconds,
			g.PairsPerSecond, g.Reps, g.MaxRelDiff, g.MaxRelDiffElem, g.DegreesMaxRelDiff)
	}
	if r.Pass {
		fmt.Fprintf(w, "pass     all differences within %g\n", r.Tol)
	}
}

// eigcmp compares the eigenvalues of two `spectral embed --summary` files.

type eigcmpReport struct {
	A           string    `json:"a"`
	B           string    `json:"b"`
	DeviceA     string    `json:"device_a"`
	DeviceB     string    `json:"device_b"`
	EigenvalueA []float64 `json:"eigenvalues_a"`
	EigenvalueB []float64 `json:"eigenvalues_b"`
	RelDiff     []float64 `json:"rel_diff"`
	MaxRelDiff  float64   `json:"max_rel_diff"`
	RTol        float64   `json:"rtol"`
	Pass        bool      `json:"pass"`
}

func newEigcmpCmd() *cobra.Command {
	var rtol float64
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "eigcmp A.json B.json",
		Short: "Compare the eigenvalues of two embed --summary files",
		Long: `Eigcmp reads the "eigenvalues" of two JSON summaries written by spectral embed
--summary and compares them pairwise: |a - b| / max(|a|, |b|, 1e-6 max|b|), so the trivial
eigenvalue (round-off around 0) is compared against the scale of the spectrum
(it must agree to 1e-12 of the largest eigenvalue at rtol 1e-6). It fails
when a difference exceeds --rtol or the counts differ.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := compareSummaries(args[0], args[1], rtol)
			if err != nil {
				return err
			}
			if jsonOut {
				b, _ := json.Marshal(rep)
				fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "eigenvalues %s (%s) vs %s (%s): max rel diff %.3g (rtol %g)\n",
					rep.A, rep.DeviceA, rep.B, rep.DeviceB, rep.MaxRelDiff, rtol)
			}
			if !rep.Pass {
				return fmt.Errorf("eigcmp: eigenvalues differ by %.3g relative (rtol %g)", rep.MaxRelDiff, rtol)
			}
			return nil
		},
	}
	cmd.Flags().Float64Var(&rtol, "rtol", 1e-6, "largest accepted relative difference")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print one JSON object")
	return cmd
}

func compareSummaries(a, b string, rtol float64) (*eigcmpReport, error) {
	read := func(path string) ([]float64, string, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("eigcmp: %w", err)
		}
		var s struct {
			Eigenvalues []float64 `json:"eigenvalues"`
			Device      string    `json:"device"`
		}
		if err := json.Unmarshal(data, &s); err != nil {
			return nil, "", usageErrorf("eigcmp: %s: %v", path, err)
		}
		if len(s.Eigenvalues) == 0 {
			return nil, "", usageErrorf("eigcmp: %s has no eigenvalues", path)
		}
		return s.Eigenvalues, s.Device, nil
	}
	ea, da, err := read(a)
	if err != nil {
		return nil, err
	}
	eb, db, err := read(b)
	if err != nil {
		return nil, err
	}
	rep := &eigcmpReport{A: a, B: b, DeviceA: da, DeviceB: db, EigenvalueA: ea, EigenvalueB: eb, RTol: rtol}
	if len(ea) != len(eb) {
		rep.MaxRelDiff = math.MaxFloat64
		return rep, errors.New("eigcmp: the summaries have different numbers of eigenvalues")
	}
	var scale float64
	for _, x := range eb {
		scale = math.Max(scale, math.Abs(x))
	}
	for i := range ea {
		den := math.Max(math.Max(math.Abs(ea[i]), math.Abs(eb[i])), 1e-6*scale)
		d := math.Abs(ea[i]-eb[i]) / den
		switch {
		case den == 0:
			d = 0
		case math.IsNaN(d) || math.IsInf(d, 0):
			d = math.MaxFloat64
		}
		rep.RelDiff = append(rep.RelDiff, d)
		rep.MaxRelDiff = math.Max(rep.MaxRelDiff, d)
	}
	rep.Pass = rep.MaxRelDiff <= rtol
	return rep, nil
}
