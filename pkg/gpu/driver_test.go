package gpu

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/spectral-dev/spectral/kernels"
)

var (
	fakeOnce sync.Once
	fakePath string
	fakeErr  error
	fakeDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fakeDir != "" {
		os.RemoveAll(fakeDir)
	}
	os.Exit(code)
}

// fakeLib builds testdata/fakecuda.c and the kernels compiled for the host
// (testdata/hostkernels.cc) into a libcuda.so.1, once per test binary, and points the
// package at it; it skips the test without gcc. Calls are logged to the returned file.
func fakeLib(t *testing.T) (lib, log string) {
	t.Helper()
	if !Binding {
		t.Skip("built with -tags nogpu: no driver binding")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not found: the fake libcuda.so.1 cannot be built")
	}
	fakeOnce.Do(func() {
		if fakeDir, fakeErr = os.MkdirTemp("", "fakecuda"); fakeErr != nil {
			return
		}
		fakePath = filepath.Join(fakeDir, "libcuda.so.1")
		out, err := exec.Command("gcc", "-shared", "-fPIC", "-O1", "-ffp-contract=off", "-Wall", "-Wno-unknown-pragmas",
			"-pthread", "-o", fakePath, "testdata/fakecuda.c", "testdata/hostkernels.cc", "-lm").CombinedOutput()
		if err != nil {
			fakeErr = fmt.Errorf("gcc: %v\n%s", err, out)
		}
	})
	if fakeErr != nil {
		t.Fatal(fakeErr)
	}
	log = filepath.Join(t.TempDir(), "calls.log")
	t.Setenv(LibraryEnv, fakePath)
	t.Setenv("FAKE_CUDA_LOG", log)
	for _, k := range []string{"FAKE_CUDA_DEVICES", "FAKE_CUDA_INIT_ERROR", "FAKE_CUDA_PTX_ERROR", "FAKE_CUDA_CC"} {
		t.Setenv(k, "")
	}
	return fakePath, log
}

