package embed

// Summary is the machine-readable account of a run (the JSON of `spectral embed
// --summary`); field names are part of the CLI contract (docs/CLI.md). What a Result
// holds as it is reported (Params, Solution, GraphInfo) is declared once, in those
// structs, and embedded in both; the rest is derived from the Result by Summary or filled
// by the caller.
type Summary struct {
	Input   string   `json:"input"`
	Format  string   `json:"format"`
	N       int      `json:"n"`
	Dim     int      `json:"dim"`
	Columns []string `json:"columns"`
	Params
	DropFirst bool `json:"drop_first"`
	Solution
	PairsEvaluatedPerMatVec int64 `json:"pairs_evaluated_per_matvec"`
	PairsWithinCutoff       int64 `json:"pairs_within_cutoff"`
	KernelCached            bool  `json:"kernel_cached"`
	KernelCacheBytes        int64 `json:"kernel_cache_bytes"`
	// KernelCacheFraction is the share of the pairs within the cutoff the cache held: 1
	// cached, 0 on the fly, between for a partial cache (the rest on the fly).
	KernelCacheFraction float64  `json:"kernel_cache_fraction"`
	Seconds             Seconds  `json:"seconds"`
	PeakRSSBytes        int64    `json:"peak_rss_bytes"`
	Landmarks           int      `json:"landmarks,omitempty"`         // landmark runs: how many were embedded exactly
	LandmarkSampling    string   `json:"landmark_sampling,omitempty"` // cells or uniform
	Approximation       bool     `json:"approximation,omitempty"`     // true for landmark runs
	Unreached           int      `json:"unreached,omitempty"`         // points no landmark reaches (NaN rows)
	Warnings            []string `json:"warnings"`
	Outputs             []string `json:"outputs"`
	Version             string   `json:"version"`

	// The graph (pkg/embed/graph.go) and clustering (spectral cluster).
	GraphInfo
	EmbeddedPoints int     `json:"embedded_points"`
	Clusters       int     `json:"clusters,omitempty"`
	ClustersAuto   bool    `json:"clusters_auto,omitempty"`
	ClusterSizes   []int   `json:"cluster_sizes,omitempty"`
	Inertia        float64 `json:"inertia,omitempty"`
	Method         Method  `json:"method,omitempty"`
}

// Params are the problem a run solved, as it solved it.
type Params struct {
	Sigma     float64   `json:"sigma"`      // used, input units
	SigmaAuto bool      `json:"sigma_auto"` // chosen from the spacing
	Cutoff    float64   `json:"cutoff"`     // used, units of sigma (0 = every pair)
	Laplacian Laplacian `json:"laplacian"`
	K         int       `json:"k"`
}

// Solution is what the eigensolver found and what it cost.
type Solution struct {
	Eigenvalues []float64 `json:"eigenvalues"` // ascending, of the chosen Laplacian
	Residuals   []float64 `json:"residuals"`
	Converged   int       `json:"converged"`
	MatVecs     int       `json:"matvecs"`
	Solver      Solver    `json:"solver"` // the solver that produced the result
	// Passes counts passes over the kernel: block products count once (Lanczos: MatVecs);
	// multilevel: the fine level's block products, the product that checks the trivial
	// pair, and the pass that builds the coarse level.
	Passes   int     `json:"passes"`
	Block    int     `json:"block"`  // LOBPCG block size (0 for Lanczos)
	Levels   []Level `json:"levels"` // multilevel: each level, finest first
	Restarts int     `json:"restarts"`
	Device   string  `json:"device"` // "cpu" or the GPU's name
	Threads  int     `json:"threads"`
}

// GraphInfo is the graph a run embedded (pkg/embed/graph.go).
type GraphInfo struct {
	Affinity      Affinity `json:"affinity"`
	Neighbors     int      `json:"neighbors,omitempty"`      // knn: k (the point included); self-tuning: unused
	ScaleNeighbor int      `json:"scale_neighbor,omitempty"` // self-tuning: the neighbour rank of sigma_i
	Components    []int    `json:"components"`               // sizes of the graph's connected components, largest first
	Component     string   `json:"component"`                // "all", "largest" or "attach"
}

// Seconds spent per stage.
type Seconds struct {
	Read   float64 `json:"read"`
	Sigma  float64 `json:"sigma"`
	Grid   float64 `json:"grid"`
	Graph  float64 `json:"graph"` // sparse affinity and connected components
	Kernel float64 `json:"kernel"`
	Solve  float64 `json:"solve"`
	Extend float64 `json:"extend"` // Nyström extension (landmark runs)
	Write  float64 `json:"write"`
	Total  float64 `json:"total"`
}

// Summary describes the result; the caller fills Outputs, Seconds.Write and Version.
func (r *Result) Summary() Summary {
	s := Summary{
		Input: r.Cloud.Source, Format: r.Cloud.Format, N: r.Cloud.N(), Dim: r.Cloud.Dim, Columns: r.Cloud.Names,
		Params: r.Params, Solution: r.Solution, GraphInfo: r.GraphInfo,
		PairsEvaluatedPerMatVec: r.Kernel.PairsEvaluated, PairsWithinCutoff: r.Kernel.PairsWithinCutoff,
		KernelCached: r.Kernel.Cached, KernelCacheBytes: r.Kernel.CacheBytes, KernelCacheFraction: r.Kernel.CacheFraction,
		Seconds: r.Seconds, PeakRSSBytes: PeakRSS(), Warnings: r.Warnings, EmbeddedPoints: r.Embedded,
	}
	if l := r.Landmarks; l != nil {
		s.Landmarks, s.LandmarkSampling, s.Approximation, s.Unreached = l.Cloud.N(), r.LandmarkSampling, true, l.Unreached
	}
	// JSON arrays, never null.
	if s.Levels == nil {
		s.Levels = []Level{}
	}
	if s.Eigenvalues == nil { // cluster: the components were the clusters, no solve
		s.Eigenvalues, s.Residuals = []float64{}, []float64{}
	}
	if s.Warnings == nil {
		s.Warnings = []string{}
	}
	return s
}
