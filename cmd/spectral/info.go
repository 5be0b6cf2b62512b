package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/embed"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/neighbors"
)

type infoOptions struct {
	format, columns, sigma, cutoff, solver string
	k                                      int
	threads                                int
	json, noSpacing                        bool
}

// infoPlan is what info's flags ask for, parsed and validated before the input is read.
type infoPlan struct {
	read     cloudio.ReadOptions
	estimate bool         // --sigma given: estimate the costs of a run
	sigma    float64      // the estimate's sigma; 0 = auto (the spacing's suggestion)
	cutoff   float64      // in sigmas; embed.CutoffAuto for auto
	solver   embed.Solver // the solver the estimate is for
}

// infoRunner runs info once its flags are validated; newInfoCmd(nil) uses runInfo, tests
// pass their own (as newEmbedCmd).
type infoRunner func(cmd *cobra.Command, o *infoOptions, input string, p infoPlan) error

func newInfoCmd(runF infoRunner) *cobra.Command {
	o := &infoOptions{}
	cmd := &cobra.Command{
		Use:   "info INPUT",
		Short: "What is in a cloud, and what a sigma would cost",
		Long: `Info reads a cloud (.csv/.txt/.xyz/.tsv, .ply, or - for stdin) and prints its format,
point count, dimension, coordinate columns and bounding box, the number of duplicate
points, the nearest-neighbour spacing (median and 95th percentile) and the sigma that
--sigma auto would pick (` + sigmaRuleHelp + `), widened as embed widens it when the
rule's sigma leaves the Gaussian graph in pieces (both are shown, and the components that
remain, if any).

With --sigma it also estimates, before any costly work, the pairs within the cutoff per
kernel product, the memory of the run and of the kernel cache (how much of it the default
budget holds: half the available memory, less the rest of the run; and, when the cache is
over that budget but fits the machine, the --cache-memory value that would cache it),
and the time per product on this machine (products of a small
Swiss roll are timed first, ~0.3 s). --json prints one JSON object (format, n, dim, columns, bbox_min,
bbox_max, duplicates, nn_median, nn_p95, suggested_sigma (the sigma embed uses),
spacing_sigma (the rule's), sigma_raise, components, and the estimates).
` + exitStatusHelp,
		Example: `  spectral info cloud.ply
  spectral info --json quakes.csv --columns lat,long
  spectral info --sigma 0.01 --cutoff 4 roll.ply      # what would embed cost?`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := o.plan()
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd, o, args[0], p)
			}
			return runInfo(cmd, o, args[0], p)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "", "input format: csv, ply, las or npy (default: from the extension, or sniffed)")
	f.StringVar(&o.columns, "columns", "", "coordinate columns of a delimited file, by name or 1-based index")
	f.StringVar(&o.sigma, "sigma", "", "estimate the cost of a kernel of this width (input units, or auto)")
	f.StringVar(&o.cutoff, "cutoff", "auto", "cutoff in sigmas for the estimate (auto ~5.77, 0 = every pair)")
	f.IntVarP(&o.k, "k", "k", 7, "eigenpairs, for the memory estimate")
	f.IntVar(&o.threads, "threads", 0, "CPU threads (0 = all cores)")
	f.StringVar(&o.solver, "solver", "auto", "eigensolver the estimate is for: auto, lanczos or multilevel")
	f.BoolVar(&o.json, "json", false, "print one JSON object")
	f.BoolVar(&o.noSpacing, "no-spacing", false, "skip the nearest-neighbour statistics (faster on huge clouds)")
	return cmd
}

// cloudInfo is the JSON of spectral info; field names are part of the CLI contract.
type cloudInfo struct {
	Input          string       `json:"input"`
	Format         string       `json:"format"`
	N              int          `json:"n"`
	Dim            int          `json:"dim"`
	Columns        []string     `json:"columns"`
	BBoxMin        []float64    `json:"bbox_min"`
	BBoxMax        []float64    `json:"bbox_max"`
	Duplicates     *int         `json:"duplicates,omitempty"`
	NNMedian       *float64     `json:"nn_median,omitempty"`
	NNP95          *float64     `json:"nn_p95,omitempty"`
	SuggestedSigma *float64     `json:"suggested_sigma,omitempty"` // what --sigma auto gives embed (widened)
	SpacingSigma   *float64     `json:"spacing_sigma,omitempty"`   // the spacing rule's, before widening
	SigmaRaise     *float64     `json:"sigma_raise,omitempty"`     // suggested_sigma / spacing_sigma
	Components     []int        `json:"components,omitempty"`      // sizes at suggested_sigma, largest first
	SpacingSampled int          `json:"spacing_sampled_points,omitempty"`
	Estimate       *embed.Costs `json:"estimate,omitempty"`
}

