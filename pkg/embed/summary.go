package embed

// Summary is the machine-readable account of a run (the JSON of `spectral embed
// --summary`); field names are part of the CLI contract (docs/CLI.md).
type Summary struct {
	Input                   string    `json:"input"`
	Format                  string    `json:"format"`
	N                       int       `json:"n"`
	Dim                     int       `json:"dim"`
	Columns                 []string  `json:"columns"`
	Sigma                   float64   `json:"sigma"`
	SigmaAuto               bool      `json:"sigma_auto"`
	Cutoff                  float64   `json:"cutoff"`
	Laplacian               Laplacian `json:"laplacian"`
	K                       int       `json:"k"`
	DropFirst               bool      `json:"drop_first"`
	Eigenvalues             []float64 `json:"eigenvalues"`
	Residuals               []float64 `json:"residuals"`
	Converged               int       `json:"converged"`
	MatVecs                 int       `json:"matvecs"`
	Solver                  Solver    `json:"solver"`
	Passes                  int       `json:"passes"`
	Block                   int       `json:"block"`
	Levels                  []Level   `json:"levels"`
	Restarts                int       `json:"restarts"`
	Device                  string    `json:"device"`
	Threads                 int       `json:"threads"`
	PairsEvaluatedPerMatVec int64     `json:"pairs_evaluated_per_matvec"`
	PairsWithinCutoff       int64     `json:"pairs_within_cutoff"`
	KernelCached            bool      `json:"kernel_cached"`
	KernelCacheBytes        int64     `json:"kernel_cache_bytes"`
	Seconds                 Seconds   `json:"seconds"`
	PeakRSSBytes            int64     `json:"peak_rss_bytes"`
	Landmarks               int       `json:"landmarks,omitempty"`         // landmark runs: how many were embedded exactly
	LandmarkSampling        string    `json:"landmark_sampling,omitempty"` // cells or uniform
	Approximation           bool      `json:"approximation,omitempty"`     // true for landmark runs
	Unreached               int       `json:"unreached,omitempty"`         // points no landmark reaches (NaN rows)
	Warnings                []string  `json:"warnings"`
	Outputs                 []string  `json:"outputs"`
	Version                 string    `json:"version"`

	// The graph (pkg/embed/graph.go) and clustering (spectral cluster).
	Affinity       Affinity `json:"affinity"`
	Neighbors      int      `json:"neighbors,omitempty"`
	ScaleNeighbor  int      `json:"scale_neighbor,omitempty"`
	Components     []int    `json:"components"`
	Component      string   `json:"component"`
	EmbeddedPoints int      `json:"embedded_points"`
	Clusters       int      `json:"clusters,omitempty"`
	ClustersAuto   bool     `json:"clusters_auto,omitempty"`
	ClusterSizes   []int    `json:"cluster_sizes,omitempty"`
	Inertia        float64  `json:"inertia,omitempty"`
	Method         Method   `json:"method,omitempty"`
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
		Sigma: r.Sigma, SigmaAuto: r.SigmaAuto, Cutoff: r.Cutoff, Laplacian: r.Laplacian,
		K: r.K, Eigenvalues: r.Eigenvalues, Residuals: r.Residuals, Converged: r.Converged,
		MatVecs: r.MatVecs, Solver: r.Solver, Passes: r.Passes, Block: r.Block, Levels: r.Levels, Restarts: r.Restarts, Device: r.Device, Threads: r.Threads,
		PairsEvaluatedPerMatVec: r.Kernel.PairsEvaluated, PairsWithinCutoff: r.Kernel.PairsWithinCutoff,
		KernelCached: r.Kernel.Cached, KernelCacheBytes: r.Kernel.CacheBytes,
		Seconds: r.Seconds, PeakRSSBytes: PeakRSS(), Warnings: r.Warnings,
	}
	if l := r.Landmarks; l != nil {
		s.Landmarks, s.LandmarkSampling, s.Approximation, s.Unreached = l.Cloud.N(), r.LandmarkSampling, true, l.Unreached
	}
	if s.Levels == nil {
		s.Levels = []Level{}
	}
	s.Affinity, s.Neighbors, s.ScaleNeighbor = r.Affinity, r.Neighbors, r.ScaleNeighbor
	s.Components, s.Component, s.EmbeddedPoints = r.Components, r.Component, r.Embedded
	if s.Eigenvalues == nil { // cluster: the components were the clusters, no solve
		s.Eigenvalues, s.Residuals = []float64{}, []float64{}
	}
	if s.Warnings == nil {
		s.Warnings = []string{}
	}
	return s
}
