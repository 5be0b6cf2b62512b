// Package cloudio reads point clouds (PLY in its three encodings, delimited text, LAS,
// NumPy .npy) from files or standard input, writes tables, PLY, .npy and model files
// atomically, and reads the models back.
//
// Data enters as a path or an io.Reader and leaves as a Cloud: float64 points, row-major,
// with the names of the coordinate columns. Readers stream: they never hold the raw file
// and the parsed points at once. Every malformed input is reported as an *InputError that
// names the source and the line (text) or byte offset (binary).
//
// Layout: sniff.go picks the format (signature, extension, "ply" magic); ply.go holds the
// PLY structures and readPLY, ply_header.go the header parser, ply_binary.go the binary
// body (a block decoder for fixed-size vertex records), ply_ascii.go the ascii body and
// lines.go the line reader it shares with text.go; las.go and npy.go read LAS and .npy
// (npy.go also writes it); carry.go keeps the other per-point properties for PLY output;
// model.go reads and writes model files (spectral extend); text.go sniffs the
// delimiter and header of delimited text and parses only the chosen columns; parse.go is
// the float parser; write.go and atomic.go write CSV/PLY through a temporary file (through
// a symbolic link to its target); paths.go checks before any work that no output is the
// input or another output and that every output can be written; limits.go bounds lines
// (MaxLineBytes), pre-sizing and growth by the available memory and refuses binary and
// UTF-16 input in one line; context.go reads with cancellation.
//
// Memory: the points are allocated once, sized from the PLY header (bounded by the file
// size, since a header may claim anything) or from a line count of a seekable text file,
// so a file read allocates about 1.0x the parsed points. Input of unknown size (a pipe)
// grows the points as it goes (about 2x at the peak). A count from the input sizes at most
// a quarter of the available memory, and a text read that would outgrow the machine stops
// with an error naming the memory.
package cloudio

import (
	"fmt"
)

// Format names an input encoding family.
type Format string

const (
	FormatAuto Format = ""    // from the extension, or sniffed on stdin
	FormatText Format = "csv" // delimited text: .csv .txt .xyz .tsv
	FormatPLY  Format = "ply"
	FormatLAS  Format = "las" // ASPRS LAS 1.0-1.4 (.las; LAZ is recognised and refused)
	FormatNPY  Format = "npy" // NumPy .npy, an N x 2 or N x 3 float array
)

// Cloud is a parsed point cloud.
type Cloud struct {
	Points []float64 // N x Dim, row-major, in input order
	Dim    int       // 2 or 3
	Names  []string  // coordinate column names, len Dim
	Format string    // e.g. "csv", "ply binary_little_endian"
	Source string    // the path, or "<stdin>"
	// Props are the input's other per-point values (colours, normals, intensity, scalar
	// fields), read only with ReadOptions.Carry, so that outputs can carry them through.
	Props []Prop
}

// Prop is one per-point property of the input: its name, the PLY type that holds its
// values exactly ("uchar", "ushort", "float", "double", ...), and one value per point.
type Prop struct {
	Name   string
	Type   string
	Values []float64
}

// N is the number of points.
func (c *Cloud) N() int {
	if c.Dim == 0 {
		return 0
	}
	return len(c.Points) / c.Dim
}

// ReadOptions control how a cloud is read.
type ReadOptions struct {
	Format  Format   // FormatAuto: from the extension or sniffed
	Columns []string // coordinate columns of a delimited file, by name or 1-based index
	Carry   bool     // also read the other per-point properties into Cloud.Props
}

// InputError is bad input: a malformed file, an unsupported dimension, a NaN. The CLI maps
// it to exit status 2.
type InputError struct {
	Source string // path or "<stdin>"
	Line   int    // 1-based text line, 0 when not applicable
	Offset int64  // byte offset from the start of the file (binary PLY), -1 when not applicable
	Msg    string
	Err    error // optional cause
}

func (e *InputError) Error() string {
	loc := e.Source
	switch {
	case e.Line > 0:
		loc = fmt.Sprintf("%s line %d", e.Source, e.Line)
	case e.Offset >= 0:
		loc = fmt.Sprintf("%s byte %d", e.Source, e.Offset)
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", loc, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

func (e *InputError) Unwrap() error { return e.Err }

// lineError is an InputError at a 1-based text line.
func lineError(src string, line int, err error, format string, args ...any) *InputError {
	return &InputError{Source: src, Line: line, Offset: -1, Msg: fmt.Sprintf(format, args...), Err: err}
}

// offsetError is an InputError at a byte offset of a binary file.
func offsetError(src string, off int64, err error, format string, args ...any) *InputError {
	return &InputError{Source: src, Offset: off, Msg: fmt.Sprintf(format, args...), Err: err}
}

// fileError is an InputError about the input as a whole.
func fileError(src string, err error, format string, args ...any) *InputError {
	return &InputError{Source: src, Offset: -1, Msg: fmt.Sprintf(format, args...), Err: err}
}
