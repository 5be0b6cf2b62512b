package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/spectral-dev/spectral/internal/testref"
	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// TestExtendReproducesEmbed: `embed --model` then `extend` on the same points gives the
// embedding's vectors back (1e-10 relative), for each Laplacian; the summary counts.
func TestExtendReproducesEmbed(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "spiral.csv")
	mustRun(t, nil, "generate", "spiral", "-n", "1500", "-o", in)
	for _, lap := range []string{"normalized", "randomwalk", "unnormalized"} {
		model := filepath.Join(dir, lap+".model")
		eig := filepath.Join(dir, lap+".csv")
		ext := filepath.Join(dir, lap+".ext.csv")
		sum := filepath.Join(dir, lap+".json")
		mustRun(t, nil, "embed", "--sigma", "0.03", "--laplacian", lap, "-k", "4", in, "-o", eig, "--model", model, "-q")
		mustRun(t, nil, "extend", model, in, "-o", ext, "--summary", sum, "-q")
		a, b := readCSV(t, eig), readCSV(t, ext)
		if strings.Join(a.names, ",") != strings.Join(b.names, ",") || len(a.rows) != len(b.rows) {
			t.Fatalf("%s: columns %v vs %v, rows %d vs %d", lap, a.names, b.names, len(a.rows), len(b.rows))
		}
		for _, name := range a.names[2:] {
			x, y := a.col(t, name), b.col(t, name)
			big, diff := 0.0, 0.0
			for i := range x {
				big = math.Max(big, math.Abs(x[i]))
				diff = math.Max(diff, math.Abs(x[i]-y[i]))
			}
			if diff > 1e-10*big {
				t.Errorf("%s %s: extension differs by %.3g (max %.3g)", lap, name, diff, big)
			}
		}
		var s extendSummary
		b2, _ := os.ReadFile(sum)
		if err := json.Unmarshal(b2, &s); err != nil || s.N != 1500 || s.K != 4 || s.Unreached != 0 || s.Laplacian != lap {
			t.Fatalf("%s summary: %v %+v", lap, err, s)
		}
	}
}

// TestExtendFarPointsAndErrors: points beyond the cutoff are NaN and counted; a model of
// another dimension, a corrupt model, a missing model and --model - are exit 2.
func TestExtendFarPointsAndErrors(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "spiral.csv")
	model := filepath.Join(dir, "m.model")
	mustRun(t, nil, "generate", "spiral", "-n", "800", "-o", in)
	mustRun(t, nil, "embed", "--sigma", "0.03", "--cutoff", "4", "-k", "3", in, "-o", filepath.Join(dir, "e.csv"), "--model", model, "-q")
	r := mustRun(t, []byte("x,y\n0.4,0.5\n100,100\n"), "extend", model, "-", "-o", "-")
	tab := parseCSV(t, r.stdout)
	if len(tab.rows) != 2 || math.IsNaN(tab.rows[0][3]) || !math.IsNaN(tab.rows[1][3]) || !strings.Contains(r.stderr, "1 of 2 points") {
		t.Fatalf("far point: rows %v, stderr %q", tab.raw, r.stderr)
	}
	corrupt := filepath.Join(dir, "bad.model")
	b, _ := os.ReadFile(model)
	writeFile(t, corrupt, b[:len(b)-5])
	for name, args := range map[string][]string{
		"3-D input":  {"extend", model, "-", "-o", filepath.Join(dir, "x.csv")},
		"corrupt":    {"extend", corrupt, in, "-o", filepath.Join(dir, "y.csv")},
		"missing":    {"extend", filepath.Join(dir, "none.model"), in},
		"model -":    {"embed", "--sigma", "0.03", in, "--model", "-"},
		"sampling":   {"embed", "--sigma", "0.03", in, "--landmarks", "100", "--landmark-sampling", "grid"},
		"landmarks<": {"embed", "--sigma", "0.03", in, "--landmarks", "-3"},
	} {
		stdin := []byte("x,y,z\n1,2,3\n4,5,6\n")
		r := spectral(t, stdin, args...)
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2; stderr %q", name, r.code, r.stderr)
		}
	}
	if r := spectral(t, nil, "extend", corrupt, in); !strings.Contains(r.stderr, corrupt) {
		t.Errorf("corrupt model: message %q does not name the file", r.stderr)
	}
}

