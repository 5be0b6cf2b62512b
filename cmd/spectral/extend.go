package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/embed"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

type extendOptions struct {
	output, summary, columns, format string
	threads                          int
	quiet                            bool
}

// extendRunner runs extend once its flags are validated (before any path is checked or
// read); newExtendCmd(nil) checks the paths and uses runExtend, tests pass their own.
type extendRunner func(cmd *cobra.Command, o *extendOptions, modelPath, input string, read cloudio.ReadOptions) error

func newExtendCmd(runF extendRunner) *cobra.Command {
	o := &extendOptions{}
	cmd := &cobra.Command{
		Use:   "extend MODEL INPUT",
		Short: "Eigenvector values at new points from a saved embedding (Nyström)",
		Long: `Extend evaluates the eigenvectors of a saved embedding (a model file written by
'spectral embed --model FILE') at new points, without recomputing the embedding, by the
Nyström extension: for the random-walk Laplacian

    psi(x) = sum_j k(x, xj) psi_j / (mu sum_j k(x, xj)),   mu = 1 - lambda,

over the model's points xj, with the model's sigma, cutoff and kernel (and the
corresponding formulas for the normalized and unnormalized Laplacians). It is exact at
the model's own points and smooth between them. A new point with no model point within
the cutoff gets NaN values; the count is printed and in the summary.

INPUT is any cloud embed reads (.csv/.txt/.xyz/.tsv, .ply, or - for standard input),
with the model's dimension. The output has the input's coordinates and the vectors, one
row per input point in input order, as CSV or PLY by the extension of -o.
` + exitStatusHelp,
		Example: `  spectral embed --sigma 0.01 --cutoff 4 train.ply --model roll.model -o train.csv
  spectral extend roll.model new.ply                  # -> new.eigvecs.csv
  spectral extend roll.model - --summary - < more.csv > /dev/null`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output == "" {
				o.output = defaultOutputName(args[1], "eigvecs")
			}
			if _, err := outputFormat(o.output); err != nil {
				return err
			}
			read, err := readOptions(o.format, o.columns)
			if err != nil {
				return err
			}
			if o.output == "-" && o.summary == "-" {
				return usageErrorf("-o - and --summary - both write to stdout: send one to a file")
			}
			if runF != nil {
				return runF(cmd, o, args[0], args[1], read)
			}
			if err := cloudio.CheckPaths(
				[]cloudio.NamedPath{{Flag: "MODEL", Path: args[0]}, {Flag: "INPUT", Path: args[1]}},
				[]cloudio.NamedPath{{Flag: "-o", Path: o.output}, {Flag: "--summary", Path: o.summary}},
				cmd.InOrStdin()); err != nil {
				return err
			}
			return runExtend(cmd, o, args[0], args[1], read)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "vector values at the new points: .csv, .npy, .ply, or - for CSV on stdout (default: INPUT's name with .eigvecs.csv; eigvecs.csv for stdin)")
	f.StringVar(&o.summary, "summary", "", "write a JSON summary to this file (- = stdout)")
	f.StringVar(&o.columns, "columns", "", "coordinate columns of a delimited input, by name or 1-based index")
	f.StringVar(&o.format, "format", "", "input format: csv, ply, las or npy (default: from the extension, or sniffed)")
	f.IntVar(&o.threads, "threads", 0, "CPU threads (0 = all cores)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no human summary")
	return cmd
}

// extendSummary is the JSON of `spectral extend --summary` (docs/CLI.md).
type extendSummary struct {
	Model           string    `json:"model"`
	Input           string    `json:"input"`
	N               int       `json:"n"`
	Dim             int       `json:"dim"`
	K               int       `json:"k"`
	Sigma           float64   `json:"sigma"`
	Cutoff          float64   `json:"cutoff"`
	Laplacian       string    `json:"laplacian"`
	Eigenvalues     []float64 `json:"eigenvalues"`
	Unreached       int       `json:"unreached"`
	Seconds         float64   `json:"seconds"`
	PointsPerSecond float64   `json:"points_per_second"`
	Outputs         []string  `json:"outputs"`
	Version         string    `json:"version"`
}

