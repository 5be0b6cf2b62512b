package cloudio

// Issue 11, items 3 and 5: bounded lines, binary and UTF-16 input, long rows, counts that
// must not size an allocation.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spectral-dev/spectral/internal/sysmem"
)

// repeatReader yields b forever (until n bytes when n > 0).
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := int64(len(p))
	if r.n > 0 {
		k = min(k, r.n)
		r.n -= k
	}
	for i := range p[:k] {
		p[i] = r.b
	}
	return int(k), nil
}

func TestLineLongerThanLimit(t *testing.T) {
	// A line of digits with no end, from a pipe: an error at MaxLineBytes, not a buffer
	// that grows until the process dies.
	in := io.MultiReader(strings.NewReader("1,2,"), &repeatReader{b: '7', n: -1})
	_, err := Read(onlyReader{in}, "<stdin>", ReadOptions{})
	var ie *InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "64 MiB") || ie.Line != 1 {
		t.Fatalf("got %v, want an InputError at line 1 naming the 64 MiB limit", err)
	}
}

func TestDevZeroIsBinary(t *testing.T) {
	f, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	start := time.Now()
	_, err = Read(f, "/dev/zero", ReadOptions{})
	if !isInputError(err) || !strings.Contains(err.Error(), "binary data") {
		t.Errorf("/dev/zero: %v, want binary data", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("/dev/zero took %v", d)
	}
	// Binary in general: one clean line, no raw bytes echoed.
	junk := append([]byte("x,y\n1,2\n"), 0, 0x89, 'P', 'N', 'G', 0, 0xff, '\n')
	_, err = Read(bytes.NewReader(junk), "img.csv", ReadOptions{})
	if !isInputError(err) || !strings.Contains(err.Error(), "byte 8") || strings.ContainsAny(err.Error(), "\x00\n") {
		t.Errorf("binary: %q", err)
	}
}

func utf16le(s string, bom bool) []byte {
	var b []byte
	if bom {
		b = append(b, 0xff, 0xfe)
	}
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

func TestUTF16Message(t *testing.T) {
	text := "x,y\n0,0\n1,1\n2,0.5\n"
	for _, bom := range []bool{true, false} {
		_, err := Read(bytes.NewReader(utf16le(text, bom)), "u16.csv", ReadOptions{})
		if !isInputError(err) || !strings.Contains(err.Error(), "UTF-16") || strings.ContainsRune(err.Error(), 0) {
			t.Errorf("bom %v: %q, want a UTF-16 message without NUL bytes", bom, err)
		}
	}
}

// TestVeryWideRow: a 550,000-column file was reported as "only 1 column" because its
// first line did not fit the sniffing buffer.
func TestVeryWideRow(t *testing.T) {
	const cols = 550000
	var sb strings.Builder
	for r := 0; r < 3; r++ {
		for c := 0; c < cols; c++ {
			if c > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "%d", r*10+c%7)
		}
		sb.WriteByte('\n')
	}
	c, err := Read(bytes.NewReader([]byte(sb.String())), "wide.csv", ReadOptions{})
	if err != nil {
		t.Fatalf("wide rows: %v", err)
	}
	want := []float64{0, 1, 2, 10, 11, 12, 20, 21, 22}
	if c.Dim != 3 || !equalFloats(c.Points, want) {
		t.Errorf("got dim %d points %v, want the first three columns %v", c.Dim, c.Points, want)
	}
	// A ragged second row names the field counts, not "only 1 column".
	bad := sb.String()[:strings.IndexByte(sb.String(), '\n')+1] + "1,2\n"
	_, err = Read(bytes.NewReader([]byte(bad)), "wide.csv", ReadOptions{})
	if !isInputError(err) || !strings.Contains(err.Error(), "2 fields, expected 550000") {
		t.Errorf("ragged wide file: %v", err)
	}
}

// TestCountsDoNotSizeAllocations: the line count of a file of blank lines and a PLY
// header's count pre-size the points only up to a share of the available memory.
func TestCountsDoNotSizeAllocations(t *testing.T) {
	// The machine's available memory is pinned: read twice (here and in presizeValues)
	// a live figure moves between the reads, and CI once failed on a 200 KB difference.
	defer func(f func() int64) { availableMemory = f }(availableMemory)
	const avail = 8 << 30
	availableMemory = func() int64 { return avail }
	if got := presizeValues(3e9); got*8 > avail/4 || got*8 < avail/4-8 {
		t.Errorf("presizeValues(3e9) = %d values (%d bytes) with %d bytes available, want a quarter", got, got*8, avail)
	}
	availableMemory = sysmem.Available
	if got := presizeValues(-5); got != 0 {
		t.Errorf("presizeValues(-5) = %d", got)
	}
	// 4 points and many blank lines read as 4 points.
	dir := t.TempDir()
	path := filepath.Join(dir, "blank.csv")
	b := append([]byte("x,y\n0,0\n1,0\n0,1\n1,1\n"), bytes.Repeat([]byte("\n"), 1<<20)...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ReadFile(path, ReadOptions{})
	if err != nil || c.N() != 4 {
		t.Fatalf("blank lines: %v, %v", c, err)
	}
	// A header that claims 10^12 vertices, on a pipe and on a file.
	ply := "ply\nformat ascii 1.0\nelement vertex 1000000000000\nproperty float x\nproperty float y\nend_header\n0 0\n1 1\n"
	for _, r := range []io.Reader{onlyReader{strings.NewReader(ply)}, strings.NewReader(ply)} {
		if _, err := Read(r, "claims.ply", ReadOptions{}); !isInputError(err) || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("claims 10^12 vertices: %v", err)
		}
	}
}

// TestReadRefusedBeyondMemory: a text input larger than the machine fails with the memory
// it needs (here a machine of 4 MiB and 300,000 rows), not with a Go fatal error.
func TestReadRefusedBeyondMemory(t *testing.T) {
	defer func(f func() int64) { availableMemory = f }(availableMemory)
	availableMemory = func() int64 { return 4 << 20 }
	var sb strings.Builder
	sb.WriteString("x,y\n")
	for i := 0; i < 300000; i++ {
		fmt.Fprintf(&sb, "%d,%d\n", i, i%7)
	}
	_, err := Read(onlyReader{strings.NewReader(sb.String())}, "<stdin>", ReadOptions{})
	if !isInputError(err) || !strings.Contains(err.Error(), "4.0 MiB of memory is available") {
		t.Errorf("got %v, want the memory named", err)
	}
	// The same input fits a larger machine.
	availableMemory = func() int64 { return 64 << 20 }
	if c, err := Read(onlyReader{strings.NewReader(sb.String())}, "<stdin>", ReadOptions{}); err != nil || c.N() != 300000 {
		t.Errorf("64 MiB: %v", err)
	}
}
