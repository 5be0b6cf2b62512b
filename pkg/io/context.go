package cloudio

import (
	"bufio"
	"context"
	"io"
	"os"
)

// ReadContext is Read that stops at the next chunk of input once ctx is done, returning
// the context's error. A read blocked in the kernel (an idle pipe, a FIFO with no writer)
// is not interrupted: callers that must return at once run it in a goroutine (see
// pkg/embed's readContext).
func ReadContext(ctx context.Context, r io.Reader, source string, opt ReadOptions) (*Cloud, error) {
	c, err := Read(contextReader{ctx, r}, source, opt)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return c, err
}

// ReadFileContext is ReadFile with ReadContext's cancellation.
func ReadFileContext(ctx context.Context, path string, opt ReadOptions) (*Cloud, error) {
	if path == "-" {
		return ReadContext(ctx, os.Stdin, "<stdin>", opt)
	}
	f, opt, err := openInput(path, opt)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadContext(ctx, f, path, opt)
}

// contextReader fails every read once ctx is done. newSource looks through it for the
// size and seekability of the reader under it.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// contextSource is newSource for a contextReader: sized from the reader under it, read
// through the context check.
func contextSource(cr contextReader, name string) *source {
	s := newSource(cr.r, name)
	s.br = bufio.NewReaderSize(cr, s.br.Size())
	return s
}
