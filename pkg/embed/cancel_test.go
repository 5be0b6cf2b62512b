package embed

import (
	"context"
	"errors"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestRunCancelledWhileReadingFIFO: a read blocked in the kernel (a FIFO with no writer)
// does not hold Run: it returns context.Canceled as soon as the context is cancelled.
func TestRunCancelledWhileReadingFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "in.csv")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := Run(ctx, Options{Input: fifo, Sigma: 1, Device: "cpu"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Run returned %v after the start, want right after the cancel at 100 ms", d)
	}
	// Unblock the abandoned open so that its goroutine ends with the test.
	go func() {
		if f, err := openWriteNonblock(fifo); err == nil {
			f.Close()
		}
	}()
}

func openWriteNonblock(path string) (interface{ Close() error }, error) {
	fd, err := syscall.Open(path, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	return fdCloser(fd), nil
}

type fdCloser int

func (f fdCloser) Close() error { return syscall.Close(int(f)) }