func readLog(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func TestProbeWithoutDriver(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "libcuda.so.1")
	t.Setenv(LibraryEnv, missing)
	_, err := Probe()
	if !errors.Is(err, ErrNoDriver) {
		t.Fatalf("Probe without a driver: %v, want ErrNoDriver", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "no CUDA driver") || Binding && !strings.Contains(msg, missing) {
		t.Errorf("message %q should say there is no CUDA driver and name %s", msg, missing)
	}
	g := handGrid(randomCloud(50, 2, 3, 1), 2, 1, 3, 1)
	if _, err := New(g, Options{}); !errors.Is(err, ErrNoDriver) {
		t.Errorf("New without a driver: %v, want ErrNoDriver", err)
	}
	// Not a shared library at all: still ErrNoDriver, with the loader's reason.
	junk := filepath.Join(t.TempDir(), "junk.so")
	os.WriteFile(junk, []byte("not an ELF file"), 0o644)
	t.Setenv(LibraryEnv, junk)
	if _, err := Probe(); !errors.Is(err, ErrNoDriver) {
		t.Errorf("Probe with a junk library: %v, want ErrNoDriver", err)
	}
}

func TestProbeFake(t *testing.T) {
	lib, _ := fakeLib(t)
	info, err := Probe()
	if err != nil {
		t.Fatal(err)
	}
	want := DeviceInfo{Ordinal: 0, Name: "Fake GPU 0", ComputeCapability: [2]int{9, 0}, Multiprocessors: 4,
		TotalMemory: 1 << 30, DriverVersion: 13000, Library: lib}
	if info != want {
		t.Errorf("Probe = %+v, want %+v", info, want)
	}
	if s := info.String(); !strings.Contains(s, "Fake GPU 0") || !strings.Contains(s, "compute 9.0") || !strings.Contains(s, "CUDA driver 13.0") {
		t.Errorf("String() = %q", s)
	}
}

func TestDriverErrorsFake(t *testing.T) {
	g := handGrid(randomCloud(100, 2, 4, 1), 2, 1, 3, 1)
	t.Run("no device", func(t *testing.T) {
		fakeLib(t)
		t.Setenv("FAKE_CUDA_DEVICES", "0")
		if _, err := Probe(); !errors.Is(err, ErrNoDevice) {
			t.Errorf("zero devices: %v, want ErrNoDevice", err)
		}
	})
	t.Run("cuInit no device", func(t *testing.T) {
		fakeLib(t)
		t.Setenv("FAKE_CUDA_INIT_ERROR", "100")
		_, err := Probe()
		if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "CUDA_ERROR_NO_DEVICE") {
			t.Errorf("cuInit 100: %v, want ErrNoDevice naming CUDA_ERROR_NO_DEVICE", err)
		}
	})
	t.Run("cuInit other error", func(t *testing.T) {
		fakeLib(t)
		t.Setenv("FAKE_CUDA_INIT_ERROR", "1")
		_, err := Probe()
		var ce *CUDAError
		if !errors.As(err, &ce) || ce.Code != 1 || ce.Name != "CUDA_ERROR_INVALID_VALUE" || ce.Func != "cuInit" || ce.Msg != "invalid argument" {
			t.Errorf("cuInit 1: %v (%#v), want a CUDAError from cuInit", err, ce)
		}
		if errors.Is(err, ErrNoDevice) || errors.Is(err, ErrNoDriver) {
			t.Errorf("cuInit 1 should be neither ErrNoDevice nor ErrNoDriver: %v", err)
		}
	})
	t.Run("old device", func(t *testing.T) {
		fakeLib(t)
		t.Setenv("FAKE_CUDA_CC", "61")
		_, err := Probe()
		if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "compute capability 6.1") {
			t.Errorf("sm_61: %v, want ErrNoDevice naming the compute capability", err)
		}
	})
	t.Run("ordinal out of range", func(t *testing.T) {
		fakeLib(t)
		if _, err := New(g, Options{Device: 2}); !errors.Is(err, ErrNoDevice) {
			t.Errorf("device 2 of 1: %v, want ErrNoDevice", err)
		}
	})
	t.Run("PTX load failure", func(t *testing.T) {
		_, log := fakeLib(t)
		const jit = "ptxas application ptx input, line 42; error   : Unknown symbol 'x'"
		t.Setenv("FAKE_CUDA_PTX_ERROR", jit)
		_, err := New(g, Options{})
		var pe *PTXLoadError
		if !errors.As(err, &pe) || pe.Log != jit || pe.Err == nil || pe.Err.Code != 218 {
			t.Fatalf("bad PTX: %v, want a PTXLoadError with the JIT log", err)
		}
		if !strings.Contains(err.Error(), jit) {
			t.Errorf("message %q lacks the JIT log", err)
		}
		// New cleaned up after itself: the context was released.
		released := false
		for _, l := range readLog(t, log) {
			released = released || strings.HasPrefix(l, "cuDevicePrimaryCtxRelease")
		}
		if !released {
			t.Error("New did not release the primary context after failing")
		}
	})
}

func TestMarshalArgs(t *testing.T) {
	slots, err := marshalArgs([]any{DevicePtr(0x7f0012345678), int32(-2), float32(1.5), uint32(7), 2.0, int64(-3), uint64(9)})
	if err != nil {
		t.Fatal(err)
	}
	want := []uint64{0x7f0012345678, 0xfffffffe, uint64(math.Float32bits(1.5)), 7, math.Float64bits(2), math.MaxUint64 - 2, 9}
	for i := range want {
		if slots[i] != want[i] {
			t.Errorf("slot %d = %#x, want %#x", i, slots[i], want[i])
		}
	}
	if _, err := marshalArgs([]any{1}); err == nil {
		t.Error("a Go int (size depends on the platform) was accepted")
	}
}

// TestPTXEntriesMatchArgs checks the embedded PTX has every entry the operator looks up,
// with parameters of the kinds the operator passes.
func TestPTXEntriesMatchArgs(t *testing.T) {
	entry := regexp.MustCompile(`\.visible \.entry (\w+)\(([^)]*)\)`)
	param := regexp.MustCompile(`\.param \.(\w+) `)
	sigs := map[string][]string{}
	for _, m := range entry.FindAllStringSubmatch(kernels.GaussianPTX, -1) {
		for _, p := range param.FindAllStringSubmatch(m[2], -1) {
			sigs[m[1]] = append(sigs[m[1]], p[1])
		}
	}
	kind := func(a any) string {
		switch a.(type) {
		case DevicePtr:
			return "u64"
		case float32:
			return "f32"
		}
		return fmt.Sprintf("%T", a)
	}
	var o Operator
	for d := 1; d <= 3; d++ {
		for name, args := range map[string][]any{
			fmt.Sprintf("gaussian_matvec_f64_d%d", d):     o.mulArgs(),
			fmt.Sprintf("gaussian_matvec_kahan_d%d", d):   o.mulArgs(),
			fmt.Sprintf("gaussian_matvec_f64bits_d%d", d): o.mulArgs(),
			fmt.Sprintf("gaussian_degrees_d%d", d):        o.degArgs(),
		} {
			sig, ok := sigs[name]
			if !ok {
				t.Errorf("PTX lacks entry %s", name)
				continue
			}
			var got []string
			for _, a := range args {
				got = append(got, kind(a))
			}
			if strings.Join(got, ",") != strings.Join(sig, ",") {
				t.Errorf("%s: PTX params %v, operator passes %v", name, sig, got)
			}
		}
	}
}

