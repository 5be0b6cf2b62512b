package cloudio

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
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
// content. The file gets the current permissions of what path names, or 0644 for a new
// file.
//
// A symbolic link is written through: the temporary file goes to the folder of the
// link's final target and is renamed onto the target, so the link stays a link. A target
// that is not a regular file (/dev/null, a FIFO) cannot be replaced by a rename and is
// written in place.
func WriteFileAtomicContext(ctx context.Context, path string, write func(w io.Writer) error) error {
	if path == "-" {
		bw := bufio.NewWriterSize(ctxWriter{ctx, os.Stdout}, flushAt)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	target, err := ResolveOutput(path)
	if err != nil {
		return writeError(path, err)
	}
	fi, statErr := os.Stat(target)
	if statErr == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return fmt.Errorf("write %s: is a folder", path)
		}
		return writeInPlace(ctx, path, target, write)
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, tmp, err := createTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return writeError(path, err)
	}
	done := false
	defer func() {
		if !done {
			f.Close() // may already be closed; the error is moot either way
			removeTemp(tmp)
		}
	}()
	bw := bufio.NewWriterSize(ctxWriter{ctx, f}, flushAt)
	if err := write(bw); err != nil {
		return writeError(path, err)
	}
	if err := bw.Flush(); err != nil {
		return writeError(path, err)
	}
	mode := os.FileMode(0o644)
	if statErr == nil {
		mode = fi.Mode().Perm()
	}
	if err := f.Chmod(mode); err != nil {
		return writeError(path, err)
	}
	if err := f.Sync(); err != nil {
		return writeError(path, err)
	}
	if err := f.Close(); err != nil {
		return writeError(path, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := renameTemp(tmp, target); err != nil {
		return writeError(path, err)
	}
	done = true
	return nil
}

// writeInPlace writes a target that a rename cannot replace (a device, a FIFO).
func writeInPlace(ctx context.Context, path, target string, write func(w io.Writer) error) error {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return writeError(path, err)
	}
	bw := bufio.NewWriterSize(ctxWriter{ctx, f}, flushAt)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return writeError(path, err)
	}
	return nil
}

// writeError names the output once: "write out.csv: no space left on device", not the
// temporary file's name nor the word "write" twice. Context errors stay matchable.
func writeError(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		err = le.Err
	}
	return fmt.Errorf("write %s: %w", path, err)
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

// The temporary files being written, so that a process that must exit at once (a second
// Ctrl-C, or a read blocked in the kernel that no context can interrupt) can remove them
// first: see RemoveTempFiles.
var temps struct {
	sync.Mutex
	live   map[string]struct{}
	closed bool // RemoveTempFiles ran: no new temporary file, no rename
}

var errShuttingDown = errors.New("interrupted")

func createTemp(dir, pattern string) (*os.File, string, error) {
	temps.Lock()
	defer temps.Unlock()
	if temps.closed {
		return nil, "", errShuttingDown
	}
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, "", err
	}
	if temps.live == nil {
		temps.live = map[string]struct{}{}
	}
	temps.live[f.Name()] = struct{}{}
	return f, f.Name(), nil
}

func removeTemp(tmp string) {
	temps.Lock()
	defer temps.Unlock()
	os.Remove(tmp)
	delete(temps.live, tmp)
}

// renameTemp renames under the lock, so that RemoveTempFiles sees either the temporary
// file (and removes it) or the finished output, never a half-renamed state.
func renameTemp(tmp, target string) error {
	temps.Lock()
	defer temps.Unlock()
	if temps.closed {
		return errShuttingDown
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	delete(temps.live, tmp)
	return nil
}

// RemoveTempFiles removes every temporary file of a write in progress and makes later
// writes fail (createTemp and renameTemp check closed under the same lock), so that the
// process can exit at once and leave no partial output.
func RemoveTempFiles() {
	temps.Lock()
	defer temps.Unlock()
	temps.closed = true
	for tmp := range temps.live {
		os.Remove(tmp)
	}
	temps.live = nil
}
