package cloudio

import (
	"bytes"
	"fmt"

	"github.com/spectral-dev/spectral/internal/sysmem"
)

// MaxLineBytes is the longest text line the readers accept (64 MiB, a row of several
// million columns): a longer one is an error, not an unbounded buffer. /dev/zero or a
// binary file read as text would otherwise grow one "line" until the process died.
const MaxLineBytes = 64 << 20

// availableMemory is sysmem.Available, a variable so that tests can shrink the machine.
var availableMemory = sysmem.Available

// errLineTooLong is returned by lineReader.next for a line over MaxLineBytes.
var errLineTooLong = fmt.Errorf("the line is longer than %d MiB, the longest text line spectral reads (is this a text point cloud?)", MaxLineBytes>>20)

// presizeValues bounds a pre-allocation of float64 values that comes from a count in the
// input (a line count, a PLY header's element count): at most a quarter of the available
// memory. The count of a file of 10^9 blank lines, or a header that claims 10^12
// vertices, then costs nothing; the slice grows as real values arrive.
func presizeValues(values int64) int64 {
	limit := availableMemory() / 4 / 8
	return max(min(values, limit), 0)
}

// checkTextBytes looks at the start of an input read as delimited text and refuses, in
// one clean line, what is not text: UTF-16 (a byte order mark, or NUL bytes between ASCII
// characters) and binary data (any NUL byte). The raw bytes are never echoed.
func checkTextBytes(src *source) error {
	b, _ := src.br.Peek(min(4096, src.br.Size()))
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xfe}), bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		return fileError(src.name, nil, "UTF-16 text (byte order mark %#x %#x); convert it to UTF-8, e.g. iconv -f UTF-16 -t UTF-8", b[0], b[1])
	}
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return nil
	}
	if looksUTF16(b) {
		return fileError(src.name, nil, "UTF-16 text without a byte order mark (NUL bytes between the characters); convert it to UTF-8, e.g. iconv -f UTF-16LE -t UTF-8")
	}
	return offsetError(src.name, int64(i), nil, "binary data (a NUL byte) that is not PLY, LAS or NumPy .npy; spectral reads delimited text (CSV/TXT/XYZ), PLY, LAS and .npy")
}

// looksUTF16 reports whether the bytes of one parity are nearly all NUL and those of the
// other nearly none, as in ASCII text encoded in UTF-16 (/dev/zero is all NUL: binary).
func looksUTF16(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	var nul [2]int
	for i, c := range b {
		if c == 0 {
			nul[i%2]++
		}
	}
	half := len(b) / 2
	mostly := func(k int) bool { return k >= half*9/10 }
	rarely := func(k int) bool { return k <= half/10 }
	return (mostly(nul[0]) && rarely(nul[1])) || (mostly(nul[1]) && rarely(nul[0]))
}

// growValues is growPoints for a reader that must not outgrow the machine: a growth whose
// new capacity would not fit the available memory (next to the values already held)
// fails with the memory the input needs so far, instead of a Go fatal "out of memory".
func growValues(src *source, p []float64, extra int) ([]float64, error) {
	if len(p)+extra <= cap(p) {
		return p, nil
	}
	next := int64(max(2*cap(p), 1<<16))
	if need, avail := (next+int64(cap(p)))*8, availableMemory(); need > avail {
		return p, fileError(src.name, nil, "the %d values read so far need %s more to go on, but %s of memory is available; subsample the cloud",
			len(p), sysmem.FormatBytes(need), sysmem.FormatBytes(avail))
	}
	return growPoints(p, extra, 0), nil
}
