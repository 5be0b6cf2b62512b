package cloudio

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFileAtomic calls write with a temporary file in path's folder and renames it to
// path only when write succeeded; on failure nothing is left behind. "-" writes to stdout.
func WriteFileAtomic(path string, write func(w io.Writer) error) error {
	return WriteFileAtomicContext(context.Background(), path, write)
}

// WriteFileAtomicContext is WriteFileAtomic that gives up when ctx is done (Ctrl-C):
// writes fail from then on, and the temporary file is removed instead of renamed, so an
// interrupted run leaves no partial output. write gets a buffered writer; the file is
// flushed and synced before the rename, so path holds either the old or the whole new
// content. The file gets path's current permissions, or 0644 for a new file.
func WriteFileAtomicContext(ctx context.Context, path string, write func(w io.Writer) error) error {
	if path == "-" {
		bw := bufio.NewWriterSize(ctxWriter{ctx, os.Stdout}, flushAt)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close() // may already be closed; the error is moot either way
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(ctxWriter{ctx, f}, flushAt)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	done = true
	return nil
}

// ctxWriter fails every write once ctx is done, which stops a long write promptly.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
