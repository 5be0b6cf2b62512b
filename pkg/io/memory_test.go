package cloudio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// Reading a file allocates at most 1.5x the bytes of the parsed points (the issue's
// memory budget): the points are sized once from the PLY header or a line count, and
// the buffers are small next to them. Everything live at the peak was allocated during
// the read, so the allocated total bounds the peak.
func TestReadFileMemoryBudget(t *testing.T) {
	const n = 500_000
	dir := t.TempDir()
	files := map[string]func(w *bufio.Writer, i int){
		"cloud.ply": func(w *bufio.Writer, i int) {
			var rec [12]byte
			for k := 0; k < 3; k++ {
				binary.LittleEndian.PutUint32(rec[4*k:], math.Float32bits(float32(i*3+k)*0.001))
			}
			w.Write(rec[:])
		},
		"cloud.csv": func(w *bufio.Writer, i int) {
			b := strconv.AppendFloat(nil, float64(i)*0.25, 'f', 3, 64)
			b = append(b, ',')
			b = strconv.AppendFloat(b, float64(-i)*0.125, 'f', 3, 64)
			b = append(b, ",1e-3\n"...)
			w.Write(b)
		},
	}
	for name, row := range files {
		path := filepath.Join(dir, name)
		err := WriteFileAtomic(path, func(w io.Writer) error {
			bw := bufio.NewWriter(w)
			if name == "cloud.ply" {
				fmt.Fprintf(bw, "ply\nformat binary_little_endian 1.0\nelement vertex %d\nproperty float x\nproperty float y\nproperty float z\nend_header\n", n)
			} else {
				bw.WriteString("# generated\nx,y,z\n")
			}
			for i := 0; i < n; i++ {
				row(bw, i)
			}
			return bw.Flush()
		})
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		c, err := ReadFile(path, ReadOptions{})
		runtime.ReadMemStats(&m1)
		if err != nil {
			t.Fatal(err)
		}
		if c.N() != n {
			t.Fatalf("%s: %d points, want %d", name, c.N(), n)
		}
		if c.Points[3*(n-1)] != float64(float32(3*(n-1))*0.001) && c.Points[3*(n-1)] != float64(n-1)*0.25 {
			t.Errorf("%s: last x %v", name, c.Points[3*(n-1)])
		}
		ratio := float64(m1.TotalAlloc-m0.TotalAlloc) / float64(8*len(c.Points))
		if ratio > 1.5 {
			t.Errorf("%s: allocated %.2fx the points' bytes, want <= 1.5", name, ratio)
		}
		os.Remove(path)
	}
}
