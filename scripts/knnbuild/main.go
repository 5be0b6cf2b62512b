// Command knnbuild times the knn affinity build (kernel.KNNAffinity: the neighbour search,
// the symmetrised CSR and its row order) on a cloud file, the work `--affinity knn` does
// before the components and the solve. Each run prints its wall time and the process's
// CPU time (user + sys, getrusage) over the build alone, then the medians: on a shared
// machine the CPU seconds say more than the wall (docs/bench/cluster.md).
//
//	spectral generate swissroll -n 1000000 -o roll.ply
//	go run ./scripts/knnbuild -threads 2 -runs 3 roll.ply
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func main() {
	k := flag.Int("k", 10, "neighbours, the point itself included (--neighbors)")
	threads := flag.Int("threads", 0, "workers (0 = GOMAXPROCS)")
	runs := flag.Int("runs", 3, "builds")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the builds to this file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: knnbuild [-k 10] [-threads N] [-runs 3] CLOUD")
		os.Exit(2)
	}
	c, err := cloudio.ReadFile(flag.Arg(0), cloudio.ReadOptions{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	th := *threads
	if th <= 0 {
		th = runtime.GOMAXPROCS(0)
	}
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	var walls, cpus []float64
	for r := range *runs {
		runtime.GC()
		c0, t0 := cpuSeconds(), time.Now()
		s, err := kernel.KNNAffinity(c.Points, c.Dim, *k, 0, th)
		wall, cpu := time.Since(t0).Seconds(), cpuSeconds()-c0
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return
		}
		fmt.Printf("run %d: %d points, k %d, %d threads, %.2f M nonzeros: wall %.2f s, cpu %.2f s\n", r+1, c.N(), *k, th, float64(s.NNZ())/1e6, wall, cpu)
		walls, cpus = append(walls, wall), append(cpus, cpu)
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	fmt.Printf("median of %d: wall %.2f s, cpu (user+sys) %.2f s\n", *runs, walls[len(walls)/2], cpus[len(cpus)/2])
}
