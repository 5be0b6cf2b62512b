package kernel

import (
	"fmt"
	"math"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/spectral-dev/spectral/pkg/generate"
	"github.com/spectral-dev/spectral/pkg/grid"
)

// Benchmarks of BENCHMARKS.md. Run, e.g.:
//   go test -run '^$' -bench 'MulVec' -benchtime 5x -count 3 ./pkg/kernel/

func benchCloud(name string) cloud {
	switch name {
	case "swissroll_s0.01":
		return cloud{name, 3, swissRoll(100000, 42), 0.01}
	case "swissroll_s0.02":
		return cloud{name, 3, swissRoll(100000, 42), 0.02}
	case "swissroll10k_s0.02":
		return cloud{name, 3, swissRoll(10000, 42), 0.02}
	case "spiral_s0.01":
		return cloud{name, 2, spiral(100000, 43), 0.01}
	case "spiral_s0.005":
		return cloud{name, 2, spiral(100000, 43), 0.005}
	}
	panic(name)
}

var benchCases = []struct {
	cloud  string
	cutoff float64
}{
	{"swissroll_s0.01", 4}, {"swissroll_s0.01", DefaultCutoff},
	{"swissroll_s0.02", 4}, {"swissroll_s0.02", DefaultCutoff},
	{"spiral_s0.005", 4}, {"spiral_s0.005", DefaultCutoff},
	{"swissroll10k_s0.02", 4}, {"swissroll10k_s0.02", DefaultCutoff},
}

func cutName(c float64) string {
	if c == DefaultCutoff {
		return "5.77"
	}
	return fmt.Sprint(c)
}

func benchMulVec(b *testing.B, opt Options, frac float64) {
	for _, bc := range benchCases {
		b.Run(fmt.Sprintf("%s/cutoff%s", bc.cloud, cutName(bc.cutoff)), func(b *testing.B) {
			c := benchCloud(bc.cloud)
			var gopt grid.Options
			if frac > 0 {
				gopt.CellSize = frac * bc.cutoff
			}
			g := mustGrid(b, c, bc.cutoff, gopt)
			if opt.CacheBudget > 0 && !WouldCache(g, opt) {
				b.Skipf("cache over the benchmark budget of %d bytes", opt.CacheBudget)
			}
			op := mustOp(b, g, opt)
			v := signedVec(g.N, 1)
			dst := make([]float64, g.N)
			b.ResetTimer()
			cpu0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				op.MulVec(dst, v)
			}
			cpu := (cpuSeconds() - cpu0) / float64(b.N)
			sec := b.Elapsed().Seconds() / float64(b.N)
			st := op.Stats()
			b.ReportMetric(sec*1e3, "ms/product")
			b.ReportMetric(cpu*1e3, "cpu-ms/product")
			b.ReportMetric(float64(st.PairsEvaluated)/cpu, "evaluated/cpu-s")
			b.ReportMetric(float64(st.PairsWithinCutoff)/cpu, "nonzeros/cpu-s")
			b.ReportMetric(float64(st.PairsEvaluated)/sec, "evaluated/s")
			b.ReportMetric(float64(st.PairsWithinCutoff)/sec, "nonzeros/s")
			b.ReportMetric(float64(st.PairsEvaluated)/float64(st.PairsWithinCutoff), "evaluated/within")
			b.ReportMetric(float64(st.PairsWithinCutoff), "nnz")
			if st.Cached {
				b.ReportMetric(float64(st.CacheBytes)/float64(st.PairsWithinCutoff), "cacheB/nnz")
			}
		})
	}
}

func BenchmarkMulVecOnTheFly(b *testing.B) { benchMulVec(b, Options{CacheBudget: -1}, 0) }

// BenchmarkMulVecCached runs on the pipeline's cells for the cached mode.
func BenchmarkMulVecCached(b *testing.B) {
	benchMulVec(b, Options{CacheBudget: 4 << 30}, CachedCellFraction)
}

// BenchmarkMulVecCached1T is BenchmarkMulVecCached on one thread (a steadier figure on a
// shared machine).
func BenchmarkMulVecCached1T(b *testing.B) {
	benchMulVec(b, Options{CacheBudget: 4 << 30, Threads: 1}, CachedCellFraction)
}

