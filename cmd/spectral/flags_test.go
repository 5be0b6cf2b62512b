package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"

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

// TestEmbedFlags: embed's flags map to embed.Options, and bad values are usage errors
// (exit 2) before anything is read: the runner never sees them.
func TestEmbedFlags(t *testing.T) {
	cases := []struct {
		args  []string
		check func(o *embedOptions, opt embed.Options) bool
		bad   string // part of the usage error; "" = valid
	}{
		{[]string{"--sigma", "0.05", "c.csv"}, func(o *embedOptions, opt embed.Options) bool {
			return opt.Sigma == 0.05 && opt.K == 7 && opt.Cutoff == embed.CutoffAuto && opt.Laplacian == embed.Normalized &&
				opt.Input == "c.csv" && o.output == "c.eigvecs.csv" && opt.Landmarks == 0
		}, ""},
		{[]string{"--sigma", "auto", "-k", "4", "--cutoff", "0", "--laplacian", "rw", "x.ply", "-o", "e.npy"}, func(o *embedOptions, opt embed.Options) bool {
			return opt.Sigma == 0 && opt.K == 4 && opt.Cutoff == 0 && opt.Laplacian == embed.RandomWalk && o.output == "e.npy"
		}, ""},
		{[]string{"--sigma", "0.01", "--cache-memory", "2GiB", "--landmarks", "5000", "--landmark-sampling", "uniform", "-"}, func(o *embedOptions, opt embed.Options) bool {
			return opt.CacheMemory == 2<<30 && opt.Landmarks == 5000 && opt.LandmarkSampling == embed.SampleUniform && o.output == "eigvecs.csv"
		}, ""},
		{[]string{"--sigma", "0.01", "--cache-memory", "0", "c.csv"}, func(o *embedOptions, opt embed.Options) bool { return opt.CacheMemory < 0 }, ""},
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
		{[]string{"--sigma", "0.1", "--plot", "p.svg", "c.csv"}, func(o *embedOptions, opt embed.Options) bool { return o.plot == "p.svg" }, ""},
		{[]string{"--sigma", "0.1", "--component", "largest", "--landmarks", "100", "c.csv"}, nil, "--landmarks"},
	}
	for _, c := range cases {
		ran := false
		var got embed.Options
		var gotO *embedOptions
		cmd := newEmbedCmd(func(_ *cobra.Command, o *embedOptions, opt embed.Options) error {
			ran, got, gotO = true, opt, o
			return nil
		})
		err := execute(cmd, c.args...)
		switch {
		case c.bad == "" && (err != nil || !ran || !c.check(gotO, got)):
			t.Errorf("%v: err %v, ran %v, options %+v", c.args, err, ran, got)
		case c.bad != "" && (err == nil || ran || exitCodeOf(err) != exitBadInput || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%v: err %v (exit %d), ran %v; want a usage error naming %q", c.args, err, exitCodeOf(err), ran, c.bad)
		}
	}
}

// TestGenerateFlags: defaults per shape, and bad values refused before generating.
func TestGenerateFlags(t *testing.T) {
	cases := []struct {
		args []string
		n    int
		bad  string
	}{
		{[]string{"spiral"}, 10000, ""},
		{[]string{"swissroll"}, 1000000, ""},
		{[]string{"swissroll", "-n", "500", "--seed", "3", "--noise", "0"}, 500, ""},
		{[]string{"torus"}, 0, "torus"},
		{[]string{"spiral", "-n", "0"}, 0, "-n"},
		{[]string{"spiral", "--noise", "-1"}, 0, "--noise"},
		{[]string{"spiral", "--seed", "-1"}, 0, "--seed"},
		{[]string{"spiral", "-o", "x.txt"}, 0, "x.txt"},
	}
	for _, c := range cases {
		var got *generateOptions
		err := execute(newGenerateCmd(func(_ *cobra.Command, o *generateOptions) error { got = o; return nil }), c.args...)
		switch {
		case c.bad == "" && (err != nil || got == nil || got.n != c.n):
			t.Errorf("%v: err %v, options %+v", c.args, err, got)
		case c.bad != "" && (err == nil || got != nil || exitCodeOf(err) != exitBadInput || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%v: err %v, ran %v; want a usage error naming %q", c.args, err, got != nil, c.bad)
		}
	}
}
