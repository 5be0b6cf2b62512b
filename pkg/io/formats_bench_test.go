package cloudio

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReadLAS reads simple1_4.las (LAS 1.4, point format 7, 22,600 points) from
// memory, coordinates only and with the standard fields carried.
func BenchmarkReadLAS(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join(dataDir, "simple1_4.las"))
	if err != nil {
		b.Fatal(err)
	}
	for _, carry := range []bool{false, true} {
		b.Run(fmt.Sprintf("carry=%v", carry), func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for i := 0; i < b.N; i++ {
				if _, err := Read(bytes.NewReader(raw), "b.las", ReadOptions{Carry: carry}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWritePLYCoords writes 10^6 points with 7 phi columns and colours: coordinates
// that float32 holds exactly (float records) against georeferenced ones (double records).
func BenchmarkWritePLYCoords(b *testing.B) {
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(3, 5))
	vals := make([][]float64, 7)
	for j := range vals {
		vals[j] = make([]float64, n)
		for i := range vals[j] {
			vals[j][i] = rng.NormFloat64()
		}
	}
	names := []string{"phi1", "phi2", "phi3", "phi4", "phi5", "phi6", "phi7"}
	rgb := make([]uint8, 3*n)
	for _, kind := range []string{"float", "double"} {
		pts := make([]float64, 3*n)
		for i := range pts {
			v := rng.Float64() * 100
			if kind == "float" {
				v = float64(float32(v))
			} else {
				v += 665171
			}
			pts[i] = v
		}
		b.Run(kind, func(b *testing.B) {
			var size int64
			for i := 0; i < b.N; i++ {
				cw := &countWriter{}
				if err := WritePLY(cw, &PLYOutput{Points: pts, Dim: 3, Props: names, Values: vals, RGB: rgb}); err != nil {
					b.Fatal(err)
				}
				size = cw.n
			}
			b.ReportMetric(float64(size)/n, "bytes/point")
		})
	}
}
