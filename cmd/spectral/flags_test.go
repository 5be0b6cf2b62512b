package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/spectral-dev/spectral/pkg/embed"
)

// execute runs cmd with args and no real stdin, and returns its error.
func execute(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(""))
	cmd.SetOut(new(bytes.Buffer))
	cmd.SetErr(new(bytes.Buffer))
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	return cmd.Execute()
}

// flagCase is one row of a flag table: the arguments, and either the part of the usage
// error they must give (bad) or a check of what the runner was handed (ok).
type flagCase[T any] struct {
	args []string
	ok   func(T) bool
	bad  string // part of the usage error; "" = valid
}

// checkFlags runs each case through the command that newCmd builds around a runner
// recording what it is handed: valid flags reach the runner with what ok expects; bad ones
// are usage errors (exit 2) naming bad, and the runner never runs.
func checkFlags[T any](t *testing.T, newCmd func(ran func(T)) *cobra.Command, cases []flagCase[T]) {
	t.Helper()
	for _, c := range cases {
		var got T
		ran := false
		err := execute(newCmd(func(v T) { got, ran = v, true }), c.args...)
		switch {
		case c.bad == "" && (err != nil || !ran || !c.ok(got)):
			t.Errorf("%v: err %v, ran %v, handed %+v", c.args, err, ran, got)
		case c.bad != "" && (err == nil || ran || exitCodeOf(err) != exitBadInput || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%v: err %v (exit %d), ran %v; want a usage error naming %q", c.args, err, exitCodeOf(err), ran, c.bad)
		}
	}
}

// embedRun is what embed's runner is handed.
type embedRun struct {
	o   *embedOptions
	opt embed.Options
}

// TestEmbedFlags: embed's flags map to embed.Options, and bad values are usage errors
// (exit 2) before anything is read: the runner never sees them.
func TestEmbedFlags(t *testing.T) {
	checkFlags(t, func(ran func(embedRun)) *cobra.Command {
		return newEmbedCmd(func(_ *cobra.Command, o *embedOptions, opt embed.Options) error { ran(embedRun{o, opt}); return nil })
	}, []flagCase[embedRun]{
		{[]string{"--sigma", "0.05", "c.csv"}, func(r embedRun) bool {
			return r.opt.Sigma == 0.05 && r.opt.K == 7 && r.opt.Cutoff == embed.CutoffAuto && r.opt.Laplacian == embed.Normalized &&
				r.opt.Input == "c.csv" && r.o.output == "c.eigvecs.csv" && r.opt.Landmarks == 0
		}, ""},
		{[]string{"--sigma", "auto", "-k", "4", "--cutoff", "0", "--laplacian", "rw", "x.ply", "-o", "e.npy"}, func(r embedRun) bool {
			return r.opt.Sigma == 0 && r.opt.K == 4 && r.opt.Cutoff == 0 && r.opt.Laplacian == embed.RandomWalk && r.o.output == "e.npy"
		}, ""},
		{[]string{"--sigma", "0.01", "--cache-memory", "2GiB", "--landmarks", "5000", "--landmark-sampling", "uniform", "-"}, func(r embedRun) bool {
			return r.opt.CacheMemory == 2<<30 && r.opt.Landmarks == 5000 && r.opt.LandmarkSampling == embed.SampleUniform && r.o.output == "eigvecs.csv"
		}, ""},
		{[]string{"--sigma", "0.01", "--cache-memory", "0", "c.csv"}, func(r embedRun) bool { return r.opt.CacheMemory < 0 }, ""},
		{[]string{"c.csv"}, nil, "--sigma"},
		{[]string{"--sigma", "-1", "c.csv"}, nil, "--sigma"},
		{[]string{"--sigma", "0.1", "-k", "0", "c.csv"}, nil, "-k"},
		{[]string{"--sigma", "0.1", "--laplacian", "lap", "c.csv"}, nil, "--laplacian"},
		{[]string{"--sigma", "0.1", "--cutoff", "-2", "c.csv"}, nil, "--cutoff"},
		{[]string{"--sigma", "0.1", "-o", "e.txt", "c.csv"}, nil, "e.txt"},
		{[]string{"--sigma", "0.1", "--landmarks", "-1", "c.csv"}, nil, "--landmarks"},
		{[]string{"--sigma", "0.1", "--landmark-sampling", "grid", "c.csv"}, nil, "--landmark-sampling"},
		{[]string{"--sigma", "0.1", "--model", "-", "c.csv"}, nil, "--model"},
		{[]string{"--sigma", "0.1", "-o", "-", "--summary", "-", "c.csv"}, nil, "stdout"},
		{[]string{"--sigma", "0.1", "--cache-memory", "lots", "c.csv"}, nil, "--cache-memory"},
		{[]string{"--affinity", "knn", "--model", "m.model", "c.csv"}, nil, "--model"},
		{[]string{"--sigma", "0.1", "--plot", "p.gif", "c.csv"}, nil, "--plot"},
		{[]string{"--sigma", "0.1", "--plot", "p.svg", "c.csv"}, func(r embedRun) bool { return r.o.plot == "p.svg" }, ""},
		{[]string{"--sigma", "0.1", "--component", "largest", "--landmarks", "100", "c.csv"}, nil, "--landmarks"},
	})
}

// TestGenerateFlags: defaults per shape, and bad values refused before generating.
func TestGenerateFlags(t *testing.T) {
	n := func(want int) func(*generateOptions) bool {
		return func(o *generateOptions) bool { return o.n == want }
	}
	checkFlags(t, func(ran func(*generateOptions)) *cobra.Command {
		return newGenerateCmd(func(_ *cobra.Command, o *generateOptions) error { ran(o); return nil })
	}, []flagCase[*generateOptions]{
		{[]string{"spiral"}, n(10000), ""},
		{[]string{"swissroll"}, n(1000000), ""},
		{[]string{"swissroll", "-n", "500", "--seed", "3", "--noise", "0"}, n(500), ""},
		{[]string{"torus"}, nil, "torus"},
		{[]string{"spiral", "-n", "0"}, nil, "-n"},
		{[]string{"spiral", "--noise", "-1"}, nil, "--noise"},
		{[]string{"spiral", "--seed", "-1"}, nil, "--seed"},
		{[]string{"spiral", "-o", "x.txt"}, nil, "x.txt"},
	})
}

// TestFlagOfCoversOptions: every exported field of embed.Options and ClusterOptions has
// a flag in flagOf or is listed here as set by none, and every flag flagOf names exists:
// a new field must be given its flag before its errors can reach a user.
func TestFlagOfCoversOptions(t *testing.T) {
	noFlag := map[string]bool{ // set by the arguments, --format/--columns, or by no flag
		"Options.Input": true, "Options.Stdin": true, "Options.Read": true, "Options.MemoryLimit": true,
		"Options.Weights": true, "Options.Progress": true, "Options.Warn": true, "Options.NoSelfLoops": true,
	}
	flags := map[string]bool{}
	for _, c := range []*cobra.Command{newEmbedCmd(nil), newClusterCmd(nil)} {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			flags["--"+f.Name] = true
			if f.Shorthand != "" {
				flags["-"+f.Shorthand] = true
			}
		})
	}
	for _, v := range []any{embed.Options{}, embed.ClusterOptions{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			name := typ.Name() + "." + f.Name
			if !f.IsExported() || noFlag[name] {
				continue
			}
			if flag, ok := flagOf[name]; !ok || !flags[flag] {
				t.Errorf("%s: flag %q (mapped %v) is not a flag of embed or cluster", name, flag, ok)
			}
		}
	}
	if len(flagOf)+len(noFlag) < 30 {
		t.Errorf("flagOf has %d fields: the fields were not found", len(flagOf))
	}
}

