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
	f, opt, err := openInput(path, opt)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, path, opt)
}

// openInput opens path for ReadFile and ReadFileContext, with the format from its
// extension when opt does not give one.
func openInput(path string, opt ReadOptions) (*os.File, ReadOptions, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, opt, fileError(path, err, "cannot open input")
	}
	if opt.Format == FormatAuto {
		opt.Format = FormatFromExt(path)
	}
	return f, opt, nil
}

// FormatFromExt maps a file name's extension to a format: .ply -> FormatPLY, .las .laz ->
// FormatLAS, .npy -> FormatNPY, .csv .txt .xyz .tsv -> FormatText, anything else ->
// FormatAuto (sniff the content).
func FormatFromExt(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ply":
		return FormatPLY
	case ".las", ".laz":
		return FormatLAS
	case ".npy":
		return FormatNPY
	case ".csv", ".txt", ".xyz", ".tsv":
		return FormatText
	}
	return FormatAuto
}

// Read reads a cloud from r; source names it in errors. With FormatAuto the content
// decides: "LASF" means LAS, "\x93NUMPY" a .npy array, a first line "ply" PLY, anything
// else delimited text (binary data is refused).
func Read(r io.Reader, source string, opt ReadOptions) (*Cloud, error) {
	src := newSource(r, source)
	format := opt.Format
	// A LAS or NumPy signature is never valid text, so it wins over a text extension.
	if m := sniffMagic(src.br); m != FormatAuto && (format == FormatAuto || format == FormatText) {
		format = m
	}
	if format == FormatAuto {
		format = sniff(src.br)
	}
	if len(opt.Columns) > 0 && format != FormatText {
		return nil, fileError(source, nil, "--columns applies to delimited text, not %s (its coordinates are x, y, z)", strings.ToUpper(string(format)))
	}
	switch format {
	case FormatPLY:
		return readPLY(src, opt.Carry)
	case FormatLAS:
		return readLAS(src, opt.Carry)
	case FormatNPY:
		return readNPY(src)
	case FormatText:
		if err := checkNotBinary(src); err != nil {
			return nil, err
		}
		if opt.Carry {
			return readTextCarry(src, opt.Columns)
		}
		return readText(src, opt.Columns)
	}
	return nil, fileError(source, nil, "unknown format %q (want %q, %q, %q or %q)", string(format), FormatText, FormatPLY, FormatLAS, FormatNPY)
}

// sniffMagic recognises the binary formats by their signature: "LASF" (LAS and LAZ) and
// "\x93NUMPY" (.npy). FormatAuto otherwise.
func sniffMagic(br *bufio.Reader) Format {
	b, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(b, []byte("LASF")):
		return FormatLAS
	case bytes.HasPrefix(b, []byte(npyMagic)):
		return FormatNPY
	}
	return FormatAuto
}

// checkNotBinary refuses input that is not text where text is wanted (UTF-16 or a NUL
// byte: checkTextBytes; a LAS or .npy signature; mostly control bytes in its first 4 KiB)
// with one line, instead of a text parser's error quoting raw bytes.
func checkNotBinary(src *source) error {
	b, _ := src.br.Peek(min(4096, src.br.Size()))
	binaryErr := func() error {
		n := min(len(b), 4)
		return offsetError(src.name, 0, nil, "binary data where delimited text is wanted (first bytes % x); spectral reads clouds from delimited text, PLY, LAS and .npy, and tables from delimited text", b[:n])
	}
	if sniffMagic(src.br) != FormatAuto {
		return binaryErr()
	}
	if err := checkTextBytes(src); err != nil {
		return err
	}
	ctrl := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			ctrl++
		}
	}
	if len(b) > 0 && 10*ctrl >= len(b) {
		return binaryErr()
	}
	return nil
}

// sniff looks at the first bytes: "ply" followed by a line terminator is PLY.
func sniff(br *bufio.Reader) Format {
	b, _ := br.Peek(4)
	if len(b) == 4 && bytes.HasPrefix(b, []byte("ply")) && (b[3] == '\n' || b[3] == '\r') {
		return FormatPLY
	}
	return FormatText
}
