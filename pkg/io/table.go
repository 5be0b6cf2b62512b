package cloudio

import (
	"fmt"
	"io"
)

// Table is named float64 columns of equal length.
type Table struct {
	Names   []string
	Columns [][]float64
}

// ReadTable reads every column of a delimited text file with a header (such as an
// eigenvectors CSV written by WriteCSV); "-" = standard input.
func ReadTable(path string) (*Table, error) {
	return nil, fmt.Errorf("cloudio.ReadTable: not implemented")
}

// WriteCSV writes a header row and one row per entry, floats in shortest round-trip form.
func WriteCSV(w io.Writer, t *Table) error {
	return fmt.Errorf("cloudio.WriteCSV: not implemented")
}

// PLYOutput is what WritePLY writes: points, extra float properties, optional colours.
type PLYOutput struct {
	Points []float64 // N x Dim (2D clouds are written with z = 0)
	Dim    int
	Props  []string    // extra float property names
	Values [][]float64 // one column per property, each of length N
	RGB    []uint8     // 3 per point, or nil
}

// WritePLY writes a binary little-endian PLY.
func WritePLY(w io.Writer, p *PLYOutput) error {
	return fmt.Errorf("cloudio.WritePLY: not implemented")
}

// WriteFileAtomic calls write with a temporary file in path's folder and renames it to
// path only when write succeeded; on failure nothing is left behind. "-" writes to stdout.
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	return fmt.Errorf("cloudio.WriteFileAtomic: not implemented")
}