// TestErrorsNameFlags: pkg/embed's errors name fields (embed.FieldError); the user sees
// flags, whether the error comes from the flags' validation or from the run, with the
// same exit status.
func TestErrorsNameFlags(t *testing.T) {
	_, in, out := shelfWithoutGPU(t) // 50 points
	for _, c := range []struct {
		args []string
		code exitCode
		want string
	}{
		{[]string{"embed", in, "--sigma", "-1"}, exitBadInput, "--sigma -1: must be a positive number or auto"},
		{[]string{"embed", in, "--sigma", "inf"}, exitBadInput, "--sigma +Inf: must be"},
		{[]string{"embed", in, "--sigma", "1", "--cutoff", "-3"}, exitBadInput, "--cutoff -3: must be >= 0"},
		{[]string{"embed", in, "--sigma", "1", "-k", "-2"}, exitBadInput, "-k -2: need at least one eigenpair"},
		{[]string{"embed", in, "--sigma", "1", "--ncv", "5"}, exitBadInput, "--ncv 5: must be larger than -k 7"},
		{[]string{"embed", in, "--sigma", "1", "--ncv", "8", "--drop-first"}, exitBadInput, "than -k 7 + 1 with --drop-first"},
		{[]string{"embed", in, "--sigma", "1", "--maxiter", "-1"}, exitBadInput, "--maxiter -1: must be >= 0"},
		{[]string{"embed", in, "--sigma", "1", "--threads", "-1"}, exitBadInput, "--threads -1"},
		{[]string{"embed", in, "--sigma", "1", "--landmark-sampling", "grid"}, exitBadInput, `--landmark-sampling "grid"`},
		{[]string{"embed", in, "--sigma", "1", "--affinity", "self-tuning"}, exitBadInput, "(--scale-neighbor); leave --sigma out"},
		{[]string{"embed", in, "--affinity", "knn", "--neighbors", "1"}, exitBadInput, "--neighbors 1: need at least 2"},
		{[]string{"embed", in, "--sigma", "1", "--component", "some"}, exitBadInput, `--component "some"`},
		{[]string{"embed", in, "--sigma", "1", "--laplacian", "lap"}, exitBadInput, `--laplacian "lap"`},
		// Found by the run, after the read:
		{[]string{"embed", in, "--sigma", "1", "-k", "50"}, exitBadInput, "need more than -k 50 (plus one with --drop-first)"},
		{[]string{"embed", in, "--sigma", "1e-300"}, exitBadInput, "--sigma 1e-300: too small"},
		{[]string{"embed", in, "--sigma", "1", "--device", "gpu"}, exitFailure, "--device gpu:"},
		{[]string{"cluster", in, "--clusters", "1"}, exitBadInput, "--clusters 1: one cluster needs no clustering"},
		{[]string{"cluster", in, "--n-init", "-2"}, exitBadInput, "--n-init -2: need at least 1"},
		{[]string{"cluster", in, "--max-clusters", "1"}, exitBadInput, "--max-clusters 1: need at least 2"},
		{[]string{"cluster", in, "--method", "kmeans"}, exitBadInput, `--method "kmeans"`},
		{[]string{"info", in, "--sigma", "1", "--cutoff", "-3"}, exitBadInput, "--cutoff -3"},
		{[]string{"info", in, "--sigma", "1", "--solver", "fast"}, exitBadInput, `--solver "fast"`},
	} {
		r := spectral(t, nil, append(c.args, "-o", out, "-q")...)
		if c.args[0] == "info" {
			r = spectral(t, nil, c.args...)
		}
		if exitCode(r.code) != c.code || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "Options.") {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args[1:], r.code, r.stderr, c.code, c.want)
		}
	}
}
