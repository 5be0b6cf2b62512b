package embed

import (
	"context"

	cloudio "github.com/spectral-dev/spectral/pkg/io"
)

// readContext reads opt.Input and returns as soon as ctx is done, whatever the read is
// doing. A read blocked in the kernel (a FIFO with no writer, a pipe whose writer is
// idle: `sleep 30 | spectral embed -`) cannot be interrupted by any Go call, so the read
// runs in its own goroutine and is abandoned on cancellation; a read that is making
// progress stops at its next chunk (cloudio.ReadContext). The abandoned goroutine ends with its
// read or with the process (the CLI exits right after).
func readContext(ctx context.Context, opt Options) (*cloudio.Cloud, error) {
	type result struct {
		c   *cloudio.Cloud
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		if opt.Input == "-" && opt.Stdin != nil {
			r.c, r.err = cloudio.ReadContext(ctx, opt.Stdin, "<stdin>", opt.Read)
		} else {
			r.c, r.err = cloudio.ReadFileContext(ctx, opt.Input, opt.Read)
		}
		done <- r
	}()
	select {
	case r := <-done:
		if ctx.Err() != nil {
			return nil, ctx.Err() // what failed after a cancellation is its consequence
		}
		return r.c, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