// TestOperatorFake runs the whole operator on the fake driver, which runs the kernel
// source (kernels/gaussian.cu) on the host: results against brute force, and the recorded calls
// (launch shapes, parameter values, copy sizes) against what the operator must send.
func TestOperatorFake(t *testing.T) {
	cases := []struct {
		n, dim             int
		side, cutoff, cell float64
		block              int
		acc                Accumulation
		tol                float64
	}{
		{1500, 2, 15, 3, 2, 64, AccumulateF64, 3e-7},
		{800, 3, 6, 0, 2, 32, AccumulateKahan, 1e-6},
		{300, 1, 40, 4, 3, 128, AccumulateF64Bits, 3e-7},
		{400, 2, 30, 0, 3, 96, AccumulateF64, 3e-7}, // every pair within; values beyond d2 = 173 flushed
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("d%d_cut%g_%v", tc.dim, tc.cutoff, tc.acc), func(t *testing.T) {
			_, log := fakeLib(t)
			g := handGrid(randomCloud(tc.n, tc.dim, tc.side, 3), tc.dim, 1, tc.cutoff, tc.cell)
			work, pairs, err := WorkTable(g, tc.block)
			if err != nil {
				t.Fatal(err)
			}
			op, err := New(g, Options{BlockSize: tc.block, Accumulate: tc.acc})
			if err != nil {
				t.Fatal(err)
			}
			if op.Dims() != tc.n || op.Device() != "Fake GPU 0" || op.Blocks() != len(work) {
				t.Errorf("Dims %d Device %q Blocks %d", op.Dims(), op.Device(), op.Blocks())
			}
			wantDeg, within := bruteKv(g, nil)
			if d := maxRelDiff(op.Degrees(), wantDeg); !(d < 3e-7) {
				t.Errorf("degrees: max rel diff %g", d)
			}
			st := op.Stats()
			if st.PairsEvaluated != pairs || st.PairsWithinCutoff != within {
				t.Errorf("stats %+v, want %d evaluated, %d within", st, pairs, within)
			}
			r := rand.New(rand.NewSource(4))
			v := make([]float64, tc.n)
			for i := range v {
				v[i] = r.Float64()
			}
			y := make([]float64, tc.n)
			op.MulVec(y, v)
			want, _ := bruteKv(g, v)
			if d := maxRelDiff(y, want); !(d < tc.tol) {
				t.Errorf("K v: max rel diff %g, want < %g", d, tc.tol)
			}
			if err := op.Err(); err != nil {
				t.Error(err)
			}
			if err := op.Apply(y[1:], v); err == nil {
				t.Error("Apply with a short dst succeeded")
			}
			if err := op.Close(); err != nil {
				t.Fatal(err)
			}
			if err := op.Apply(y, v); err == nil {
				t.Error("Apply after Close succeeded")
			}

			// The recorded calls.
			var htod, dtoh []int
			var launches [][]string
			frees := 0
			mode := tc.acc.String()
			for _, l := range readLog(t, log) {
				f := strings.Fields(l)
				switch f[0] {
				case "cuMemcpyHtoD":
					n, _ := strconv.Atoi(f[1])
					htod = append(htod, n)
				case "cuMemcpyDtoH":
					n, _ := strconv.Atoi(f[1])
					dtoh = append(dtoh, n)
				case "cuLaunchKernel":
					launches = append(launches, f[1:])
				case "cuMemFree":
					frees++
				case "cuModuleGetFunction":
					if f[2] != "params=6" {
						t.Errorf("%s", l)
					}
				}
			}
			n8 := 8 * tc.n
			wantH := []int{4 * tc.n * tc.dim, 16 * len(work), 8 * len(g.Ranges), 8, n8}
			wantD := []int{n8, 8, n8}
			if fmt.Sprint(htod) != fmt.Sprint(wantH) || fmt.Sprint(dtoh) != fmt.Sprint(wantD) {
				t.Errorf("copies HtoD %v DtoH %v, want %v and %v", htod, dtoh, wantH, wantD)
			}
			if frees != 6 {
				t.Errorf("%d buffers freed, want 6", frees)
			}
			if len(launches) != 2 {
				t.Fatalf("launches %v, want degrees then one product", launches)
			}
			c2 := float32(math.Inf(1))
			if tc.cutoff > 0 {
				c2 = float32(tc.cutoff * tc.cutoff)
			}
			shape := fmt.Sprintf("grid=%d,1,1 block=%d,1,1 shared=0", len(work), tc.block)
			var bufs [2][]uint64
			for k, want := range []string{fmt.Sprintf("gaussian_degrees_d%d", tc.dim), fmt.Sprintf("gaussian_matvec_%s_d%d", mode, tc.dim)} {
				l := launches[k]
				if l[0] != want || strings.Join(l[1:4], " ") != shape {
					t.Errorf("launch %d: %v, want %s %s", k, l, want, shape)
				}
				for _, h := range strings.Split(strings.TrimPrefix(l[4], "params="), ",") {
					x, err := strconv.ParseUint(h, 16, 64)
					if err != nil {
						t.Fatal(err)
					}
					bufs[k] = append(bufs[k], x)
				}
				if len(bufs[k]) != 6 || uint32(bufs[k][3]) != math.Float32bits(c2) {
					t.Fatalf("launch %d params %x: want 6 with c2 = %x at 3", k, bufs[k], math.Float32bits(c2))
				}
			}
			deg, mul := bufs[0], bufs[1]
			// Same points, work table, ranges; degrees write y (mul's output), count elsewhere.
			if deg[0] != mul[0] || deg[1] != mul[1] || deg[2] != mul[2] || deg[4] != mul[5] ||
				mul[4] == mul[5] || deg[5] == deg[4] || mul[4] == 0 || deg[5] == 0 {
				t.Errorf("buffers: degrees %x, product %x", deg, mul)
			}
		})
	}
}