// plan validates the flags before anything is read.
func (o *infoOptions) plan() (infoPlan, error) {
	var p infoPlan
	var err error
	if p.read, err = readOptions(o.format, o.columns); err != nil {
		return p, err
	}
	// The cutoff also serves without --sigma: the suggested sigma is widened to connect
	// the graph at it, as embed's --sigma auto is.
	if p.cutoff, err = parseCutoff(o.cutoff); err != nil {
		return p, err
	}
	if o.sigma == "" {
		return p, nil
	}
	p.estimate = true
	if p.sigma, err = parseSigma(o.sigma); err != nil {
		return p, err
	}
	if p.solver, err = embed.ParseSolver(o.solver); err != nil {
		return p, withFlagNames(err)
	}
	// The estimate's values are checked as embed checks a run's.
	opt := embed.Options{Sigma: p.sigma, Cutoff: p.cutoff, Solver: p.solver, K: o.k, Threads: o.threads}
	return p, withFlagNames(opt.Validate())
}

func runInfo(cmd *cobra.Command, o *infoOptions, input string, p infoPlan) error {
	var c *cloudio.Cloud
	var err error
	t0 := time.Now()
	if input == "-" {
		c, err = cloudio.Read(cmd.InOrStdin(), "<stdin>", p.read)
	} else {
		c, err = cloudio.ReadFile(input, p.read)
	}
	if err != nil {
		return err
	}
	read := time.Since(t0)
	info := cloudInfo{Input: c.Source, Format: c.Format, N: c.N(), Dim: c.Dim, Columns: c.Names}
	info.BBoxMin, info.BBoxMax = bbox(c)
	var sp *neighbors.Spacing
	if !o.noSpacing || (p.estimate && p.sigma == 0) { // auto needs the spacing
		s, err := neighbors.Measure(c.Points, c.Dim, neighbors.Options{Threads: o.threads})
		if err == nil {
			sp = &s
			info.Duplicates, info.NNMedian, info.NNP95 = &s.Duplicates, &s.NNMedian, &s.NN95
			info.SpacingSampled = s.Sampled
		}
	}
	if sp != nil && sp.SuggestedSigma > 0 {
		// The sigma embed would use: the rule's, widened to connect the graph at this
		// cutoff as embed does (embed.AutoSigma); the rule's alone if that check fails.
		rule := sp.SuggestedSigma
		info.SuggestedSigma, info.SpacingSigma = &rule, &rule
		if sigma, raise, comps, err := embed.AutoSigma(c, *sp, p.cutoff); err == nil {
			info.SuggestedSigma, info.SigmaRaise, info.Components = &sigma, &raise, comps
		}
	}
	if p.estimate {
		sigma := p.sigma
		if sigma == 0 { // auto
			if info.SuggestedSigma == nil {
				return usageErrorf("--sigma auto: %s has no two distinct points", c.Source)
			}
			sigma = *info.SuggestedSigma
		}
		est, err := embed.EstimateCostsFor(c, sigma, p.cutoff, o.k, o.threads, p.solver, read)
		if err != nil {
			return err
		}
		info.Estimate = est
	}
	out := cmd.OutOrStdout()
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	printInfo(out, &info)
	return nil
}

func bbox(c *cloudio.Cloud) (lo, hi []float64) {
	lo, hi = make([]float64, c.Dim), make([]float64, c.Dim)
	for d := range lo {
		lo[d], hi[d] = math.Inf(1), math.Inf(-1)
	}
	for i := 0; i < c.N(); i++ {
		for d := 0; d < c.Dim; d++ {
			v := c.Points[i*c.Dim+d]
			lo[d], hi[d] = math.Min(lo[d], v), math.Max(hi[d], v)
		}
	}
	return lo, hi
}

