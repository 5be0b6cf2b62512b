package embed

import (
	"errors"
	"strings"
	"testing"
)

// TestFieldErrors: bad values are *FieldError naming the field as Go does, wrapping
// ErrBadInput, worded with the field names (never a command line's flags), and Text
// names the fields as a front end asks.
func TestFieldErrors(t *testing.T) {
	upper := func(f string) string { return strings.ToUpper(f) }
	for _, c := range []struct {
		opt         Options
		copt        *ClusterOptions
		field, text string // Error(), and Text(upper)
		upperText   string
	}{
		{opt: Options{Sigma: -1}, field: "Options.Sigma",
			text: "Options.Sigma -1: must be a positive number or auto", upperText: "OPTIONS.SIGMA -1: must be a positive number or auto"},
		{opt: Options{K: -2}, field: "Options.K", text: "Options.K -2: need at least one eigenpair"},
		{opt: Options{K: 5, NCV: 5}, field: "Options.NCV",
			text:      "Options.NCV 5: must be larger than Options.K 5 (the basis holds more vectors than the pairs it finds)",
			upperText: "OPTIONS.NCV 5: must be larger than OPTIONS.K 5 (the basis holds more vectors than the pairs it finds)"},
		{opt: Options{MaxIter: -1}, field: "Options.MaxIter", text: "Options.MaxIter -1: must be >= 0"},
		// A value that looks like a field reference stays as it is.
		{opt: Options{Laplacian: "{Options.K}"}, field: "Options.Laplacian",
			text: `Options.Laplacian "{Options.K}": want normalized, unnormalized or randomwalk`},
		{opt: Options{Landmarks: 10, Affinity: KNN}, field: "Options.Landmarks",
			text: "Options.Landmarks extends a Gaussian embedding of the whole cloud: not with Options.Affinity knn or Options.Component largest"},
		{opt: Options{Neighbors: 1}, field: "Options.Neighbors"},
		{opt: Options{Component: "some"}, field: "Options.Component"},
		{copt: &ClusterOptions{Clusters: 1}, field: "ClusterOptions.Clusters",
			text: "ClusterOptions.Clusters 1: one cluster needs no clustering; give 2 or more, or auto"},
		{copt: &ClusterOptions{MaxClusters: 1}, field: "ClusterOptions.MaxClusters"},
		{copt: &ClusterOptions{NInit: -1}, field: "ClusterOptions.NInit"},
		{copt: &ClusterOptions{Method: "kmeans"}, field: "ClusterOptions.Method"},
	} {
		opt := c.opt
		var err error
		if c.copt != nil {
			err = c.copt.Validate(&opt)
		} else {
			err = opt.Validate()
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, ErrBadInput) {
			t.Errorf("%+v %+v: error %v, want a FieldError of %s wrapping ErrBadInput", c.opt, c.copt, err, c.field)
			continue
		}
		if c.text != "" && err.Error() != c.text {
			t.Errorf("%s: %q, want %q", c.field, err.Error(), c.text)
		}
		if c.upperText != "" && fe.Text(upper) != c.upperText {
			t.Errorf("%s: Text %q, want %q", c.field, fe.Text(upper), c.upperText)
		}
		if strings.Contains(err.Error(), "--") {
			t.Errorf("%s: %q words a command line", c.field, err.Error())
		}
	}
}

// TestNameFields: the fields a warning names are reworded, whole names only.
func TestNameFields(t *testing.T) {
	name := func(f string) string {
		return map[string]string{"Options.Sigma": "--sigma", "ClusterOptions.NInit": "--n-init"}[f]
	}
	got := NameFields("a larger Options.Sigma, or ClusterOptions.NInit; MyOptions.Sigma stays", name)
	if want := "a larger --sigma, or --n-init; MyOptions.Sigma stays"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
