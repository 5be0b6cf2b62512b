package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/spectral-dev/spectral/internal/sysmem"
	"github.com/spectral-dev/spectral/pkg/embed"
)

// solveFlags are the device, memory and eigensolver flags shared by embed and cluster.
type solveFlags struct {
	device, cacheMemory   string
	ncv, maxiter, threads int
	tol                   float64
	seed                  uint64
}

// add defines the flags; seedHelp says what --seed seeds in this command.
func (s *solveFlags) add(f *pflag.FlagSet, seedHelp string) {
	f.StringVar(&s.device, "device", "auto", "auto, cpu or gpu (Gaussian affinity; gpu without a usable GPU: exit 1, before reading)")
	f.StringVar(&s.cacheMemory, "cache-memory", "auto", "memory for cached kernel values (e.g. 2GiB, 500MB); auto = half the available memory less the rest of the run; a cache over it is kept in part (at least a quarter) or not at all; 0 = never cache; more than 80% of the available memory is capped there, with a warning")
	f.Float64Var(&s.tol, "tol", 0, "eigensolver tolerance on the relative residual (0 = machine precision for Lanczos, as ARPACK; 1e-10 for the multilevel solver)")
	f.IntVar(&s.ncv, "ncv", 0, "Lanczos basis size (0 = default)")
	f.IntVar(&s.maxiter, "maxiter", 0, "maximum Lanczos restarts (0 = default)")
	f.Uint64Var(&s.seed, "seed", 0, seedHelp)
	f.IntVar(&s.threads, "threads", 0, "CPU threads (0 = all cores)")
}

// apply sets the solver options (Options.Validate checks their ranges) and parses
// --cache-memory.
func (s *solveFlags) apply(opt *embed.Options) error {
	opt.Device, opt.Threads, opt.Tol, opt.NCV, opt.MaxIter, opt.Seed = s.device, s.threads, s.tol, s.ncv, s.maxiter, s.seed
	var err error
	if opt.CacheMemory, err = parseBytes(s.cacheMemory); err != nil {
		return usageErrorf("--cache-memory %q: %v", s.cacheMemory, err)
	}
	return nil
}

// startRun sets up what embed and cluster show while they run: progress on stderr
// unless quiet, every warning on stderr as soon as pkg/embed records it (with or
// without -q, which silences progress only; fields worded as flags), and --cache-memory
// clamped to what the machine can give (cacheMemoryLimit).
func startRun(stderr io.Writer, quiet bool, s *solveFlags, opt *embed.Options) *progress {
	var prog *progress
	if !quiet {
		prog = newProgress(stderr)
		opt.Progress = prog.update
	}
	opt.Warn = func(msg string) {
		prog.clearLine()
		fmt.Fprintf(stderr, "warning: %s\n", warningText(msg))
	}
	if opt.CacheMemory > 0 {
		if limit := cacheMemoryLimit(); opt.CacheMemory > limit {
			opt.Warn(fmt.Sprintf("--cache-memory %s is more than this machine can give the cache (%s: 80%% of the %s available); using %s",
				s.cacheMemory, embed.FormatBytes(limit), embed.FormatBytes(sysmem.Available()), embed.FormatBytes(limit)))
			opt.CacheMemory = limit
		}
	}
	return prog
}
