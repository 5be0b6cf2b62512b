package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/pkg/cluster"
	"github.com/spectral-dev/spectral/pkg/embed"
)

// threeBlobs writes blobs of different densities (x,y) and returns their labels.
func threeBlobs(t *testing.T, path string) []int {
	rng := rand.New(rand.NewPCG(11, 12))
	var sb strings.Builder
	sb.WriteString("x,y\n")
	var truth []int
	centres := [][2]float64{{0, 0}, {8, 0}, {4, 7}}
	spread := []float64{1, 0.4, 0.2}
	for i := range 360 {
		b := i % 3 // interleaved in input order
		fmt.Fprintf(&sb, "%.6f,%.6f\n", centres[b][0]+spread[b]*rng.NormFloat64(), centres[b][1]+spread[b]*rng.NormFloat64())
		truth = append(truth, b)
	}
	writeFile(t, path, []byte(sb.String()))
	return truth
}

type clusterJSON struct {
	Affinity     string   `json:"affinity"`
	Clusters     int      `json:"clusters"`
	ClustersAuto bool     `json:"clusters_auto"`
	ClusterSizes []int    `json:"cluster_sizes"`
	Components   []int    `json:"components"`
	Method       string   `json:"method"`
	Warnings     []string `json:"warnings"`
}

func TestClusterCSVAndPLY(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "blobs.csv")
	truth := threeBlobs(t, in)
	out, sum := filepath.Join(dir, "labels.csv"), filepath.Join(dir, "s.json")
	mustRun(t, nil, "cluster", in, "--clusters", "3", "-o", out, "--summary", sum, "-q")
	tab := readCSV(t, out)
	if strings.Join(tab.names, ",") != "x,y,label" || len(tab.rows) != 360 {
		t.Fatalf("columns %v, %d rows", tab.names, len(tab.rows))
	}
	src := readCSV(t, in)
	labels := make([]int, len(tab.rows))
	for i, r := range tab.rows {
		if r[0] != src.rows[i][0] || r[1] != src.rows[i][1] {
			t.Fatalf("row %d is not input row %d", i, i)
		}
		labels[i] = int(r[2])
	}
	if ari, _ := cluster.ARI(labels, truth); ari != 1 {
		t.Errorf("ARI %v", ari)
	}
	var s clusterJSON
	b, _ := os.ReadFile(sum)
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Affinity != "knn" || s.Clusters != 3 || s.ClustersAuto || s.Method != "njw" || fmt.Sprint(s.ClusterSizes) != "[120 120 120]" {
		t.Errorf("summary %+v", s)
	}

	// auto finds 3 and says so; PLY has the label property and colours.
	ply := filepath.Join(dir, "labels.ply")
	mustRun(t, nil, "cluster", in, "-o", ply, "--summary", sum, "-q")
	b, _ = os.ReadFile(sum)
	s = clusterJSON{}
	_ = json.Unmarshal(b, &s)
	if !s.ClustersAuto || s.Clusters != 3 || !strings.Contains(strings.Join(s.Warnings, " "), "--clusters auto: 3 clusters") {
		t.Errorf("auto: %+v", s)
	}
	p, _ := os.ReadFile(ply)
	head := string(p[:min(len(p), 400)])
	for _, want := range []string{"element vertex 360", "property float label", "property uchar red"} {
		if !strings.Contains(head, want) {
			t.Errorf("PLY header lacks %q:\n%s", want, head)
		}
	}
}

// TestClusterDefaultOutput: without -o the labels go next to the input, named after it.
func TestClusterDefaultOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "blobs.csv")
	threeBlobs(t, in)
	mustRun(t, nil, "cluster", in, "--clusters", "3", "-q")
	if got := dirNames(t, dir); !slices.Equal(got, []string{"blobs.csv", "blobs.labels.csv"}) {
		t.Fatalf("wrote %v, want blobs.labels.csv beside blobs.csv", got)
	}
	if tab := readCSV(t, filepath.Join(dir, "blobs.labels.csv")); strings.Join(tab.names, ",") != "x,y,label" || len(tab.rows) != 360 {
		t.Errorf("blobs.labels.csv: columns %v, %d rows", tab.names, len(tab.rows))
	}
}

