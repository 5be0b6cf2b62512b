package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/spectral-dev/spectral/internal/testref"
)

// principalAngles between span(a) and span(b), both n x k with orthonormal columns.
func principalAngles(a, b *mat.Dense) []float64 {
	var m mat.Dense
	m.Mul(a.T(), b)
	var svd mat.SVD
	if !svd.Factorize(&m, mat.SVDNone) {
		return []float64{math.Pi / 2}
	}
	s := svd.Values(nil)
	ang := make([]float64, len(s))
	for i, v := range s {
		ang[i] = math.Acos(math.Min(v, 1))
	}
	return ang
}

func columnsMatrix(cols [][]float64) *mat.Dense {
	m := mat.NewDense(len(cols[0]), len(cols), nil)
	for j, c := range cols {
		m.SetCol(j, c)
	}
	return m
}

// checkEigvecsCSV checks the shape and normalisation of an eigenvectors CSV.
func checkEigvecsCSV(t *testing.T, tab *csvTable, coords []string, k, first, n int) {
	t.Helper()
	want := append([]string{}, coords...)
	for j := 0; j < k; j++ {
		want = append(want, "phi"+strconv.Itoa(first+j))
	}
	if !slices.Equal(tab.names, want) || len(tab.rows) != n {
		t.Fatalf("eigenvectors CSV: header %v and %d rows; want %v and %d", tab.names, len(tab.rows), want, n)
	}
	for _, name := range want[len(coords):] {
		v := tab.col(t, name)
		norm, big := 0.0, 0.0
		for _, x := range v {
			norm += x * x
			if math.Abs(x) > math.Abs(big) {
				big = x
			}
		}
		if math.Abs(math.Sqrt(norm)-1) > 1e-9 {
			t.Errorf("%s: 2-norm %.15g, want 1", name, math.Sqrt(norm))
		}
		if !(big > 0) {
			t.Errorf("%s: entry of largest magnitude %v, want positive", name, big)
		}
	}
}

func TestEmbedMatchesDenseReference(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, sigma string
		coords      []string
	}{
		{"spiral_n1000_s0.05", "0.05", []string{"x", "y"}},
		{"swissroll_n1000_s0.1", "0.1", []string{"x", "y", "z"}},
	} {
		refL, refLNorm := testref.Eigen(t, c.name)
		for _, l := range []struct {
			lap, vecs string
			want      []float64
		}{
			{"normalized", "_L_norm_eigvecs123.csv", refLNorm},
			{"unnormalized", "_L_eigvecs123.csv", refL},
		} {
			name := c.name + " " + l.lap
			out, sum := filepath.Join(dir, "out.csv"), filepath.Join(dir, "sum.json")
			mustRun(t, nil, "embed", "--sigma", c.sigma, "--cutoff", "0", "-k", "7", "--laplacian", l.lap,
				filepath.Join(refDir, c.name+"_points.csv"), "-o", out, "--summary", sum, "-q")
			s := readSummary(t, sum)
			if s.N != 1000 || s.K != 7 || s.Converged != 7 || len(s.Eigenvalues) != 7 || s.Laplacian != l.lap {
				t.Fatalf("%s: summary %+v", name, s)
			}
			for i, v := range s.Eigenvalues {
				w := l.want[i]
				if i == 0 && math.Abs(v-w) > 1e-9 || i > 0 && !near(v, w, 1e-6) {
					t.Errorf("%s: eigenvalue %d = %.12g, reference %.12g (rel %.2g)", name, i+1, v, w, math.Abs(v-w)/math.Abs(w))
				}
			}
			tab := readCSV(t, out)
			checkEigvecsCSV(t, tab, c.coords, 7, 1, 1000)
			rv := readCSV(t, filepath.Join(refDir, c.name+l.vecs))
			refM := columnsMatrix([][]float64{rv.col(t, "v1"), rv.col(t, "v2"), rv.col(t, "v3")})
			gotM := columnsMatrix([][]float64{tab.col(t, "phi2"), tab.col(t, "phi3"), tab.col(t, "phi4")})
			angles := principalAngles(refM, gotM)
			for i, a := range angles {
				if !(a < 1e-3) {
					t.Errorf("%s: principal angle %d between eigenvectors 2..4 and the reference: %.3g rad", name, i+1, a)
				}
			}
			t.Logf("%s: principal angles to the reference %.2g", name, angles)
			// The coordinates come back as read.
			pts := readCSV(t, filepath.Join(refDir, c.name+"_points.csv"))
			for i := range pts.rows {
				for d := range c.coords {
					if tab.rows[i][d] != pts.rows[i][d] {
						t.Fatalf("%s: row %d coordinate %d is %v, input %v", name, i, d, tab.rows[i][d], pts.rows[i][d])
					}
				}
			}
		}
	}
}