// TestEmbedLandmarksCLI: a landmark run writes every point in input order (streamed CSV
// and PLY alike), says it is an approximation, and its model extends like any other.
func TestEmbedLandmarksCLI(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "roll.csv")
	mustRun(t, nil, "generate", "swissroll", "-n", "6000", "-o", in)
	out := filepath.Join(dir, "lm.csv")
	sum := filepath.Join(dir, "lm.json")
	model := filepath.Join(dir, "lm.model")
	mustRun(t, nil, "embed", "--sigma", "0.05", "--cutoff", "4", "-k", "4", in, "-o", out, "--landmarks", "1000",
		"--summary", sum, "--model", model, "-q")
	src, got := readCSV(t, in), readCSV(t, out)
	if len(got.rows) != 6000 {
		t.Fatalf("%d rows, want 6000", len(got.rows))
	}
	for i := range got.rows {
		for d := 0; d < 3; d++ {
			if got.raw[i][d] != src.raw[i][d] {
				t.Fatalf("row %d coordinate %d: %s, input has %s", i, d, got.raw[i][d], src.raw[i][d])
			}
		}
	}
	b, _ := os.ReadFile(sum)
	var s struct {
		N             int  `json:"n"`
		Landmarks     int  `json:"landmarks"`
		Approximation bool `json:"approximation"`
	}
	if err := json.Unmarshal(b, &s); err != nil || s.N != 6000 || s.Landmarks < 500 || s.Landmarks > 2000 || !s.Approximation {
		t.Fatalf("summary %v %+v", err, s)
	}
	ext := filepath.Join(dir, "ext.csv")
	mustRun(t, nil, "extend", model, in, "-o", ext, "-q")
	e := readCSV(t, ext)
	for _, name := range []string{"phi2", "phi3", "phi4"} {
		x, y := got.col(t, name), e.col(t, name)
		// The run's vectors are scaled to unit norm over the cloud; extend's are not.
		c := testref.Correlation(x, y)
		if c < 1-1e-12 {
			t.Errorf("%s: landmark run and extend of its model correlate %.15f", name, c)
		}
	}
	// .npy is streamed too: the same values as the CSV, bit for bit.
	npy := filepath.Join(dir, "lm.npy")
	mustRun(t, nil, "embed", "--sigma", "0.05", "--cutoff", "4", "-k", "4", in, "-o", npy, "--landmarks", "1000", "-q")
	raw, err := os.ReadFile(npy)
	if err != nil {
		t.Fatal(err)
	}
	data := raw[10+int(binary.LittleEndian.Uint16(raw[8:])):]
	if len(data) != 8*6000*7 || !strings.Contains(string(raw[:128]), "'shape': (6000, 7)") {
		t.Fatalf(".npy: %d data bytes, header %q", len(data), raw[:64])
	}
	for i, row := range got.rows {
		for j, want := range row {
			if v := math.Float64frombits(binary.LittleEndian.Uint64(data[8*(7*i+j):])); v != want {
				t.Fatalf(".npy row %d column %d: %v, CSV has %v", i, j, v, want)
			}
		}
	}
	ply := filepath.Join(dir, "lm.ply")
	mustRun(t, nil, "embed", "--sigma", "0.05", "--cutoff", "4", "-k", "4", in, "-o", ply, "--landmarks", "1000", "-q")
	info := infoOf(t, nil, ply)
	if info.N != 6000 {
		t.Fatalf("PLY landmark output has %d points", info.N)
	}
}

// extendRun is what extend's runner is handed.
type extendRun struct {
	o            *extendOptions
	model, input string
	read         cloudio.ReadOptions
}

// TestExtendFlags: extend names its output after INPUT, and bad values are usage errors
// before any file is checked or read.
func TestExtendFlags(t *testing.T) {
	checkFlags(t, func(ran func(extendRun)) *cobra.Command {
		return newExtendCmd(func(_ *cobra.Command, o *extendOptions, model, input string, read cloudio.ReadOptions) error {
			ran(extendRun{o, model, input, read})
			return nil
		})
	}, []flagCase[extendRun]{
		{[]string{"m.model", "new.ply"}, func(r extendRun) bool {
			return r.model == "m.model" && r.input == "new.ply" && r.o.output == "new.eigvecs.csv"
		}, ""},
		{[]string{"m.model", "-", "-o", "x.npy", "--format", "csv", "--columns", "2,3"}, func(r extendRun) bool {
			return r.o.output == "x.npy" && r.read.Format == cloudio.FormatText && len(r.read.Columns) == 2
		}, ""},
		{[]string{"m.model", "-"}, func(r extendRun) bool { return r.o.output == "eigvecs.csv" }, ""},
		{[]string{"m.model", "new.csv", "-o", "x.txt"}, nil, "x.txt"},
		{[]string{"m.model", "new.csv", "--format", "xls"}, nil, "--format"},
		{[]string{"m.model", "new.csv", "-o", "-", "--summary", "-"}, nil, "stdout"},
	})
}
