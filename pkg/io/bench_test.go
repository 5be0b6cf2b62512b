package cloudio

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// go test -bench . -benchpoints N: the clouds the read benchmarks generate (10 million
// points by default, as the issue asks; about 120 MB of binary PLY, 290 MB of text).
var benchPoints = flag.Int("benchpoints", 10_000_000, "points in the generated benchmark clouds")

var benchDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchFile writes (once per process) a cloud of uniform random points: "ply" is binary
// little-endian float x, y, z; "csv" is x,y,z text with 4 decimals.
func benchFile(b *testing.B, kind string) (string, int64) {
	b.Helper()
	if benchDir == "" {
		d, err := os.MkdirTemp("", "cloudio-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchDir = d
	}
	n := *benchPoints
	path := filepath.Join(benchDir, fmt.Sprintf("%d.%s", n, kind))
	if fi, err := os.Stat(path); err == nil {
		return path, fi.Size()
	}
	rng := rand.New(rand.NewPCG(7, 11))
	err := WriteFileAtomic(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		var rec []byte
		if kind == "ply" {
			fmt.Fprintf(bw, "ply\nformat binary_little_endian 1.0\nelement vertex %d\nproperty float x\nproperty float y\nproperty float z\nend_header\n", n)
		} else {
			bw.WriteString("x,y,z\n")
		}
		for i := 0; i < n; i++ {
			rec = rec[:0]
			for k := 0; k < 3; k++ {
				v := rng.Float64()*2000 - 1000
				if kind == "ply" {
					rec = binary.LittleEndian.AppendUint32(rec, math.Float32bits(float32(v)))
				} else {
					if k > 0 {
						rec = append(rec, ',')
					}
					rec = strconv.AppendFloat(rec, v, 'f', 4, 64)
				}
			}
			if kind != "ply" {
				rec = append(rec, '\n')
			}
			bw.Write(rec)
		}
		return bw.Flush()
	})
	if err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, fi.Size()
}

// benchRead reads path b.N times, reporting MB/s of input (wall clock), cpu-MB/s (input
// over the process's user+system CPU time, which a machine shared with other jobs does
// not distort; the read is single-threaded, GC aside) and alloc/points: the bytes
// allocated during one read over the bytes of the parsed points. Everything live at the
// peak was allocated during the read, so this bounds the peak memory ratio from above.
func benchRead(b *testing.B, path string, size int64, pipe bool) {
	b.SetBytes(size)
	var ms0, ms1 runtime.MemStats
	var pointsBytes, allocBytes float64
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		var r io.Reader = f
		if pipe {
			r = onlyReader{f}
		}
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		cpu0 := cpuTime()
		b.StartTimer()
		c, err := Read(r, path, ReadOptions{Format: FormatFromExt(path)})
		b.StopTimer()
		cpu += cpuTime() - cpu0
		runtime.ReadMemStats(&ms1)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if c.N() != *benchPoints {
			b.Fatalf("read %d points, want %d", c.N(), *benchPoints)
		}
		pointsBytes = float64(8 * len(c.Points))
		allocBytes = float64(ms1.TotalAlloc - ms0.TotalAlloc)
		b.StartTimer()
	}
	b.ReportMetric(allocBytes/pointsBytes, "alloc/points")
	b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "cpu-MB/s")
}

func BenchmarkReadPLYBinary(b *testing.B) {
	path, size := benchFile(b, "ply")
	b.Run("file", func(b *testing.B) { benchRead(b, path, size, false) })
	b.Run("pipe", func(b *testing.B) { benchRead(b, path, size, true) })
}

func BenchmarkReadText(b *testing.B) {
	path, size := benchFile(b, "csv")
	b.Run("file", func(b *testing.B) { benchRead(b, path, size, false) })
	b.Run("pipe", func(b *testing.B) { benchRead(b, path, size, true) })
}

// BenchmarkWriteCSV writes an eigenvector table: 1M rows of x, y, z and phi1..phi7.
func BenchmarkWriteCSV(b *testing.B) {
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(3, 5))
	t := &Table{Names: []string{"x", "y", "z", "phi1", "phi2", "phi3", "phi4", "phi5", "phi6", "phi7"}}
	for range t.Names {
		col := make([]float64, n)
		for i := range col {
			col[i] = rng.NormFloat64() / 1000
		}
		t.Columns = append(t.Columns, col)
	}
	var cw countWriter
	if err := WriteCSV(&cw, t); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cw.n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := WriteCSV(io.Discard, t); err != nil {
			b.Fatal(err)
		}
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var parseInputs = [][]byte{[]byte("-523.1234"), []byte("12.5"), []byte("194506.860"), []byte("0.00440925"), []byte("-0.0318636")}

// BenchmarkParseFloat compares the exact fast path with strconv.ParseFloat on typical
// coordinates.
func BenchmarkParseFloat(b *testing.B) {
	b.Run("fast", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			v, _ := parseFloat(parseInputs[i%len(parseInputs)])
			s += v
		}
		sink = s
	})
	b.Run("strconv", func(b *testing.B) {
		s := 0.0
		for i := 0; i < b.N; i++ {
			v, _ := strconv.ParseFloat(string(parseInputs[i%len(parseInputs)]), 64)
			s += v
		}
		sink = s
	})
}

var sink float64