// TestEmbedInputOrder: a shuffled input gives the same rows, shuffled the same way.
func TestEmbedInputOrder(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(refDir, "spiral_n1000_s0.05_points.csv")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	rows := lines[1:]
	perm := rand.New(rand.NewPCG(5, 7)).Perm(len(rows))
	var sb strings.Builder
	sb.WriteString(lines[0] + "\n")
	for _, p := range perm {
		sb.WriteString(rows[p] + "\n")
	}
	shuffled := filepath.Join(dir, "shuffled.csv")
	writeFile(t, shuffled, []byte(sb.String()))

	args := []string{"embed", "--sigma", "0.05", "--cutoff", "4", "-k", "5", "-q"}
	outA, outB := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	mustRun(t, nil, append(args, src, "-o", outA)...)
	mustRun(t, nil, append(args, shuffled, "-o", outB)...)
	a, s := readCSV(t, outA), readCSV(t, outB)
	checkEigvecsCSV(t, s, []string{"x", "y"}, 5, 1, 1000)
	for j := 2; j < len(a.names); j++ {
		sign, worst := 1.0, 0.0
		if dot := func() (d float64) {
			for i, p := range perm {
				d += s.rows[i][j] * a.rows[p][j]
			}
			return d
		}(); dot < 0 {
			sign = -1
		}
		for i, p := range perm {
			worst = math.Max(worst, math.Abs(sign*s.rows[i][j]-a.rows[p][j]))
		}
		t.Logf("%s: largest difference after shuffling %.2g", a.names[j], worst)
		if worst > 1e-6 {
			t.Errorf("%s: shuffled rows differ from the permuted original by up to %.3g", a.names[j], worst)
		}
	}
	for i, p := range perm {
		if s.raw[i][0] != a.raw[p][0] || s.raw[i][1] != a.raw[p][1] {
			t.Fatalf("shuffled row %d has coordinates %v, original row %d has %v", i, s.raw[i][:2], p, a.raw[p][:2])
		}
	}
}

// TestEmbedStdin: "-" reads the stdin given to run() (CSV and sniffed PLY), "-o -" writes
// the CSV to stdout.
func TestEmbedStdin(t *testing.T) {
	spiral, err := os.ReadFile(filepath.Join(refDir, "spiral_n1000_s0.05_points.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := mustRun(t, spiral, "embed", "--sigma", "0.05", "--cutoff", "4", "-k", "3", "-", "-o", "-", "-q")
	tab := parseCSV(t, r.stdout)
	checkEigvecsCSV(t, tab, []string{"x", "y"}, 3, 1, 1000)

	shelf := filepath.Join(dataDir, "platonic_shelf.ply")
	ply, err := os.ReadFile(shelf)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum := filepath.Join(dir, "sum.json")
	r = mustRun(t, ply, "embed", "--sigma", "1", "-k", "3", "-", "-o", "-", "--summary", sum)
	checkEigvecsCSV(t, parseCSV(t, r.stdout), []string{"x", "y", "z"}, 3, 1, 50)
	fromStdin := readSummary(t, sum)
	// The same cloud from the file gives the same eigenvalues.
	mustRun(t, nil, "embed", "--sigma", "1", "-k", "3", shelf, "-o", filepath.Join(dir, "f.csv"), "--summary", sum, "-q")
	fromFile := readSummary(t, sum)
	for i := range fromFile.Eigenvalues {
		if i >= len(fromStdin.Eigenvalues) || math.Abs(fromStdin.Eigenvalues[i]-fromFile.Eigenvalues[i]) > 1e-12 {
			t.Errorf("eigenvalues from stdin %v, from the file %v", fromStdin.Eigenvalues, fromFile.Eigenvalues)
			break
		}
	}
}

// readPLYOut parses the binary PLY embed writes: its property names and float/uchar values.
func readPLYOut(t *testing.T, path string) (props []string, n int, floats [][]float32, rgb [][3]uint8) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := bytes.Index(b, []byte("end_header\n"))
	if !bytes.HasPrefix(b, []byte("ply\nformat binary_little_endian 1.0\n")) || end < 0 {
		t.Fatalf("%s: not a binary little-endian PLY: %q", path, b[:min(len(b), 200)])
	}
	var types []string
	for _, l := range strings.Split(string(b[:end]), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 3 && f[0] == "element" && f[1] == "vertex":
			n, _ = strconv.Atoi(f[2])
		case len(f) == 3 && f[0] == "property":
			types, props = append(types, f[1]), append(props, f[2])
		}
	}
	body := b[end+len("end_header\n"):]
	rec := 0
	for _, ty := range types {
		switch ty {
		case "float":
			rec += 4
		case "double": // coordinates that float32 would round
			rec += 8
		case "uchar":
			rec++
		default:
			t.Fatalf("%s: property type %q", path, ty)
		}
	}
	if len(body) != n*rec {
		t.Fatalf("%s: body of %d bytes, want %d x %d", path, len(body), n, rec)
	}
	for i := 0; i < n; i++ {
		r := body[i*rec:]
		var fs []float32
		var c [3]uint8
		ci := 0
		for _, ty := range types {
			if ty == "float" {
				fs = append(fs, math.Float32frombits(binary.LittleEndian.Uint32(r)))
				r = r[4:]
			} else if ty == "double" {
				fs = append(fs, float32(math.Float64frombits(binary.LittleEndian.Uint64(r))))
				r = r[8:]
			} else {
				if ci < 3 {
					c[ci] = r[0]
				}
				ci++
				r = r[1:]
			}
		}
		floats, rgb = append(floats, fs), append(rgb, c)
	}
	return props, n, floats, rgb
}

