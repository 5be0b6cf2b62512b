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
	output, summary, device, cacheMemory             string
	maxClusters, nInit, ncv, maxiter, threads        int
	tol                                              float64
	seed                                             uint64
	vectors, quiet                                   bool
	graph                                            graphFlags
}

func newClusterCmd() *cobra.Command {
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
and one colour per cluster). The JSON summary adds clusters, cluster_sizes,
clusters_auto, inertia and method.
` + exitStatusHelp,
		Example: `  spectral cluster spiral.txt --columns 1,2 --clusters 3      # -> labels.csv
  spectral cluster scan.ply --clusters auto -o labels.ply        # colours per cluster
  spectral cluster moons.csv --affinity gaussian --sigma 0.1 --clusters 2 --summary -`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt, copt, err := o.options(args[0], cmd.InOrStdin())
			if err != nil {
				return err
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
	f.StringVarP(&o.output, "output", "o", "labels.csv", "labels: .csv, .ply (label property + a colour per cluster), or - for CSV on stdout")
	f.BoolVar(&o.vectors, "vectors", false, "also write the eigenvectors used (phi1..phiN) to the CSV or PLY")
	f.StringVar(&o.summary, "summary", "", "write the JSON summary to this file (- = stdout)")
	f.StringVar(&o.device, "device", "auto", "auto, cpu or gpu (gaussian affinity)")
	f.StringVar(&o.cacheMemory, "cache-memory", "auto", "memory for cached kernel values (gaussian); auto = half the available memory; 0 = never cache")
	f.Float64Var(&o.tol, "tol", 0, "eigensolver tolerance (0 = machine precision)")
	f.IntVar(&o.ncv, "ncv", 0, "Lanczos basis size (0 = default)")
	f.IntVar(&o.maxiter, "maxiter", 0, "maximum Lanczos restarts (0 = default)")
	f.Uint64Var(&o.seed, "seed", 0, "seed of the start vector and of k-means")
	f.IntVar(&o.threads, "threads", 0, "CPU threads (0 = all cores)")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "no progress and no human summary")
	o.graph.add(f)
	f.Lookup("affinity").DefValue = clusterDefaultAffinity
	o.graph.affinity = clusterDefaultAffinity
	f.Lookup("component").DefValue = embed.ComponentAttach
	f.Lookup("component").Usage = "attach (components under 1% of the points take the label of their nearest embedded point), all, or largest (the others labelled -1)"
	o.graph.component = embed.ComponentAttach
	return cmd
}

func (o *clusterOptions) options(input string, stdin io.Reader) (embed.Options, embed.ClusterOptions, error) {
	opt := embed.Options{Input: input, Stdin: stdin, Device: o.device, Threads: o.threads,
		Tol: o.tol, NCV: o.ncv, MaxIter: o.maxiter, Seed: o.seed}
	copt := embed.ClusterOptions{MaxClusters: o.maxClusters, NInit: o.nInit, Seed: o.seed, Threads: o.threads}
	var err error
	if opt.Sigma, err = o.graph.apply(&opt, o.sigma); err != nil {
		return opt, copt, err
	}
	if opt.Cutoff, err = parseCutoff(o.cutoff); err != nil {
		return opt, copt, err
	}
	if opt.Read, err = readOptions(o.format, o.columns); err != nil {
		return opt, copt, err
	}
	if opt.CacheMemory, err = parseBytes(o.cacheMemory); err != nil {
		return opt, copt, usageErrorf("--cache-memory %q: %v", o.cacheMemory, err)
	}
	if strings.ToLower(o.clusters) != "auto" {
		n, err := strconv.Atoi(o.clusters)
		if err != nil || n < 2 {
			return opt, copt, usageErrorf("--clusters %q: want a number of at least 2, or auto", o.clusters)
		}
		copt.Clusters = n
	}
	if o.maxClusters < 2 {
		return opt, copt, usageErrorf("--max-clusters %d: need at least 2", o.maxClusters)
	}
	if o.nInit < 1 {
		return opt, copt, usageErrorf("--n-init %d: need at least 1", o.nInit)
	}
	m, err := embed.ParseMethod(o.method)
	if err != nil {
		return opt, copt, usageErrorf("%v", err)
	}
	copt.Method = m
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
	var prog *progress
	if !o.quiet {
		prog = newProgress(stderr, o.tol)
		opt.Progress = prog.update
	}
	// Warnings go to stderr as soon as they are known, as embed's do; those added after
	// the run (the clustering's own) when it returns. The summary says "printed above".
	printed := map[string]bool{}
	opt.Warn = func(msg string) {
		prog.clearLine()
		fmt.Fprintf(stderr, "warning: %s\n", msg)
		printed[msg] = true
	}
	res, cl, err := embed.RunCluster(cmd.Context(), opt, copt)
	prog.finish()
	if res != nil {
		for _, w := range res.Warnings {
			if !printed[w] {
				opt.Warn(w)
			}
		}
	}
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
	sum := res.Summary()
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
	t := &cloudio.Table{Names: append(append([]string{}, c.Names...), names...)}
	for d := 0; d < c.Dim; d++ {
		col := make([]float64, c.N())
		for i := range col {
			col[i] = c.Points[i*c.Dim+d]
		}
		t.Columns = append(t.Columns, col)
	}
	t.Columns = append(t.Columns, cols...)
	return cloudio.WriteCSV(w, t)
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