// BenchmarkCellSize compares cell edges (fractions of the cutoff) on the fly.
func BenchmarkCellSize(b *testing.B) {
	for _, frac := range []float64{1.0001, 0.5001, 0.3334, 0.2501} {
		b.Run(fmt.Sprintf("edge%.2f", frac), func(b *testing.B) { benchMulVec(b, Options{CacheBudget: -1}, frac) })
	}
}

// BenchmarkNew times building the grid and the operator (counting or cache fill, and
// the degrees).
func BenchmarkNew(b *testing.B) {
	for _, cached := range []bool{false, true} {
		opt := Options{CacheBudget: -1}
		name := "onthefly"
		if cached {
			opt.CacheBudget, name = 4<<30, "cached"
		}
		b.Run(name, func(b *testing.B) {
			c := benchCloud("swissroll_s0.01")
			for i := 0; i < b.N; i++ {
				g := mustGrid(b, c, DefaultCutoff, grid.Options{})
				mustOp(b, g, opt)
			}
		})
	}
}

// BenchmarkTutorialRule measures the KeOps tutorial's block rule on the Swiss roll
// n = 10^5, sigma = 0.01: cubic bins of eps = 0.05 (input units), keep bin pairs whose
// centroids are closer than 4 sigma + sqrt(3) eps; reported as pairs looked at per pair
// within 4 sigma and as a fraction of all N^2 pairs.
func BenchmarkTutorialRule(b *testing.B) {
	c := benchCloud("swissroll_s0.01")
	eps := 0.05 / c.sigma
	thr := 4 + math.Sqrt(3)*eps
	for i := 0; i < b.N; i++ {
		g := mustGrid(b, c, thr, grid.Options{CellSize: eps})
		var kept int64
		for ci := range g.Cells {
			p := &g.Cells[ci]
			for _, j := range g.NbrCells[g.NbrPtr[ci]:g.NbrPtr[ci+1]] {
				q := &g.Cells[j]
				d2 := 0.0
				for a := 0; a < 3; a++ {
					d := p.Centroid[a] - q.Centroid[a]
					d2 += d * d
				}
				if d2 < thr*thr {
					kept += int64(p.End-p.Start) * int64(q.End-q.Start)
				}
			}
		}
		g4 := mustGrid(b, c, 4, grid.Options{})
		ev, _ := EstimatePairs(g4, 0)
		op := mustOp(b, g4, Options{CacheBudget: -1})
		within := op.Stats().PairsWithinCutoff
		n2 := float64(g.N) * float64(g.N)
		b.ReportMetric(float64(kept)/float64(within), "tutorial-evaluated/within")
		b.ReportMetric(float64(kept)/n2, "tutorial-fraction-of-N2")
		b.ReportMetric(float64(ev)/float64(within), "ours-evaluated/within")
		b.ReportMetric(float64(ev)/n2, "ours-fraction-of-N2")
	}
}

// cpuSeconds is the process's user+system CPU time: on this shared 2-core VM wall time
// depends on what else runs, CPU time much less (BENCHMARKS.md reports both).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkCellSizeCached compares cell edges in the cached mode.
func BenchmarkCellSizeCached(b *testing.B) {
	for _, frac := range []float64{0.5001, 0.3334, 0.2501} {
		b.Run(fmt.Sprintf("edge%.2f", frac), func(b *testing.B) { benchMulVec(b, Options{CacheBudget: 4 << 30}, frac) })
	}
}