func TestEmbedPLYOutputAndDropFirst(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(refDir, "swissroll_n1000_s0.1_points.csv")
	outPLY, outCSV, sum := filepath.Join(dir, "out.ply"), filepath.Join(dir, "out.csv"), filepath.Join(dir, "sum.json")
	base := []string{"embed", "--sigma", "0.1", "--cutoff", "4", "-k", "4", "-q", in}
	mustRun(t, nil, append(base, "-o", outPLY)...)
	mustRun(t, nil, append(base, "-o", outCSV, "--summary", sum)...)

	if info := infoOf(t, nil, "--no-spacing", outPLY); info.N != 1000 || info.Dim != 3 || info.Format != "ply binary_little_endian" {
		t.Errorf("info of embed's PLY: %+v", info)
	}
	props, n, floats, rgb := readPLYOut(t, outPLY)
	want := []string{"x", "y", "z", "phi1", "phi2", "phi3", "phi4", "red", "green", "blue"}
	if !slices.Equal(props, want) || n != 1000 {
		t.Fatalf("PLY properties %v, %d vertices; want %v, 1000", props, n, want)
	}
	tab := readCSV(t, outCSV)
	colours := map[[3]uint8]bool{}
	for i := 0; i < n; i++ {
		for j := range floats[i] {
			if floats[i][j] != float32(tab.rows[i][j]) {
				t.Fatalf("PLY vertex %d %s = %v, CSV %v", i, props[j], floats[i][j], tab.rows[i][j])
			}
		}
		colours[rgb[i]] = true
	}
	if len(colours) < 20 {
		t.Errorf("PLY colours: %d distinct, want the colormap of phi2 (many)", len(colours))
	}
	// phi2's colours follow its values: the most negative and the most positive points get
	// colours from opposite ends of the map.
	lo, hi := 0, 0
	phi2 := tab.col(t, "phi2")
	for i, v := range phi2 {
		if v < phi2[lo] {
			lo = i
		}
		if v > phi2[hi] {
			hi = i
		}
	}
	if rgb[lo] == rgb[hi] {
		t.Errorf("extreme points of phi2 share the colour %v", rgb[lo])
	}
	full := readSummary(t, sum)

	// --drop-first: k non-trivial pairs, phi2..phi(k+1), none ~0, the same values.
	mustRun(t, nil, append(base, "--drop-first", "-o", outPLY, "--summary", sum)...)
	props, _, _, _ = readPLYOut(t, outPLY)
	if want := []string{"x", "y", "z", "phi2", "phi3", "phi4", "phi5", "red", "green", "blue"}; !slices.Equal(props, want) {
		t.Errorf("--drop-first PLY properties %v, want %v", props, want)
	}
	s := readSummary(t, sum)
	if len(s.Eigenvalues) != 4 || !s.DropFirst {
		t.Fatalf("--drop-first summary: %+v", s)
	}
	for i, v := range s.Eigenvalues {
		if !(v > 1e-6) {
			t.Errorf("--drop-first eigenvalue %d = %v, want non-trivial", i, v)
		}
		if i+1 < len(full.Eigenvalues) && !near(v, full.Eigenvalues[i+1], 1e-9) {
			t.Errorf("--drop-first eigenvalue %d = %.12g, without it %.12g", i, v, full.Eigenvalues[i+1])
		}
	}
	mustRun(t, nil, append(base, "--drop-first", "-o", outCSV)...)
	checkEigvecsCSV(t, readCSV(t, outCSV), []string{"x", "y", "z"}, 4, 2, 1000)
}

