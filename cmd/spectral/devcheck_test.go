//go:build devcheck

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spectral-dev/spectral/pkg/gpu"
)

// runDevcheckArgs runs `spectral devcheck ARGS` in-process.
func runDevcheckArgs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newDevcheckCmd()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestDevcheckWithoutGPU(t *testing.T) {
	t.Setenv(gpu.LibraryEnv, filepath.Join(t.TempDir(), "libcuda.so.1"))
	for _, args := range [][]string{
		{"--probe"},
		{"--spiral", "500", "--sigma", "0.05"},
	} {
		_, err := runDevcheckArgs(t, args...)
		if !errors.Is(err, gpu.ErrNoDriver) || !strings.Contains(err.Error(), "no usable GPU") {
			t.Errorf("devcheck %v without a driver: %v, want a clear ErrNoDriver", args, err)
		}
	}
}

func TestDevcheckUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--sigma", "0.1"},
		{"--spiral", "100", "--swissroll", "100", "--sigma", "0.1"},
		{"--spiral", "100"},
		{"--spiral", "100", "--sigma", "0.1", "--cutoff", "-1"},
		{"--spiral", "100", "--sigma", "0.1", "--accumulate", "half"},
		{"--spiral", "100", "--sigma", "0.1", "--accumulate", "f64,"},
		{"--spiral", "100", "--sigma", "0.1", "--reps", "0"},
		{"--spiral", "100", "--sigma", "0.1", "--block-size", "64,100"},
	} {
		_, err := runDevcheckArgs(t, args...)
		var ue *usageError
		if !errors.As(err, &ue) {
			t.Errorf("devcheck %v: %v, want a usage error", args, err)
		}
	}
}

// TestDevcheckFakeDriver runs the whole check on pkg/gpu's fake libcuda.so.1, which runs
// the kernel source compiled for the host: the real grid and CPU operator against the GPU
// operator (all but the PTX).
func TestDevcheckFakeDriver(t *testing.T) {
	if !gpu.Binding {
		t.Skip("built with -tags nogpu")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not found: the fake libcuda.so.1 cannot be built")
	}
	lib := filepath.Join(t.TempDir(), "libcuda.so.1")
	td := filepath.Join("..", "..", "pkg", "gpu", "testdata")
	out, err := exec.Command("gcc", "-shared", "-fPIC", "-O1", "-ffp-contract=off", "-Wno-unknown-pragmas", "-pthread", "-o", lib,
		filepath.Join(td, "fakecuda.c"), filepath.Join(td, "hostkernels.cc"), "-lm").CombinedOutput()
	if err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	t.Setenv(gpu.LibraryEnv, lib)
	ref := filepath.Join("..", "..", "testdata", "reference", "swissroll_n1000_s0.1_points.csv")
	text, err := runDevcheckArgs(t, "--input", ref, "--sigma", "0.1", "--cutoff", "4", "--json", "--reps", "1", "--cpu-reps", "1", "--accumulate", "f64,kahan", "--block-size", "64,128")
	if err != nil {
		t.Fatal(err)
	}
	var rep devcheckReport
	if err := json.Unmarshal([]byte(text), &rep); err != nil {
		t.Fatalf("%v in %s", err, text)
	}
	if !rep.Pass || rep.N != 1000 || rep.Dim != 3 || len(rep.GPU) != 4 || rep.Device.Name != "Fake GPU 0" {
		t.Fatalf("report %+v", rep)
	}
	// The emulated ex2.approx is exp2f, the CPU's exp a float32 Cephes one: both within
	// 1.5e-7 of exp.
	for _, g := range rep.GPU {
		if !(g.MaxRelDiff < 3e-7) || !(g.DegreesMaxRelDiff < 3e-7) || g.PairsWithinCutoff != rep.CPU.PairsWithinCutoff && !rep.CPU.Cached {
			t.Errorf("%s: %+v", g.Accumulate, g)
		}
	}
	// The GPU sweeps the grid's cell-pair ranges; the CPU's on-the-fly mode prunes further
	// per block of 8 targets, so it may look at fewer pairs, never at fewer than it keeps.
	if rep.PairsEvaluated < rep.CPU.PairsWithinCutoff || rep.PairsEvaluated < rep.CPU.PairsEvaluated {
		t.Errorf("GPU evaluates %d pairs, CPU %d, %d within the cutoff: the GPU misses part of the pattern", rep.PairsEvaluated, rep.CPU.PairsEvaluated, rep.CPU.PairsWithinCutoff)
	}
}

func TestEigcmp(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cpu := write("cpu.json", `{"device":"cpu","eigenvalues":[1e-15,0.004561,0.01823,0.0401]}`)
	near := write("gpu.json", `{"device":"NVIDIA H200","eigenvalues":[-3e-15,0.0045610012,0.01823,0.0401]}`)
	far := write("far.json", `{"device":"NVIDIA H200","eigenvalues":[0,0.004562,0.01823,0.0401]}`)
	short := write("short.json", `{"eigenvalues":[0,0.004561]}`)
	bad := write("bad.json", `{"eigenvalues":`)

	out, err := runDevcheckArgs(t, "eigcmp", "--json", near, cpu)
	if err != nil {
		t.Fatal(err)
	}
	var rep eigcmpReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// 0.0045610012 vs 0.004561: 2.6e-7 relative; the trivial pair is 4e-15 / (1e-6 * 0.0401) = 1e-7.
	if !rep.Pass || rep.MaxRelDiff < 2.5e-7 || rep.MaxRelDiff > 2.7e-7 || rep.DeviceA != "NVIDIA H200" {
		t.Errorf("near: %+v", rep)
	}
	if _, err := runDevcheckArgs(t, "eigcmp", far, cpu); err == nil || !strings.Contains(err.Error(), "differ by 0.000219") {
		t.Errorf("far: %v, want a failure naming 2.19e-4", err)
	}
	if _, err := runDevcheckArgs(t, "eigcmp", short, cpu); err == nil {
		t.Error("different counts accepted")
	}
	var ue *usageError
	if _, err := runDevcheckArgs(t, "eigcmp", bad, cpu); !errors.As(err, &ue) {
		t.Errorf("malformed JSON: %v, want a usage error", err)
	}
}