// BenchmarkPruning compares source-chunk sizes (and merge gaps) of the on-the-fly block
// pattern with the whole-cell ranges ("cells") on the cases of BENCHMARKS.md. Variants
// run interleaved, one product each per round (b.N rounds), so that the load of the
// shared machine hits them alike; reported: pairs looked at per pair within the cutoff,
// the median CPU ms per product and its ratio to whole cells, the median CPU ms of the
// pattern's build and its bytes per point.
func BenchmarkPruning(b *testing.B) {
	variants := []struct {
		name       string
		chunk, gap int
	}{{"cells", 0, 0}, {"c16", 16, 0}, {"c8", 8, 0}, {"c4", 4, 0}, {"c4g4", 4, 4}}
	for _, bc := range benchCases {
		b.Run(fmt.Sprintf("%s/cutoff%s", bc.cloud, cutName(bc.cutoff)), func(b *testing.B) {
			c := benchCloud(bc.cloud)
			g := mustGrid(b, c, bc.cutoff, grid.Options{})
			op := mustOp(b, g, Options{CacheBudget: -1})
			within := float64(op.Stats().PairsWithinCutoff)
			v := signedVec(g.N, 1)
			dst := make([]float64, g.N)
			pats := make([]*blockPattern, len(variants))
			evals := make([]int64, len(variants))
			builds := make([]float64, len(variants))
			for k, vr := range variants {
				var cpuBuild []float64
				for r := 0; r < 3; r++ {
					c0 := cpuSeconds()
					op.buildBlocks(vr.chunk, vr.gap)
					cpuBuild = append(cpuBuild, cpuSeconds()-c0)
				}
				builds[k] = median(cpuBuild)
				pats[k], evals[k] = op.blocks, op.stats.PairsEvaluated
			}
			cpu := make([][]float64, len(variants))
			wall := make([][]float64, len(variants))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for k := range variants {
					op.blocks = pats[k]
					c0, t0 := cpuSeconds(), time.Now()
					op.MulVec(dst, v)
					wall[k] = append(wall[k], time.Since(t0).Seconds())
					cpu[k] = append(cpu[k], cpuSeconds()-c0)
				}
			}
			b.StopTimer()
			base, baseWall := median(cpu[0]), median(wall[0])
			for k, vr := range variants {
				b.ReportMetric(float64(evals[k])/within, vr.name+"-eval/within")
				b.ReportMetric(median(cpu[k])*1e3, vr.name+"-cpu-ms")
				b.ReportMetric(median(cpu[k])/base, vr.name+"-cpu-ratio")
				b.ReportMetric(median(wall[k])*1e3, vr.name+"-ms")
				b.ReportMetric(median(wall[k])/baseWall, vr.name+"-ratio")
				b.ReportMetric(builds[k]*1e3, vr.name+"-build-cpu-ms")
				b.ReportMetric(float64(pats[k].bytes())/float64(g.N), vr.name+"-B/point")
			}
		})
	}
}

func median(x []float64) float64 {
	y := slices.Clone(x)
	slices.Sort(y)
	if len(y) == 0 {
		return math.NaN()
	}
	return y[len(y)/2]
}

// BenchmarkBuildBlocks times the on-the-fly block pattern's build alone (default chunks).
func BenchmarkBuildBlocks(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(fmt.Sprintf("%s/cutoff%s", bc.cloud, cutName(bc.cutoff)), func(b *testing.B) {
			g := mustGrid(b, benchCloud(bc.cloud), bc.cutoff, grid.Options{})
			op := mustOp(b, g, Options{CacheBudget: -1, Threads: 1})
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				op.buildBlocks(sourceChunk, mergeGap)
			}
		})
	}
}

// BenchmarkMulVecCachedAVX2 is BenchmarkMulVecCached1T with the AVX-512 loop switched
// off: what a machine with AVX2 and FMA only runs.
func BenchmarkMulVecCachedAVX2(b *testing.B) {
	if !haveFMA {
		b.Skip("no AVX2+FMA")
	}
	defer func(v bool) { haveAVX512 = v }(haveAVX512)
	haveAVX512 = false
	benchMulVec(b, Options{CacheBudget: 4 << 30, Threads: 1}, CachedCellFraction)
}

