package main

import (
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/internal/sysmem"
	"github.com/spectral-dev/spectral/pkg/embed"
	"github.com/spectral-dev/spectral/pkg/generate"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

type generateOptions struct {
	shape  string
	n      int
	noise  float64
	seed   int64
	output string
}

// newGenerateCmd(nil) runs runGenerate; tests pass runF to see the validated options.
func newGenerateCmd(runF func(cmd *cobra.Command, o *generateOptions) error) *cobra.Command {
	o := &generateOptions{}
	cmd := &cobra.Command{
		Use:   "generate spiral|swissroll",
		Short: "Make the KeOps tutorial's clouds: a 2D spiral or a 3D Swiss roll",
		Long: `Generate writes the synthetic clouds of the KeOps tutorial "Linking KeOps with
scipy.sparse.linalg", with its exact formulas and numpy's RandomState(seed) stream, so
--seed 0 reproduces the reference clouds bit for bit (points rounded to float32):

  spiral     x = 0.4 + 0.4 (t/7) cos t,      y = 0.5 + 0.3 sin t
  swissroll  x = 0.4 + 0.4 (t/7) cos 1.5t,   y = 0.1 + 0.8 u,   z = 0.5 + 0.3 (t/7) sin 1.5t

with t = 2 pi i / n (i = 0..n-1), u uniform on [0,1), plus --noise times a standard normal
per coordinate. Output format from the extension of -o (.csv or .ply); "-" writes CSV to
standard output.`,
		Example: `  spectral generate spiral -o spiral.csv                 # 10,000 points, as in the tutorial
  spectral generate swissroll -n 1000000 -o roll.ply     # the tutorial's GPU case
  spectral generate spiral -n 1000 -o - | spectral info -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.shape = args[0]
			if err := o.validate(cmd); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd, o)
			}
			return runGenerate(cmd, o)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&o.n, "n", "n", 0, "number of points (default 10000 for spiral, 1000000 for swissroll)")
	f.Float64Var(&o.noise, "noise", 0.01, "standard deviation of the Gaussian noise added to each coordinate")
	f.Int64Var(&o.seed, "seed", 0, "seed of numpy's RandomState stream (0 .. 2^32-1)")
	f.StringVarP(&o.output, "output", "o", "-", "output file: .csv or .ply, or - for CSV on stdout")
	return cmd
}

func (o *generateOptions) validate(cmd *cobra.Command) error {
	switch o.shape {
	case "spiral", "swissroll":
	default:
		return usageErrorf("unknown shape %q: want spiral or swissroll", o.shape)
	}
	if !cmd.Flags().Changed("n") {
		o.n = map[string]int{"spiral": 10000, "swissroll": 1000000}[o.shape]
	}
	if o.n < 1 {
		return usageErrorf("-n %d: need at least one point", o.n)
	}
	if o.noise < 0 || o.noise != o.noise {
		return usageErrorf("--noise %v: must be >= 0", o.noise)
	}
	if o.seed < 0 || o.seed > 1<<32-1 {
		return usageErrorf("--seed %d: must be in 0 .. 4294967295", o.seed)
	}
	if _, err := outputFormat(o.output); err != nil {
		return err
	}
	// The points and their columns are held at once (2 x n x 3 float64): refuse a count
	// the machine cannot hold before allocating it (a Go fatal error otherwise).
	if need, avail := generateMemory(o.n), sysmem.Available(); need > avail {
		return usageErrorf("-n %d: needs about %s of memory, more than the %s available", o.n, embed.FormatBytes(need), embed.FormatBytes(avail))
	}
	return cloudio.CheckPaths(nil, []cloudio.NamedPath{{Flag: "-o", Path: o.output}}, nil)
}

// generateMemory estimates what generate holds for n points: the points and a column
// copy, float64, 3D at most, plus the runtime.
func generateMemory(n int) int64 {
	if n > math.MaxInt64/64 {
		return math.MaxInt64
	}
	return int64(n)*2*3*8 + 64<<20
}

// outputFormat picks "csv" or "ply" from a path's extension ("-" is CSV).
func outputFormat(path string) (string, error) {
	if path == "-" {
		return "csv", nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return "csv", nil
	case ".ply":
		return "ply", nil
	case ".npy":
		return "npy", nil
	}
	return "", usageErrorf("output %s: unknown extension (want .csv, .npy or .ply, or - for stdout)", path)
}

func runGenerate(cmd *cobra.Command, o *generateOptions) error {
	var pts []float64
	dim := 2
	if o.shape == "spiral" {
		pts = generate.Spiral(o.n, o.noise, o.seed)
	} else {
		pts, dim = generate.SwissRoll(o.n, o.noise, o.seed), 3
	}
	names := []string{"x", "y", "z"}[:dim]
	format, _ := outputFormat(o.output)
	write := func(w io.Writer) error {
		if format == "ply" {
			return cloudio.WritePLY(w, &cloudio.PLYOutput{Points: pts, Dim: dim})
		}
		cols := make([][]float64, dim)
		for d := range cols {
			cols[d] = make([]float64, o.n)
			for i := range cols[d] {
				cols[d][i] = pts[i*dim+d]
			}
		}
		if format == "npy" {
			return cloudio.WriteNPY(w, &cloudio.Table{Names: names, Columns: cols})
		}
		return cloudio.WriteCSV(w, &cloudio.Table{Names: names, Columns: cols})
	}
	return writeOutput(cmd, o.output, write) // errors name the output
}
