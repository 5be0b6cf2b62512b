package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/internal/sysmem"
	"github.com/spectral-dev/spectral/pkg/eigsh"
	"github.com/spectral-dev/spectral/pkg/embed"
	"github.com/spectral-dev/spectral/pkg/figure"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

type embedOptions struct {
	sigma, cutoff, laplacian, columns, format string
	output, summary, plot                     string
	model, landmarkSampling, solver           string
	landmarks                                 int
	k                                         int
	dropFirst, quiet, noCarry, strict         bool
	graph                                     graphFlags // graphflags.go
	solve                                     solveFlags // solveflags.go
}

// embedRunner runs embed once its flags are parsed and validated; newEmbedCmd(nil) uses
// runEmbed, and tests pass their own to check flag handling without reading or solving
// (GitHub's gh: NewCmdX(f, runF)).
type embedRunner func(cmd *cobra.Command, o *embedOptions, opt embed.Options) error

func newEmbedCmd(runF embedRunner) *cobra.Command {
	o := &embedOptions{}
	cmd := &cobra.Command{
		Use:   "embed INPUT",
		Short: "Eigenvectors of a Gaussian-kernel graph Laplacian of a point cloud",
		Long: `Embed computes the k smallest eigenpairs of a graph Laplacian built from the Gaussian
kernel K(i,j) = exp(-|xi-xj|^2 / 2 sigma^2) on a 2D or 3D cloud, and writes the
eigenvectors, one row per input point in input order: the coordinates, then phi1..phiK.

INPUT is a .csv/.txt/.xyz/.tsv, .ply, .las (LAS 1.0-1.4; LAZ must be decompressed first)
or .npy (N x 2 or N x 3) file, or - for standard input (format sniffed, or --format). The
output is named after INPUT (cloud.ply -> cloud.eigvecs.csv; stdin -> eigvecs.csv) unless
-o says otherwise; a .ply output carries the input's other properties (--no-carry) and
says in its header comments what it holds. Pairs farther apart than --cutoff sigmas are left out (exactly: pruning never
misses a pair within the cutoff). The default cutoff (auto, ~5.77) is where the kernel
falls below float32 resolution, so the result is the full Gaussian kernel's; 4 is faster
but moves the eigenvalues (by ~0.2% to 7% on the tutorial's clouds).

--sigma auto picks ` + sigmaRuleHelp + `,
and prints the value it picked.

Laplacians: normalized  I - D^-1/2 K D^-1/2 (default)
            unnormalized D - K
            randomwalk  I - D^-1 K (eigenvalues of normalized; vectors D^-1/2 phi)
The smallest eigenpairs are found as the largest of D^-1/2 K D^-1/2 (or of a Gershgorin-
shifted D - K) by thick-restart Lanczos (as many products as ARPACK or fewer); for the
normalized and random-walk Laplacians the first eigenvector, D^1/2 1, is known exactly
and projected out, so its eigenvalue is exactly 0. Progress goes to stderr; the summary
(eigenvalues, which solver ran and its products or passes, timings) to stderr, or as JSON to --summary.

--solver multilevel (auto picks it for N >= 20,000 with the normalized or random-walk
Laplacian) builds coarse levels by aggregating the points into boxes of 1 sigma or more
(exact P^T K P; larger boxes where the smaller leave too many), solves the coarsest by
Lanczos and the fine level by LOBPCG started from the coarse eigenvectors and
preconditioned by the first coarse level (a sparse Cholesky factor, or conjugate gradients
on the next level where the factor would be too large): far fewer passes over the kernel,
each pass carrying a block of vectors. Residuals are checked on the fine operator; --tol 0 means 1e-10 there.
Boxes stay at 4 sigma or less (where sigma is narrow for the cloud's extent, the first
level is then larger, its systems solved by conjugate gradients or a factor), and weakly joined points (noise off
a surface, whose eigenvectors lie on a point or two) get coarse nodes of their own, so the
coarse start holds their eigenvectors too. It falls back to Lanczos, with a warning, where
it cannot help: where the boxes would barely coarsen, or LOBPCG does not converge.

The kernel's nonzero values are cached (float32, ~2.2 bytes per nonzero) when they fit
--cache-memory (by default half the available memory, less what the rest of the run
needs); products then run several times faster than on the fly. When the cache is over
that budget but the budget holds at least a quarter of it, the values of the cloud's
first cells (in the grid's order) are cached and the others evaluated on the fly (the
summary's kernel_cache_fraction says how much); under a quarter, all are evaluated on the
fly. Either way, when the whole cache fits the machine, a warning gives the
--cache-memory value that would cache it (spectral info --sigma says the same before a
run). Large caches are mapped outside Go's heap, so its collector does not double them;
the process gives the collector a soft limit of 85% of the memory available at start
(GOMEMLIMIT, when set, takes its place).
` + exitStatusHelp,
		Example: `  spectral generate spiral -o spiral.csv
  spectral embed --sigma 0.05 spiral.csv                        # -> spiral.eigvecs.csv
  spectral embed --sigma 0.01 --cutoff 4 cloud.ply -o out.ply --plot out.png
  spectral embed --sigma auto -k 4 --summary - scan.xyz -q -o coords.csv
  cat cloud.csv | spectral embed --sigma 0.02 - -o - > eigvecs.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output == "" {
				o.output = defaultOutputName(args[0], "eigvecs")
			}
			opt, err := o.options(args[0], cmd.InOrStdin())
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd, o, opt)
			}
			// Before reading anything: no output may be the input or another output, and
			// every output's folder must be writable (it used to fail after the solve).
			if err := cloudio.CheckPaths(
				[]cloudio.NamedPath{{Flag: "input", Path: args[0]}},
				[]cloudio.NamedPath{{Flag: "-o", Path: o.output}, {Flag: "--plot", Path: o.plot}, {Flag: "--summary", Path: o.summary}, {Flag: "--model", Path: o.model}},
				cmd.InOrStdin()); err != nil {
				return err
			}
			return runEmbed(cmd, o, opt)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.sigma, "sigma", "", "kernel width in the input's units, or auto (required)")
	f.IntVarP(&o.k, "k", "k", 7, "number of eigenpairs, smallest first, the trivial one included")
	f.StringVar(&o.laplacian, "laplacian", "normalized", "normalized, unnormalized or randomwalk")
	f.StringVar(&o.cutoff, "cutoff", "auto", "kernel set to 0 beyond this many sigmas; auto ~5.77; 0 = every pair")
	f.StringVar(&o.columns, "columns", "", "coordinate columns of a delimited file, by name or 1-based index (e.g. lat,long or 2,3)")
	f.StringVar(&o.format, "format", "", "input format: csv, ply, las or npy (default: from the extension, or sniffed)")
	f.StringVarP(&o.output, "output", "o", "", "eigenvectors: .csv, .npy (N x (d+k) float64), .ply (points + input properties + phi + RGB), or - for CSV on stdout (default: INPUT's name with .eigvecs.csv, e.g. cloud.ply -> cloud.eigvecs.csv; eigvecs.csv for stdin)")
	f.BoolVar(&o.noCarry, "no-carry", false, "PLY output: leave out the input's other per-point properties (colours, normals, intensity, ...)")
	f.StringVar(&o.summary, "summary", "", "write the JSON summary to this file (- = stdout)")
	f.StringVar(&o.plot, "plot", "", "also draw the eigenvectors to this figure (.png, .svg or .pdf)")
	f.StringVar(&o.solver, "solver", "auto", "eigensolver: lanczos, multilevel (aggregation coarse levels + LOBPCG), or auto (multilevel for large clouds)")
	f.StringVar(&o.model, "model", "", "also save the embedding as a model file for 'spectral extend' (new points without recomputing)")
	f.IntVar(&o.landmarks, "landmarks", 0, "embed about this many landmarks exactly and extend to every point (an approximation for huge clouds; 0 = exact)")
	f.StringVar(&o.landmarkSampling, "landmark-sampling", "cells", "landmarks: cells (centroids of a grid's cells, weighted by their counts) or uniform (a random sample)")
	f.BoolVar(&o.dropFirst, "drop-first", false, "leave out the trivial eigenpair (k are still returned)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress and no human summary (warnings are still printed)")
	f.BoolVar(&o.strict, "strict", false, "make the pre-flight warnings (graph falls apart, nearly dense at large n) errors: exit 2 before the work")
	o.graph.add(f)
	o.solve.add(f, "seed of the start vector")
	return cmd
}

// options parses the flags into embed.Options and validates them (Options.Validate)
// before any work starts.
func (o *embedOptions) options(input string, stdin io.Reader) (embed.Options, error) {
	opt := embed.Options{
		Input: input, Stdin: stdin, K: o.k, DropFirst: o.dropFirst, Strict: o.strict,
		Landmarks: o.landmarks, LandmarkSampling: o.landmarkSampling,
	}
	if err := refuseDefault("-k", o.k, "need at least one eigenpair"); err != nil {
		return opt, err
	}
	if o.model == "-" {
		return opt, usageErrorf("--model -: the model is binary; give a file name")
	}
	var err error
	if opt.Sigma, err = o.graph.apply(&opt, o.sigma); err != nil {
		return opt, err
	}
	if o.model != "" && ((opt.Affinity != "" && opt.Affinity != embed.Gaussian) || opt.Component == embed.ComponentLargest) {
		return opt, usageErrorf("--model extends a Gaussian embedding of the whole cloud: not with --affinity %s or --component largest", opt.Affinity)
	}
	if opt.Cutoff, err = parseCutoff(o.cutoff); err != nil {
		return opt, err
	}
	if opt.Solver, err = embed.ParseSolver(o.solver); err != nil {
		return opt, withFlagNames(err)
	}
	if opt.Laplacian, err = embed.ParseLaplacian(o.laplacian); err != nil {
		return opt, withFlagNames(err)
	}
	if opt.Read, err = readOptions(o.format, o.columns); err != nil {
		return opt, err
	}
	if err = o.solve.apply(&opt); err != nil {
		return opt, err
	}
	if err := opt.Validate(); err != nil {
		return opt, withFlagNames(err)
	}
	format, err := outputFormat(o.output)
	if err != nil {
		return opt, err
	}
	// Only a PLY output carries the input's properties; reading them otherwise would cost
	// memory for nothing.
	opt.Read.Carry = format == "ply" && !o.noCarry
	if o.plot != "" {
		if _, err := figure.FormatOf(o.plot); err != nil {
			return opt, usageErrorf("--plot %s: the extension decides the format: .png, .svg or .pdf", o.plot)
		}
	}
	if o.output == "-" && o.summary == "-" {
		return opt, usageErrorf("-o - and --summary - both write to stdout: send one to a file")
	}
	return opt, nil
}

// readOptions maps --format and --columns.
func readOptions(format, columns string) (cloudio.ReadOptions, error) {
	var r cloudio.ReadOptions
	switch strings.ToLower(format) {
	case "":
	case "csv", "txt", "xyz", "tsv", "text":
		r.Format = cloudio.FormatText
	case "ply":
		r.Format = cloudio.FormatPLY
	case "las", "laz":
		r.Format = cloudio.FormatLAS
	case "npy":
		r.Format = cloudio.FormatNPY
	default:
		return r, usageErrorf("--format %q: want csv, ply, las or npy", format)
	}
	if columns != "" {
		for _, c := range strings.Split(columns, ",") {
			r.Columns = append(r.Columns, strings.TrimSpace(c))
		}
		if n := len(r.Columns); n < 2 || n > 3 {
			return r, usageErrorf("--columns %q: give 2 or 3 columns", columns)
		}
	}
	return r, nil
}

// parseBytes reads "auto" (0), "0" (never: -1), or a size such as 512MB, 2GiB, 1e9.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "auto" || s == "" {
		return 0, nil
	}
	mult := 1.0
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.m
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errors.New("want a size such as 512MB or 2GiB, auto, or 0")
	}
	if v == 0 {
		return -1, nil
	}
	// Saturate rather than overflow (1e30 converted to int64 is negative, which read as
	// "never cache"); the caller caps the value at the machine's memory.
	if b := v * mult; b < math.MaxInt64/2 {
		return max(int64(b), 1), nil
	}
	return math.MaxInt64 / 2, nil
}

// cacheMemoryLimit is the most --cache-memory may ask for: 80% of the available memory,
// leaving the rest of the run (EstimateMemory) room; a larger budget would let the cache
// allocate what the machine does not have, a Go fatal error.
func cacheMemoryLimit() int64 { return sysmem.Available() / 5 * 4 }

func runEmbed(cmd *cobra.Command, o *embedOptions, opt embed.Options) error {
	stderr := cmd.ErrOrStderr()
	prog := startRun(stderr, o.quiet, &o.solve, &opt)
	res, err := embed.Run(cmd.Context(), opt)
	prog.finish()
	var nc *eigsh.NoConvergence
	if err != nil && !(errors.As(err, &nc) && res != nil) {
		return err
	}
	if res.SigmaAuto && !o.quiet {
		fmt.Fprintf(stderr, "sigma auto: %.6g (%s)\n", res.Sigma, sigmaRuleHelp)
	}
	t := time.Now()
	var outputs []string
	if werr := writeEmbedOutputs(cmd, o, res, &outputs); werr != nil {
		return werr
	}
	res.Seconds.Write = time.Since(t).Seconds()
	res.Seconds.Total += res.Seconds.Write
	sum := summaryOf(res)
	sum.Outputs, sum.Version, sum.DropFirst = outputs, versionString(), o.dropFirst
	if err := writeSummary(cmd, o.summary, sum); err != nil {
		return err // names the output
	}
	if !o.quiet {
		printHumanSummary(stderr, &sum)
	}
	return err // nil, or NoConvergence after writing the converged pairs (exit 1)
}

// phiNames names eigenvector columns by the rank of their eigenvalue: phi1..phiK, or
// phi2..phi(K+1) with --drop-first.
func phiNames(k int, dropFirst bool) []string {
	first := 1
	if dropFirst {
		first = 2
	}
	names := make([]string, k)
	for j := range names {
		names[j] = "phi" + strconv.Itoa(first+j)
	}
	return names
}

func writeEmbedOutputs(cmd *cobra.Command, o *embedOptions, res *embed.Result, outputs *[]string) error {
	c := res.Cloud
	names := phiNames(len(res.Eigenvalues), o.dropFirst)
	format, _ := outputFormat(o.output)
	if res.Landmarks != nil && format != "ply" {
		if err := writeRows(cmd, o.output, c, names, landmarkRows(res), nil, o.quiet); err != nil {
			return err
		}
	} else {
		if err := res.ExtendAll(cmd.Context()); err != nil {
			return err
		}
		if err := writeVectors(cmd, o.output, c, names, res.Vectors, o.dropFirst, plyComments(res, names, o.dropFirst)); err != nil {
			return err
		}
	}
	*outputs = append(*outputs, o.output)
	if o.model != "" {
		model := res.Model(names)
		if l := res.Landmarks; l != nil {
			model = l.Model
			model.VectorNames = names
		}
		if model == nil {
			return usageErrorf("--model: only Gaussian embeddings of the whole cloud can be extended (not --affinity %s or --component largest)", res.Affinity)
		}
		if err := writeOutput(cmd, o.model, func(w io.Writer) error { return cloudio.WriteModel(w, model) }); err != nil {
			return err // names the output
		}
		*outputs = append(*outputs, o.model)
	}
	if o.plot != "" {
		pts, vecs := embeddedRows(res)    // not the NaN rows of --component largest
		if l := res.Landmarks; l != nil { // the landmarks stand for the cloud in the figure
			pts, vecs = l.Cloud.Points, l.Vectors
		}
		popt := plotDefaults()
		popt.Format, _ = figure.FormatOf(o.plot)
		if err := writeOutput(cmd, o.plot, func(w io.Writer) error {
			return drawEigenvectors(w, pts, c.Dim, vecs, res.Eigenvalues, o.dropFirst, popt)
		}); err != nil {
			return err // names the output
		}
		*outputs = append(*outputs, o.plot)
	}
	return nil
}

// writeVectors writes the cloud's coordinates and the vectors (one row per point) as CSV,
// .npy or PLY (with the input's carried properties and the header comments), by path's
// extension.
func writeVectors(cmd *cobra.Command, path string, c *cloudio.Cloud, names []string, vecs [][]float64, dropFirst bool, comments []string) error {
	format, _ := outputFormat(path)
	err := writeOutput(cmd, path, func(w io.Writer) error {
		if format == "ply" {
			return cloudio.WritePLY(w, &cloudio.PLYOutput{
				Points: c.Points, Dim: c.Dim, Carry: c.Props, Props: names, Values: vecs,
				RGB: colorsOf(vecs, dropFirst), Comments: comments,
			})
		}
		t := coordTable(c, names, vecs)
		if format == "npy" {
			return cloudio.WriteNPY(w, t)
		}
		return cloudio.WriteCSV(w, t)
	})
	if err != nil {
		return err // names the output
	}
	return nil
}

func printHumanSummary(w io.Writer, s *embed.Summary) {
	fmt.Fprintf(w, "%d points (%dD), %s, %s Laplacian, device %s\n",
		s.N, s.Dim, graphString(s), s.Laplacian, s.Device)
	fmt.Fprintf(w, "eigenvalues (%d of %d converged):", s.Converged, s.K)
	for _, v := range s.Eigenvalues {
		fmt.Fprintf(w, " %.9g", v)
	}
	fmt.Fprintf(w, "\n%s; %.2fs total (read %.2f, graph %.2f, grid %.2f, kernel %.2f, solve %.2f, write %.2f)\n",
		solverString(s), s.Seconds.Total, s.Seconds.Read, s.Seconds.Graph, s.Seconds.Grid, s.Seconds.Kernel, s.Seconds.Solve, s.Seconds.Write)
	if len(s.Warnings) > 0 {
		fmt.Fprintf(w, "%d warning(s), printed above\n", len(s.Warnings))
	}
	if len(s.Outputs) > 0 {
		fmt.Fprintf(w, "wrote %s\n", strings.Join(s.Outputs, ", "))
	}
}

// solverString says which solver ran and its work: Lanczos's products and restarts, or
// the multilevel solver's passes, block and level sizes.
func solverString(s *embed.Summary) string {
	if s.Solver == "" {
		return "no eigensolver ran"
	}
	if s.Solver != embed.SolverMultilevel {
		return fmt.Sprintf("%s: %d products, %d restarts", s.Solver, s.MatVecs, s.Restarts)
	}
	var sizes []string // finest (the points embedded) first
	for _, l := range s.Levels {
		sizes = append(sizes, strconv.Itoa(l.N))
	}
	return fmt.Sprintf("multilevel: %d passes of block %d, levels %s", s.Passes, s.Block, strings.Join(sizes, " -> "))
}

func cutoffString(c float64) string {
	if c == 0 {
		return "none (every pair)"
	}
	return fmt.Sprintf("%.4g sigma", c)
}

// colorsOf colours each point by the first non-trivial eigenvector (the first one with
// --drop-first), with the plot's colormap, for PLY viewers such as CloudCompare.
func colorsOf(vecs [][]float64, dropFirst bool) []uint8 {
	j := 1
	if dropFirst || len(vecs) == 1 {
		j = 0
	}
	if len(vecs) == 0 {
		return nil
	}
	cols := figure.Colors(vecs[j])
	rgb := make([]uint8, 3*len(cols))
	for i, c := range cols {
		rgb[3*i], rgb[3*i+1], rgb[3*i+2] = c.R, c.G, c.B
	}
	return rgb
}

// plyComments states in the PLY header what the file holds: the run's parameters, the
// eigenvalues, which phi the colours show, and a 2-D input's added z.
func plyComments(res *embed.Result, names []string, dropFirst bool) []string {
	c := res.Cloud
	cm := []string{
		fmt.Sprintf("spectral %s embed: %d points of %s (%s)", versionString(), c.N(), strings.Join(strings.Fields(c.Source), "_"), c.Format),
		fmt.Sprintf("sigma %.9g, cutoff %s, %s Laplacian", res.Sigma, cutoffString(res.Cutoff), res.Laplacian),
	}
	ev := "eigenvalues"
	for j, v := range res.Eigenvalues {
		ev += fmt.Sprintf(" %s=%.9g", names[j], v)
	}
	cm = append(cm, ev, "phi properties are float32; -o .csv or .npy keeps float64")
	if len(res.Vectors) > 0 {
		j := 1
		if dropFirst || len(res.Vectors) == 1 {
			j = 0
		}
		cm = append(cm, fmt.Sprintf("red, green, blue show %s (the plot's colormap)", names[j]))
	}
	if c.Dim == 2 {
		cm = append(cm, fmt.Sprintf("2-D input (%s): z = 0 for every point", strings.Join(c.Names, ", ")))
	}
	if len(c.Props) > 0 {
		cm = append(cm, fmt.Sprintf("%d properties carried from the input (input_ marks a renamed one; --no-carry drops them)", len(c.Props)))
	}
	return cm
}

// sigmaRuleHelp states the --sigma auto rule (pkg/neighbors) for --help and messages.
const sigmaRuleHelp = "the median distance from a point to its 10th nearest distinct neighbour"
