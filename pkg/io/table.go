package cloudio

import (
	"io"
	"os"
	"strconv"
)

// Table is named float64 columns of equal length.
type Table struct {
	Names   []string
	Columns [][]float64
}

// ReadTable reads every column of a delimited text file with a header (such as an
// eigenvectors CSV written by WriteCSV); "-" = standard input. Every value must be a
// finite number. Columns of a file without a header are named "1", "2", ...
func ReadTable(path string) (*Table, error) {
	if path == "-" {
		return ReadTableFrom(os.Stdin, "<stdin>")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err, "cannot open input")
	}
	defer f.Close()
	return ReadTableFrom(f, path)
}

// ReadTableFrom is ReadTable on a reader; source names it in errors.
func ReadTableFrom(r io.Reader, source string) (*Table, error) {
	src := newSource(r, source)
	if err := checkNotBinary(src); err != nil {
		return nil, err
	}
	all := func(header []string, ncols int) ([]int, []string, error) {
		cols := make([]int, ncols)
		names := make([]string, ncols)
		for c := range cols {
			cols[c] = c
			if header != nil {
				names[c] = header[c]
			} else {
				names[c] = strconv.Itoa(c + 1)
			}
		}
		return cols, names, nil
	}
	d, err := readDelimited(src, all)
	if err != nil {
		return nil, err
	}
	t := &Table{Names: d.names, Columns: make([][]float64, len(d.names))}
	nc := len(d.names)
	for c := range t.Columns {
		col := make([]float64, d.rows)
		for i := range col {
			col[i] = d.values[i*nc+c]
		}
		t.Columns[c] = col
	}
	return t, nil
}