func printInfo(w io.Writer, in *cloudInfo) {
	fmt.Fprintf(w, "input      %s\nformat     %s\npoints     %d\ndimension  %d\ncolumns    %s\n",
		in.Input, in.Format, in.N, in.Dim, strings.Join(in.Columns, ", "))
	for d := range in.BBoxMin {
		fmt.Fprintf(w, "%-10s [%.10g, %.10g]  extent %.6g\n", in.Columns[d], in.BBoxMin[d], in.BBoxMax[d], in.BBoxMax[d]-in.BBoxMin[d])
	}
	if in.Duplicates != nil {
		fmt.Fprintf(w, "duplicates %d points share a position with another\n", *in.Duplicates)
		fmt.Fprintf(w, "spacing    nearest distinct neighbour: median %.6g, 95th percentile %.6g", *in.NNMedian, *in.NNP95)
		if in.SpacingSampled > 0 && in.SpacingSampled < in.N {
			fmt.Fprintf(w, " (from %d sampled points)", in.SpacingSampled)
		}
		fmt.Fprintln(w)
	}
	if in.SuggestedSigma != nil {
		fmt.Fprintf(w, "sigma auto %.6g", *in.SuggestedSigma)
		if in.SigmaRaise != nil && *in.SigmaRaise != 1 {
			fmt.Fprintf(w, " (the spacing rule's %.6g widened %.2fx to connect the graph, as embed does)", *in.SpacingSigma, *in.SigmaRaise)
		}
		fmt.Fprintln(w)
		if len(in.Components) > 1 {
			fmt.Fprintf(w, "components %d at sigma auto, of sizes %s (widening up to %gx does not connect them; embed reports them before solving)\n", len(in.Components), embed.FormatSizes(in.Components), embed.MaxSigmaRaise)
		}
	}
	if e := in.Estimate; e != nil {
		fmt.Fprintf(w, "with sigma %.6g, cutoff %s:\n", e.Sigma, cutoffString(e.Cutoff))
		fmt.Fprintf(w, "  pairs within the cutoff  ~%.3g (%.1f per point)\n", float64(e.PairsWithinCutoff), float64(e.PairsWithinCutoff)/float64(in.N))
		fmt.Fprintf(w, "  pairs evaluated/product  ~%.3g\n", float64(e.PairsEvaluated))
		cached := fmt.Sprint(e.CacheFits)
		if e.CacheFraction > 0 {
			cached = fmt.Sprintf("partly, ~%.0f%% within the budget", 100*e.CacheFraction)
		}
		fmt.Fprintf(w, "  memory                   ~%s, plus %s to cache the kernel (cached: %s)\n", embed.FormatBytes(e.MemoryBytes), embed.FormatBytes(e.CacheBytes), cached)
		fmt.Fprintf(w, "  time per product        ~%.3g s on the fly, ~%.3g s cached (%d threads)\n", e.SecondsPerProduct, e.SecondsPerCachedProduct, e.Threads)
		fmt.Fprintf(w, "  solver                   %s: ~%d passes, ~%s to solve (rough), +%s for its blocks\n", e.Solver, e.SolvePasses, roughTime(e.SolveSeconds), embed.FormatBytes(e.SolveMemory))
		fmt.Fprintf(w, "  whole run                ~%s (rough): read %s (as here), grid %s, kernel stage ~%s, solve, output ~%s\n", roughTime(e.RunSeconds), roughTime(e.ReadSeconds), roughTime(e.GridSeconds), roughTime(e.KernelSeconds), roughTime(e.WriteSeconds))
		if e.SuggestCacheMemory != "" {
			fmt.Fprintf(w, "  the cache is over the default budget (half the available memory, less the rest of the run) but fits the machine: --cache-memory %s caches it\n", e.SuggestCacheMemory)
		}
	}
}

// roughTime writes an estimate of s seconds as embed.FormatSeconds does, but with three
// significant digits under two minutes (info's other figures have three).
func roughTime(s float64) string {
	if s < 120 {
		return fmt.Sprintf("%.3g s", s)
	}
	return embed.FormatSeconds(s)
}