func TestClusterBadUsage(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "blobs.csv")
	threeBlobs(t, in)
	for _, args := range [][]string{
		{"--clusters", "1"},
		{"--clusters", "many"},
		{"--method", "spectral"},
		{"--affinity", "self-tuning", "--sigma", "1"},
		{"--affinity", "cosine"},
		{"--neighbors", "1"},
		{"--component", "some"},
	} {
		r := spectral(t, nil, append([]string{"cluster", in, "-o", filepath.Join(dir, "o.csv"), "-q"}, args...)...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
}

// embed --component largest: NaN rows for the other component, input order kept.
func TestEmbedComponentLargest(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("x,y\n")
	for i := range 150 {
		if i%3 == 2 { // every third row belongs to a blob far away
			fmt.Fprintf(&sb, "%g,%g\n", 100+float64(i%10)*0.1, float64(i/10)*0.1)
		} else {
			fmt.Fprintf(&sb, "%g,%g\n", float64(i%10)*0.1, float64(i/10)*0.1)
		}
	}
	in, out, sum := filepath.Join(dir, "two.csv"), filepath.Join(dir, "e.csv"), filepath.Join(dir, "s.json")
	writeFile(t, in, []byte(sb.String()))
	r := mustRun(t, nil, "embed", in, "--sigma", "0.2", "-k", "3", "--component", "largest", "-o", out, "--summary", sum, "--plot", filepath.Join(dir, "p.png"))
	if !strings.Contains(r.stderr, "2 connected components, of sizes 100, 50") {
		t.Errorf("stderr: %s", r.stderr)
	}
	tab := readCSV(t, out)
	for i, row := range tab.rows {
		if nan := math.IsNaN(row[3]); nan != (i%3 == 2) {
			t.Fatalf("row %d: phi2 %v", i, row[3])
		}
	}
	var s struct {
		Components     []int `json:"components"`
		EmbeddedPoints int   `json:"embedded_points"`
	}
	b, _ := os.ReadFile(sum)
	_ = json.Unmarshal(b, &s)
	if fmt.Sprint(s.Components) != "[100 50]" || s.EmbeddedPoints != 100 {
		t.Errorf("summary %+v", s)
	}
}

// clusterRun is what cluster's runner is handed.
type clusterRun struct {
	o    *clusterOptions
	opt  embed.Options
	copt embed.ClusterOptions
}

// TestClusterFlags: cluster's defaults (knn graph, attach, auto clusters, njw) and bad
// values refused before anything is read.
func TestClusterFlags(t *testing.T) {
	checkFlags(t, func(ran func(clusterRun)) *cobra.Command {
		return newClusterCmd(func(_ *cobra.Command, o *clusterOptions, opt embed.Options, copt embed.ClusterOptions) error {
			ran(clusterRun{o, opt, copt})
			return nil
		})
	}, []flagCase[clusterRun]{
		{[]string{"c.csv"}, func(r clusterRun) bool {
			return r.opt.Affinity == embed.KNN && r.opt.Component == embed.ComponentAttach && r.opt.Sigma == 0 &&
				r.opt.Neighbors == embed.DefaultNeighbors && r.copt.Clusters == 0 && r.copt.Method == embed.NJW &&
				r.copt.MaxClusters == embed.DefaultMaxClusters && r.copt.NInit == 10 && r.opt.Input == "c.csv" &&
				r.o.output == "c.labels.csv"
		}, ""},
		{[]string{"-"}, func(r clusterRun) bool { return r.o.output == "labels.csv" }, ""},
		{[]string{"dir/scan.ply", "-o", "l.ply"}, func(r clusterRun) bool { return r.o.output == "l.ply" }, ""},
		{[]string{"--affinity", "gaussian", "--sigma", "0.1", "--cutoff", "4", "--clusters", "3", "--method", "shi-malik", "--seed", "5", "c.csv"}, func(r clusterRun) bool {
			return r.opt.Affinity == embed.Gaussian && r.opt.Sigma == 0.1 && r.opt.Cutoff == 4 && r.copt.Clusters == 3 &&
				r.copt.Method == embed.ShiMalik && r.copt.Seed == 5 && r.opt.Seed == 5
		}, ""},
		{[]string{"--clusters", "1", "c.csv"}, nil, "--clusters"},
		{[]string{"--clusters", "many", "c.csv"}, nil, "--clusters"},
		{[]string{"--max-clusters", "1", "c.csv"}, nil, "--max-clusters"},
		{[]string{"--n-init", "0", "c.csv"}, nil, "--n-init"},
		{[]string{"--method", "spectral", "c.csv"}, nil, "--method"},
		{[]string{"--affinity", "cosine", "c.csv"}, nil, "--affinity"},
		{[]string{"--affinity", "gaussian", "c.csv"}, nil, "--sigma"},
		{[]string{"--component", "some", "c.csv"}, nil, "--component"},
		{[]string{"--cache-memory", "lots", "c.csv"}, nil, "--cache-memory"},
		{[]string{"-o", "l.txt", "c.csv"}, nil, "l.txt"},
		{[]string{"-o", "-", "--summary", "-", "c.csv"}, nil, "stdout"},
	})
}