// BenchmarkMulBlock times block products of b columns against single products (b=vec:
// MulVec) in both modes, on the cached mode's cells where caching (one warm-up product
// first: the cached mode's tile buffers grow on the first block of each width). Run, e.g.:
//
//	go test -run '^$' -bench 'MulBlock' -benchtime 5x -count 3 ./pkg/kernel/
func BenchmarkMulBlock(b *testing.B) {
	for _, mode := range []struct {
		name string
		opt  Options
		frac float64
	}{{"fly", Options{CacheBudget: -1}, 0}, {"cached", Options{CacheBudget: 4 << 30}, CachedCellFraction}} {
		for _, bc := range []struct {
			cloud  string
			cutoff float64
		}{{"swissroll_s0.01", 4}, {"swissroll10k_s0.02", 4}} {
			var op *Operator // built by the first sub-benchmark that runs
			for _, cols := range []int{0, 1, 8, 16} {
				name := fmt.Sprintf("b=%d", cols)
				if cols == 0 {
					name = "b=vec"
				}
				b.Run(fmt.Sprintf("%s/%s/cutoff%s/%s", mode.name, bc.cloud, cutName(bc.cutoff), name), func(b *testing.B) {
					if op == nil {
						var gopt grid.Options
						if mode.frac > 0 {
							gopt.CellSize = mode.frac * bc.cutoff
						}
						op = mustOp(b, mustGrid(b, benchCloud(bc.cloud), bc.cutoff, gopt), mode.opt)
					}
					n, w := op.Dims(), max(cols, 1)
					v := make([]float64, n*w)
					for j := 0; j < w; j++ {
						for i, x := range signedVec(n, uint64(j+1)) {
							v[i*w+j] = x
						}
					}
					dst := make([]float64, n*w)
					product := func() {
						if cols == 0 {
							op.MulVec(dst, v)
						} else {
							op.MulBlock(dst, v, cols)
						}
					}
					product()
					b.ResetTimer()
					cpu0 := cpuSeconds()
					for i := 0; i < b.N; i++ {
						product()
					}
					cpu := (cpuSeconds() - cpu0) / float64(b.N)
					sec := b.Elapsed().Seconds() / float64(b.N)
					b.ReportMetric(sec*1e3, "ms/product")
					b.ReportMetric(cpu*1e3, "cpu-ms/product")
					b.ReportMetric(sec*1e3/float64(w), "ms/column")
				})
			}
		}
	}
}

// BenchmarkMulBlockTutorial times on-the-fly products of the tutorial's 10^6-point Swiss
// roll (sigma 0.01, cutoff 4; its cache, ~11 GB, is over the default budget): MulVec and
// blocks of 8 and 16 columns (b = 1 is MulVec), three products each, reported as the
// medians of wall and CPU seconds per product and per column. Minutes on 2 cores:
//
//	go test -run '^$' -bench 'MulBlockTutorial' -benchtime 1x ./pkg/kernel/
func BenchmarkMulBlockTutorial(b *testing.B) {
	g, err := grid.Build(generate.SwissRoll(1_000_000, 0.01, 0), 3, 0.01, 4, grid.Options{})
	if err != nil {
		b.Fatal(err)
	}
	op := mustOp(b, g, Options{CacheBudget: -1})
	b.Logf("n %d, nonzeros %d, evaluated %d", g.N, op.Stats().PairsWithinCutoff, op.Stats().PairsEvaluated)
	for _, cols := range []int{0, 8, 16} {
		name := fmt.Sprintf("b=%d", cols)
		if cols == 0 {
			name = "b=vec"
		}
		b.Run(name, func(b *testing.B) {
			w := max(cols, 1)
			v := make([]float64, g.N*w)
			for i, x := range signedVec(g.N*w, 3) {
				v[i] = x
			}
			dst := make([]float64, g.N*w)
			product := func() {
				if cols == 0 {
					op.MulVec(dst, v)
				} else {
					op.MulBlock(dst, v, cols)
				}
			}
			var walls, cpus []float64
			for i := 0; i < b.N; i++ {
				for r := 0; r < 3; r++ {
					t0, c0 := time.Now(), cpuSeconds()
					product()
					walls = append(walls, time.Since(t0).Seconds())
					cpus = append(cpus, cpuSeconds()-c0)
				}
			}
			wall, cpu := median(walls), median(cpus)
			b.ReportMetric(wall, "s/product")
			b.ReportMetric(cpu, "cpu-s/product")
			b.ReportMetric(wall/float64(w), "s/column")
			b.ReportMetric(cpu/float64(w), "cpu-s/column")
		})
	}
}
