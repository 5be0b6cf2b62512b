package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/spectral-dev/spectral/pkg/embed"
)

// progress shows the pipeline's stage on stderr: a live line rewritten in place on a
// terminal, plain lines every few seconds otherwise (logs, CI).
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	every    time.Duration
	last     time.Time
	stage    string
	lineLen  int
	firstRes float64 // largest residual at the first restart, for the time estimate
	firstAt  time.Duration
	firstRst int
	target   float64 // the residual at which the solver stops (its tol, or eps)
}

func newProgress(w io.Writer, tol float64) *progress {
	p := &progress{w: w, every: 5 * time.Second, target: max(tol, 0x1p-53)}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.every = true, 200*time.Millisecond
	}
	return p
}

func (p *progress) update(e embed.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e.Stage == "warning" { // said at once, before a long solve (graph components)
		if p.tty && p.lineLen > 0 {
			fmt.Fprintln(p.w)
			p.lineLen = 0
		}
		fmt.Fprintf(p.w, "warning: %s\n", e.Warning)
		return
	}
	now := time.Now()
	newStage := e.Stage != p.stage
	p.stage = e.Stage
	if e.Stage == "solve" && e.Restart > 0 && p.firstRes == 0 && e.MaxResidual > 0 {
		p.firstRes, p.firstAt, p.firstRst = e.MaxResidual, e.Elapsed, e.Restart
	}
	if e.Stage == "done" || (!newStage && now.Sub(p.last) < p.every) {
		return
	}
	p.last = now
	line := fmt.Sprintf("%-6s %6.1fs", e.Stage, e.Elapsed.Seconds())
	if e.Stage == "solve" && e.Restart > 0 {
		line += fmt.Sprintf("  restart %d  converged %d/%d  products %d  residual %.1e", e.Restart, e.Converged, e.K, e.MatVecs, e.MaxResidual)
		if eta, ok := p.remaining(e); ok {
			line += fmt.Sprintf("  ~%s left", eta.Round(time.Second))
		}
	}
	if p.tty {
		pad := max(p.lineLen-len(line), 0)
		fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
		p.lineLen = len(line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

// remaining extrapolates the geometric decay of the largest residual since the first
// restart down to the solver's tolerance: a rough guide, shown only once the decay is
// established.
func (p *progress) remaining(e embed.Event) (time.Duration, bool) {
	if p.firstRes == 0 || e.Restart-p.firstRst < 3 || e.MaxResidual <= 0 || e.MaxResidual >= p.firstRes {
		return 0, false
	}
	perRestart := (e.Elapsed - p.firstAt) / time.Duration(e.Restart-p.firstRst)
	rate := math.Log(p.firstRes/e.MaxResidual) / float64(e.Restart-p.firstRst)
	left := math.Log(e.MaxResidual/p.target) / rate
	if left < 0 || left > 1e6 {
		return 0, false
	}
	return time.Duration(left * float64(perRestart)), true
}

// finish ends the live line; safe on a nil *progress (quiet runs).
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.lineLen > 0 {
		fmt.Fprintf(p.w, "\r%*s\r", p.lineLen, "")
	}
}
