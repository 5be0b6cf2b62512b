package cloudio

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// readBufSize is the bufio buffer of every reader: large enough that per-call overhead
// vanishes, small next to any cloud worth streaming.
const readBufSize = 1 << 20

// source is an input being read: a buffered reader plus what is known about the rest of
// the stream, which the readers use to size their allocations.
type source struct {
	name string
	br   *bufio.Reader
	// size is the number of bytes from the start of br to the end of the input, or -1
	// when unknown (a pipe). It bounds allocations: a header may claim anything.
	size int64
	// seeker is the reader under br when it can seek (a regular file, a bytes.Reader);
	// the text reader uses it to count lines before parsing, so that it can allocate the
	// points once. nil otherwise.
	seeker io.ReadSeeker
}

func newSource(r io.Reader, name string) *source {
	if cr, ok := r.(contextReader); ok {
		return contextSource(cr, name) // ReadContext
	}
	s := &source{name: name, size: -1}
	switch v := r.(type) {
	case *os.File:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if pos, err := v.Seek(0, io.SeekCurrent); err == nil {
				s.size = fi.Size() - pos
				s.seeker = v
			}
		}
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer
		s.size = int64(v.Len())
		if rs, ok := r.(io.ReadSeeker); ok {
			s.seeker = rs
		}
	}
	bufSize := int64(readBufSize)
	if s.size >= 0 {
		bufSize = min(bufSize, s.size+16) // small inputs get small buffers
	}
	s.br = bufio.NewReaderSize(r, int(bufSize))
	return s
}

// ReadFile reads a cloud from path ("-" = standard input). The format comes from
// opt.Format, else from the extension (.ply; .csv .txt .xyz .tsv), else from the content.
func ReadFile(path string, opt ReadOptions) (*Cloud, error) {
	if path == "-" {
		return Read(os.Stdin, "<stdin>", opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fileError(path, err, "cannot open input")
	}
	defer f.Close()
	if opt.Format == FormatAuto {
		opt.Format = FormatFromExt(path)
	}
	return Read(f, path, opt)
}

// FormatFromExt maps a file name's extension to a format: .ply -> FormatPLY, .csv .txt
// .xyz .tsv -> FormatText, anything else -> FormatAuto (sniff the content).
func FormatFromExt(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ply":
		return FormatPLY
	case ".csv", ".txt", ".xyz", ".tsv":
		return FormatText
	}
	return FormatAuto
}

// Read reads a cloud from r; source names it in errors. With FormatAuto the content
// decides: a first line "ply" means PLY, anything else delimited text.
func Read(r io.Reader, source string, opt ReadOptions) (*Cloud, error) {
	src := newSource(r, source)
	format := opt.Format
	if format == FormatAuto {
		format = sniff(src.br)
	}
	switch format {
	case FormatPLY:
		if len(opt.Columns) > 0 {
			return nil, fileError(source, nil, "--columns applies to delimited text, not PLY (PLY coordinates are the vertex properties x, y, z)")
		}
		return readPLY(src)
	case FormatText:
		return readText(src, opt.Columns)
	}
	return nil, fileError(source, nil, "unknown format %q (want %q or %q)", string(format), FormatText, FormatPLY)
}

// sniff looks at the first bytes: "ply" followed by a line terminator is PLY.
func sniff(br *bufio.Reader) Format {
	b, _ := br.Peek(4)
	if len(b) == 4 && bytes.HasPrefix(b, []byte("ply")) && (b[3] == '\n' || b[3] == '\r') {
		return FormatPLY
	}
	return FormatText
}
