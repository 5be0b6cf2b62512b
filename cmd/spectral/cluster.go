package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/embed"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// clusterDefaultAffinity is cluster's --affinity default, chosen on the labelled sets of
// scripts/cluster_vs_sklearn.py (docs/bench/cluster.md).
const clusterDefaultAffinity = "knn"

type clusterOptions struct {
	sigma, cutoff, columns, format, clusters, method string
	output, summary                                  string
	maxClusters, nInit                               int
	vectors, quiet                                   bool
	graph                                            graphFlags // graphflags.go
	solve                                            solveFlags // solveflags.go
}

// clusterRunner runs cluster once its flags are validated; newClusterCmd(nil) uses
// runCluster, tests pass their own (as newEmbedCmd).
type clusterRunner func(cmd *cobra.Command, o *clusterOptions, opt embed.Options, copt embed.ClusterOptions) error

func newClusterCmd(runF clusterRunner) *cobra.Command {
	o := &clusterOptions{}
	cmd := &cobra.Command{
		Use:   "cluster INPUT",
		Short: "Spectral clustering: labels from the Laplacian's eigenvectors and k-means",
		Long: `Cluster embeds the cloud as embed does, then runs k-means (k-means++ seeding, --n-init
starts, the lowest inertia kept, deterministic for a --seed) on the first N eigenvectors,
and writes one label per input point, in input order: the coordinates, then label
(0..N-1; -1 for points outside the embedded component with --component largest).

--clusters N, or auto: N is then picked by the relative eigengap lambda(N+1)/lambda(N)
among the first --max-clusters + 1 eigenvalues: the largest N whose step (in log) is
within 93% of the largest one, so groups at two scales are all separated; the run says
which N.

--method njw (default): the normalized Laplacian's eigenvectors with each point's row
scaled to unit length (Ng, Jordan & Weiss); shi-malik: the random-walk Laplacian's
eigenvectors as they are (what scikit-learn's SpectralClustering does).

--affinity knn (default here): the symmetrised 10-nearest-neighbour graph, which adapts
to density and needs no sigma; gaussian needs --sigma (a width or auto); self-tuning
scales each point by the distance to its 7th neighbour. The graph's connected
components are counted before the solve: each one is a zero eigenvalue, and usually a
cluster of its own.

Output: .csv (x, y[, z], label[, phi1..phiN with --vectors]) or .ply (a label property
and one colour per cluster), named after INPUT as embed names its output (cloud.ply ->
cloud.labels.csv; stdin -> labels.csv) unless -o says otherwise. The JSON summary adds clusters, cluster_sizes,
clusters_auto, inertia and method.
` + exitStatusHelp,
		Example: `  spectral cluster spiral.txt --columns 1,2 --clusters 3      # -> spiral.labels.csv
  spectral cluster scan.ply --clusters auto -o labels.ply        # colours per cluster
  spectral cluster moons.csv --affinity gaussian --sigma 0.1 --clusters 2 --summary -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.output == "" {
				o.output = defaultOutputName(args[0], "labels")
			}
			opt, copt, err := o.options(args[0], cmd.InOrStdin())
			if err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd, o, opt, copt)
			}
			return runCluster(cmd, o, opt, copt)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.clusters, "clusters", "auto", "number of clusters, or auto (eigengap)")
	f.IntVar(&o.maxClusters, "max-clusters", embed.DefaultMaxClusters, "--clusters auto: the most clusters considered")
	f.StringVar(&o.method, "method", string(embed.NJW), "njw (row-normalised symmetric eigenvectors) or shi-malik (random-walk eigenvectors)")
	f.IntVar(&o.nInit, "n-init", 10, "k-means starts; the lowest inertia is kept")
	f.StringVar(&o.sigma, "sigma", "", "gaussian: kernel width or auto; knn: Gaussian edge weights of this width (default weights 1)")
	f.StringVar(&o.cutoff, "cutoff", "auto", "gaussian, self-tuning: kernel set to 0 beyond this many sigmas; auto ~5.77; 0 = every pair")
	f.StringVar(&o.columns, "columns", "", "coordinate columns of a delimited file, by name or 1-based index (e.g. 1,2)")
	f.StringVar(&o.format, "format", "", "input format: csv, ply, las or npy (default: from the extension, or sniffed)")
	f.StringVarP(&o.output, "output", "o", "", "labels: .csv, .ply (label property + a colour per cluster), or - for CSV on stdout (default: INPUT's name with .labels.csv, e.g. cloud.ply -> cloud.labels.csv; labels.csv for stdin)")
	f.BoolVar(&o.vectors, "vectors", false, "also write the eigenvectors used (phi1..phiN) to the CSV or PLY")
	f.StringVar(&o.summary, "summary", "", "write the JSON summary to this file (- = stdout)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress and no human summary")
	o.graph.add(f)
	o.solve.add(f, "seed of the start vector and of k-means")
	f.Lookup("affinity").DefValue = clusterDefaultAffinity
	o.graph.affinity = clusterDefaultAffinity
	f.Lookup("component").DefValue = embed.ComponentAttach
	f.Lookup("component").Usage = "attach (components under 1% of the points take the label of their nearest embedded point), all, or largest (the others labelled -1)"
	o.graph.component = embed.ComponentAttach
	return cmd
}

// options parses the flags into embed.Options and ClusterOptions and validates them
// (ClusterOptions.Validate) before any work starts.
func (o *clusterOptions) options(input string, stdin io.Reader) (embed.Options, embed.ClusterOptions, error) {
	opt := embed.Options{Input: input, Stdin: stdin}
	copt := embed.ClusterOptions{MaxClusters: o.maxClusters, NInit: o.nInit, Seed: o.solve.seed, Threads: o.solve.threads}
	err := o.solve.apply(&opt)
	if err != nil {
		return opt, copt, err
	}
	if opt.Sigma, err = o.graph.apply(&opt, o.sigma); err != nil {
		return opt, copt, err
	}
	if opt.Cutoff, err = parseCutoff(o.cutoff); err != nil {
		return opt, copt, err
	}
	if opt.Read, err = readOptions(o.format, o.columns); err != nil {
		return opt, copt, err
	}
	if strings.ToLower(o.clusters) != "auto" {
		n, err := strconv.Atoi(o.clusters)
		if err != nil || n == 0 { // 0 is how ClusterOptions says auto
			return opt, copt, usageErrorf("--clusters %q: want a number of at least 2, or auto", o.clusters)
		}
		copt.Clusters = n
	}
	if err := refuseDefault("--max-clusters", o.maxClusters, "need at least 2"); err != nil {
		return opt, copt, err
	}
	if err := refuseDefault("--n-init", o.nInit, "need at least 1"); err != nil {
		return opt, copt, err
	}
	if copt.Method, err = embed.ParseMethod(o.method); err != nil {
		return opt, copt, withFlagNames(err)
	}
	if err := copt.Validate(&opt); err != nil {
		return opt, copt, withFlagNames(err)
	}
	if _, err := outputFormat(o.output); err != nil {
		return opt, copt, err
	}
	if o.output == "-" && o.summary == "-" {
		return opt, copt, usageErrorf("-o - and --summary - both write to stdout: send one to a file")
	}
	return opt, copt, nil
}

func runCluster(cmd *cobra.Command, o *clusterOptions, opt embed.Options, copt embed.ClusterOptions) error {
	stderr := cmd.ErrOrStderr()
	prog := startRun(stderr, o.quiet, &o.solve, &opt)
	res, cl, err := embed.RunCluster(cmd.Context(), opt, copt)
	prog.finish()
	if err != nil {
		return err
	}
	if res.SigmaAuto && !o.quiet {
		fmt.Fprintf(stderr, "sigma auto: %.6g (%s)\n", res.Sigma, sigmaRuleHelp)
	}
	t := time.Now()
	if err := writeOutput(cmd, o.output, func(w io.Writer) error { return writeLabels(w, o, res, cl) }); err != nil {
		return fmt.Errorf("write %s: %w", o.output, err)
	}
	res.Seconds.Write = time.Since(t).Seconds()
	res.Seconds.Total += res.Seconds.Write
	sum := summaryOf(res)
	cl.Fill(&sum)
	sum.Outputs, sum.Version = []string{o.output}, versionString()
	if err := writeSummary(cmd, o.summary, sum); err != nil {
		return err // names the output
	}
	if !o.quiet {
		printHumanSummary(stderr, &sum)
		how := "given"
		if cl.Auto {
			how = "by the eigengap"
		}
		fmt.Fprintf(stderr, "%d clusters (%s, %s), sizes %v, inertia %.6g\n", cl.Clusters, how, cl.Method, cl.Sizes, cl.Inertia)
	}
	return nil
}

func writeLabels(w io.Writer, o *clusterOptions, res *embed.Result, cl *embed.Clustering) error {
	c := res.Cloud
	lab := make([]float64, len(cl.Labels))
	for i, l := range cl.Labels {
		lab[i] = float64(l)
	}
	names := []string{"label"}
	cols := [][]float64{lab}
	if o.vectors {
		names = append(names, phiNames(cl.Clusters, false)...)
		cols = append(cols, res.Vectors[:cl.Clusters]...)
	}
	if f, _ := outputFormat(o.output); f == "ply" {
		return cloudio.WritePLY(w, &cloudio.PLYOutput{Points: c.Points, Dim: c.Dim, Props: names, Values: cols, RGB: labelColors(cl.Labels)})
	}
	return cloudio.WriteCSV(w, coordTable(c, names, cols))
}

// clusterPalette is Tableau's 10 categorical colours (also matplotlib's tab10), cycled;
// points without a label (-1) are grey.
var clusterPalette = [][3]uint8{
	{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189},
	{140, 86, 75}, {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207},
}

func labelColors(labels []int) []uint8 {
	rgb := make([]uint8, 3*len(labels))
	for i, l := range labels {
		c := [3]uint8{200, 200, 200}
		if l >= 0 {
			c = clusterPalette[l%len(clusterPalette)]
		}
		copy(rgb[3*i:3*i+3], c[:])
	}
	return rgb
}