func runExtend(cmd *cobra.Command, o *extendOptions, modelPath, input string, read cloudio.ReadOptions) error {
	start := time.Now()
	m, err := cloudio.ReadModelFile(modelPath)
	if err != nil {
		return err
	}
	var c *cloudio.Cloud
	if input == "-" {
		c, err = cloudio.Read(cmd.InOrStdin(), "<stdin>", read)
	} else {
		c, err = cloudio.ReadFile(input, read)
	}
	if err != nil {
		return err
	}
	if c.Dim != m.Dim {
		return usageErrorf("%s is %d-D but the model %s is %d-D", c.Source, c.Dim, modelPath, m.Dim)
	}
	ext, err := embed.NewExtender(m, o.threads)
	if err != nil {
		return err
	}
	unreached := 0
	rows := func(ctx context.Context, lo, hi int, dst [][]float64) error {
		u, err := ext.Extend(ctx, c.Points[lo*c.Dim:hi*c.Dim], dst)
		unreached += u
		return err
	}
	t := time.Now()
	comments := []string{
		fmt.Sprintf("spectral %s extend: %d points of %s (%s) from the model %s", versionString(), c.N(),
			strings.Join(strings.Fields(c.Source), "_"), c.Format, strings.Join(strings.Fields(modelPath), "_")),
		fmt.Sprintf("sigma %.9g, cutoff %s, %s Laplacian (Nystrom extension)", m.Sigma, cutoffString(m.Cutoff), m.Laplacian),
	}
	if err := writeRows(cmd, o.output, c, m.VectorNames, rows, comments, o.quiet); err != nil {
		return err
	}
	secs := time.Since(t).Seconds()
	sum := extendSummary{
		Model: modelPath, Input: c.Source, N: c.N(), Dim: c.Dim, K: m.K, Sigma: m.Sigma, Cutoff: m.Cutoff,
		Laplacian: m.Laplacian, Eigenvalues: m.Eigenvalues, Unreached: unreached,
		Seconds: time.Since(start).Seconds(), PointsPerSecond: float64(c.N()) / secs,
		Outputs: []string{o.output}, Version: versionString(),
	}
	if err := writeSummary(cmd, o.summary, sum); err != nil {
		return err // names the output
	}
	stderr := cmd.ErrOrStderr()
	if unreached > 0 {
		fmt.Fprintf(stderr, "warning: %d of %d points have no model point within the cutoff (%g sigma): their values are NaN\n", unreached, c.N(), m.Cutoff)
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "extended %d vectors of %s to %d points in %.2fs (%.3g points/s); wrote %s\n",
			m.K, modelPath, c.N(), sum.Seconds, sum.PointsPerSecond, o.output)
	}
	return nil
}

// rowsFunc computes the vectors at input points [lo, hi): dst[j][i-lo].
type rowsFunc func(ctx context.Context, lo, hi int, dst [][]float64) error

// streamRows is how many points writeRows computes and writes at a time: the memory of a
// block is rows x (dim + k) floats, whatever the cloud's size.
const streamRows = 1 << 18

// writeRows writes the cloud's coordinates and the vectors that rows computes, block by
// block for CSV and .npy (memory bounded by a block), all at once for PLY (with the
// header's comments).
func writeRows(cmd *cobra.Command, path string, c *cloudio.Cloud, names []string, rows rowsFunc, comments []string, quiet bool) error {
	ctx := cmd.Context()
	start, lastTenth := time.Now(), 0
	progress := func(done, n int) { // a line per tenth on long runs, unless -q
		if quiet || n < 1<<21 {
			return
		}
		if tenth := 10 * done / n; tenth > lastTenth {
			lastTenth = tenth
			fmt.Fprintf(cmd.ErrOrStderr(), "extend %3d%%  %d of %d points  %.1fs\n", 10*tenth, done, n, time.Since(start).Seconds())
		}
	}
	n, k := c.N(), len(names)
	format, _ := outputFormat(path)
	if format == "ply" { // the colours need each whole vector
		vecs := make([][]float64, k)
		for j := range vecs {
			vecs[j] = make([]float64, n)
		}
		if err := rows(ctx, 0, n, vecs); err != nil {
			return err
		}
		return writeVectors(cmd, path, c, names, vecs, false, comments)
	}
	err := writeOutput(cmd, path, func(w io.Writer) error {
		var s interface{ Write([][]float64) error }
		var err error
		if format == "npy" {
			s, err = cloudio.NewNPYStream(w, n, c.Dim+k)
		} else {
			s, err = cloudio.NewCSVStream(w, append(append([]string{}, c.Names...), names...))
		}
		if err != nil {
			return err
		}
		cols := make([][]float64, c.Dim+k)
		for j := range cols {
			cols[j] = make([]float64, min(streamRows, n))
		}
		for lo := 0; lo < n; lo += streamRows {
			hi := min(lo+streamRows, n)
			for j := range cols {
				cols[j] = cols[j][:hi-lo]
			}
			for i := lo; i < hi; i++ {
				for d := 0; d < c.Dim; d++ {
					cols[d][i-lo] = c.Points[i*c.Dim+d]
				}
			}
			if err := rows(ctx, lo, hi, cols[c.Dim:]); err != nil {
				return err
			}
			if err := s.Write(cols); err != nil {
				return err
			}
			progress(hi, n)
		}
		return nil
	})
	return err // names the output
}

// landmarkRows extends a landmark run to the cloud's points block by block.
func landmarkRows(res *embed.Result) rowsFunc {
	return func(ctx context.Context, lo, hi int, dst [][]float64) error { return res.ExtendRows(ctx, lo, hi, dst) }
}
