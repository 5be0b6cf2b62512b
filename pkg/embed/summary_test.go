package embed

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
	"github.com/spectral-dev/spectral/pkg/kernel"
)

// TestSummaryCoversResult: every field of Result is in the summary's JSON (as it is,
// through the structs both embed, or derived under its own keys) or listed as left out,
// so a field added to Result without a decision fails here; the shared fields reach the
// JSON with their values.
func TestSummaryCoversResult(t *testing.T) {
	derived := map[string][]string{ // Result field -> the keys the summary derives from it
		"Cloud":            {"input", "format", "n", "dim", "columns"},
		"Kernel":           {"pairs_evaluated_per_matvec", "pairs_within_cutoff", "kernel_cached", "kernel_cache_bytes", "kernel_cache_fraction"},
		"Seconds":          {"seconds"},
		"Warnings":         {"warnings"},
		"Landmarks":        {"landmarks", "approximation", "unreached"},
		"LandmarkSampling": {"landmark_sampling"},
		"Embedded":         {"embedded_points"},
	}
	leftOut := map[string]bool{"Spacing": true, "Vectors": true, "Degrees": true, "Rows": true} // per-point data
	rng := rand.New(rand.NewSource(1))
	r := &Result{
		Cloud:   &cloudio.Cloud{Points: []float64{1, 2, 3, 4}, Dim: 2, Names: []string{"x", "y"}, Source: "a.csv", Format: "csv"},
		Kernel:  kernel.Stats{PairsEvaluated: 10, PairsWithinCutoff: 5, Cached: true, CacheBytes: 7},
		Seconds: Seconds{Total: 1}, Warnings: []string{"w"}, LandmarkSampling: SampleCells, Embedded: 2,
		Landmarks: &Landmarks{Cloud: &cloudio.Cloud{Points: []float64{1, 2}, Dim: 2}, Unreached: 1},
	}
	shared := map[string]reflect.Value{}
	for _, name := range []string{"Params", "Solution", "GraphInfo"} {
		f := reflect.ValueOf(r).Elem().FieldByName(name)
		v, ok := quick.Value(f.Type(), rng)
		if !ok {
			t.Fatalf("cannot fill %s", name)
		}
		f.Set(v)
		shared[name] = v
	}
	b, err := json.Marshal(r.Summary())
	if err != nil {
		t.Fatal(err)
	}
	var js map[string]json.RawMessage
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(Result{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch v, ok := shared[f.Name]; {
		case !f.IsExported() || leftOut[f.Name]:
		case ok:
			for j := range v.NumField() {
				key, _, _ := strings.Cut(v.Type().Field(j).Tag.Get("json"), ",")
				want, _ := json.Marshal(v.Field(j).Interface())
				if string(js[key]) != string(want) {
					t.Errorf("%s.%s: JSON %q is %s, want %s", f.Name, v.Type().Field(j).Name, key, js[key], want)
				}
			}
		case derived[f.Name] != nil:
			for _, key := range derived[f.Name] {
				if v, ok := js[key]; !ok || string(v) == "null" {
					t.Errorf("Result.%s: the summary has no %q", f.Name, key)
				}
			}
		default:
			t.Errorf("Result.%s is neither in the summary nor listed as left out", f.Name)
		}
	}
}