// TestEmbedRealFiles: real files of each kind end to end (ascii PLY with faces, CSV with a
// quoted header, xyz without a header).
func TestEmbedRealFiles(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		file   string
		args   []string
		coords []string
		n      int
	}{
		{"test_pos_color.ply", []string{"--sigma", "0.5"}, []string{"x", "y", "z"}, 114},
		{"autzen-bmx-largersample.txt", []string{"--sigma", "5"}, []string{"X", "Y", "Z"}, 103},
		{"points_cloudcompare.xyz", []string{"--sigma", "auto"}, []string{"x", "y", "z"}, 101},
		{"quakes.csv", []string{"--sigma", "1", "--columns", "lat,long"}, []string{"lat", "long"}, 1000},
	} {
		out, sum := filepath.Join(dir, "out.csv"), filepath.Join(dir, "sum.json")
		r := mustRun(t, nil, append([]string{"embed", filepath.Join(dataDir, c.file), "-k", "4", "--cutoff", "4", "-o", out, "--summary", sum}, c.args...)...)
		checkEigvecsCSV(t, readCSV(t, out), c.coords, 4, 1, c.n)
		s := readSummary(t, sum)
		if s.N != c.n || s.Converged != 4 {
			t.Errorf("%s: summary %+v", c.file, s)
		}
		if c.args[1] == "auto" && !strings.Contains(r.stderr, "sigma auto") {
			t.Errorf("%s: --sigma auto does not say what it picked: %q", c.file, r.stderr)
		}
	}
}

// TestEmbedDisconnected: two blobs 100 sigma apart make a disconnected graph; embed says so.
func TestEmbedDisconnected(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("x,y\n")
	for b := 0; b < 2; b++ {
		for i := 0; i < 10; i++ {
			for j := 0; j < 10; j++ {
				fmt.Fprintf(&sb, "%g,%g\n", float64(b)*50+float64(i)*0.1, float64(j)*0.1)
			}
		}
	}
	in, sum := filepath.Join(dir, "blobs.csv"), filepath.Join(dir, "sum.json")
	writeFile(t, in, []byte(sb.String()))
	r := spectral(t, nil, "embed", "--sigma", "0.5", "--cutoff", "4", "-k", "3", in, "-o", filepath.Join(dir, "out.csv"), "--summary", sum)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "disconnected") {
		t.Errorf("stderr does not warn of a disconnected graph: %q", r.stderr)
	}
	s := readSummary(t, sum)
	if len(s.Warnings) == 0 || !strings.Contains(strings.Join(s.Warnings, " "), "disconnected") {
		t.Errorf("summary warnings %q", s.Warnings)
	}
	if len(s.Eigenvalues) < 2 || math.Abs(s.Eigenvalues[1]) > 1e-9 {
		t.Errorf("eigenvalues %v: want two ~0 for two components", s.Eigenvalues)
	}
	// -q silences progress only (issue 11, item 6): the warning is still the one line on
	// stderr.
	r = mustRun(t, nil, "embed", "--sigma", "0.5", "--cutoff", "4", "-k", "3", in, "-o", filepath.Join(dir, "out.csv"), "--summary", sum, "-q")
	if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "warning: ") || !strings.Contains(lines[0], "disconnected") {
		t.Errorf("-q: stderr %q, want only the disconnected-graph warning", r.stderr)
	}
}

// ---------------------------------------------------------------------------------------
// plot

// Every warning pkg/embed records reaches stderr while the command runs, with or without
// -q, worded with flags: a widened automatic sigma (recorded outside Result.warn until
// session 5, so embed printed "1 warning(s), printed above" and never printed it) and
// cluster's automatic count (printed with its field name, ClusterOptions.Clusters).
func TestWarningsReachStderr(t *testing.T) {
	dir := t.TempDir()
	r := mustRun(t, nil, "embed", filepath.Join(dataDir, "featuretype.ply"), "--sigma", "auto", "-o", filepath.Join(dir, "e.csv"), "-q")
	if !strings.Contains(r.stderr, "warning: sigma auto:") || !strings.Contains(r.stderr, "which connects the graph") {
		t.Errorf("embed --sigma auto -q: no widening warning on stderr %q", r.stderr)
	}
	r = mustRun(t, nil, "cluster", filepath.Join(dataDir, "platonic_shelf.ply"), "--clusters", "auto", "-o", filepath.Join(dir, "l.csv"), "-q")
	if !strings.Contains(r.stderr, "warning: --clusters auto:") || strings.Contains(r.stderr, "ClusterOptions") {
		t.Errorf("cluster --clusters auto -q: stderr %q, want the warning worded with --clusters", r.stderr)
	}
}