// TestBuildPTXReproducible is CI's check that kernels/gaussian.ptx is what
// scripts/build-ptx.sh makes from kernels/gaussian.cu (skipped without clang-14).
func TestBuildPTXReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	if _, err := exec.LookPath("clang-14"); err != nil {
		t.Skip("clang-14 not found")
	}
	cmd := exec.Command("bash", "scripts/build-ptx.sh", "--check")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("build-ptx.sh --check: %v\n%s", err, out)
	}
}

func TestParseAccumulation(t *testing.T) {
	for _, a := range Accumulations {
		if b, err := ParseAccumulation(a.String()); err != nil || b != a {
			t.Errorf("ParseAccumulation(%q) = %v, %v", a, b, err)
		}
	}
	if a, err := ParseAccumulation(""); err != nil || a != AccumulateF64 {
		t.Errorf("default accumulation %v, %v", a, err)
	}
	if _, err := ParseAccumulation("f16"); err == nil {
		t.Error("f16 accepted")
	}
}

// MulBlock on the fake driver: each column bit for bit the MulVec of that column.
func TestOperatorFakeMulBlock(t *testing.T) {
	fakeLib(t)
	g := handGrid(randomCloud(500, 2, 15, 5), 2, 1, 3, 2)
	op, err := New(g, Options{BlockSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer op.Close()
	const b = 3
	r := rand.New(rand.NewSource(6))
	v := make([]float64, g.N*b)
	for i := range v {
		v[i] = r.Float64() - 0.5
	}
	y := make([]float64, g.N*b)
	op.MulBlock(y, v, b)
	x, want := make([]float64, g.N), make([]float64, g.N)
	for j := 0; j < b; j++ {
		for i := range x {
			x[i] = v[i*b+j]
		}
		op.MulVec(want, x)
		for i := range want {
			if y[i*b+j] != want[i] {
				t.Fatalf("(%d,%d) = %v, MulVec %v", i, j, y[i*b+j], want[i])
			}
		}
	}
	if err := op.Err(); err != nil {
		t.Fatal(err)
	}
}
