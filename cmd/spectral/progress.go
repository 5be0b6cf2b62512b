package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/spectral-dev/spectral/pkg/embed"
)

// progress shows the pipeline on stderr. Each finished stage gets a line with its
// duration ("kernel  0.31s"). During the solve, a terminal gets a live bar rewritten in
// place (percentage of the way, in log scale, from the first residual to the tolerance,
// and a time left once its estimate is stable); a log or CI gets a plain line every few
// seconds instead.
type progress struct {
	mu         sync.Mutex
	w          io.Writer
	tty        bool
	every      time.Duration
	now        func() time.Time // the throttle's clock (tests replace it)
	last       time.Time
	stage      string
	stageStart time.Duration // Elapsed at the current stage's start
	lineLen    int
	eta        etaEstimator
	frac       float64 // solve progress shown so far (never moves back)
	lastEvent  embed.Event
	lastAt     time.Time     // wall time of lastEvent
	stop       chan struct{} // ends the terminal's ticker
	done       chan struct{}
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, every: 5 * time.Second, now: time.Now}
	p.eta.target = 0x1p-53 // until the first restart says the solver's (Event.Target)
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.every = true, 200*time.Millisecond
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.tick()
	}
	return p
}

// tick redraws the terminal's line between events, so that a long stage (a kernel cache
// fill, a slow restart) shows its time running rather than a frozen one.
func (p *progress) tick() {
	defer close(p.done)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.stage != "" && p.stage != "done" && p.now().Sub(p.last) >= p.every {
				e := p.lastEvent
				e.Elapsed += p.now().Sub(p.lastAt)
				p.live(p.liveLine(e))
				p.last = p.now()
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) update(e embed.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastEvent, p.lastAt = e, p.now()
	if e.Stage != p.stage {
		p.endStage(e)
		p.stage, p.stageStart = e.Stage, e.Elapsed
		p.last = time.Time{}
		if e.Stage == "done" {
			return
		}
	}
	if e.Stage == "solve" && e.Restart > 0 {
		if t := max(e.Target, 0x1p-53); t != p.eta.target {
			// The solver's own stopping point (tol 0 means 1e-10 for the block solver),
			// or a fallback to Lanczos: a new target and a new history.
			p.eta = etaEstimator{target: t}
		}
		p.eta.add(e.Elapsed, e.MaxResidual)
	}
	if !p.tty && (e.Stage != "solve" || e.Restart == 0) {
		return // a log gets each stage's line when it ends
	}
	now := p.now()
	if !p.last.IsZero() && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	if p.tty {
		p.live(p.liveLine(e))
	} else {
		fmt.Fprintln(p.w, p.solveLine(e))
	}
}

// endStage prints the stage that e ends, with its duration.
func (p *progress) endStage(e embed.Event) {
	if p.stage == "" {
		return
	}
	p.clearLive()
	line := fmt.Sprintf("%-6s %7.2fs", p.stage, (e.Elapsed - p.stageStart).Seconds())
	if p.stage == "solve" && e.Stage == "done" {
		line += fmt.Sprintf("  %d restarts, %d products, %d/%d converged", e.Restart, e.MatVecs, e.Converged, e.K)
	}
	fmt.Fprintln(p.w, line)
}

// solveLine is the state of the solve, for a log.
func (p *progress) solveLine(e embed.Event) string {
	line := fmt.Sprintf("solve  %7.1fs  restart %d  converged %d/%d  products %d  residual %.1e",
		(e.Elapsed - p.stageStart).Seconds(), e.Restart, e.Converged, e.K, e.MatVecs, e.MaxResidual)
	return line + "  " + p.eta.describe()
}

// liveLine is the terminal's line: a bar during the solve, the stage and its time before.
func (p *progress) liveLine(e embed.Event) string {
	secs := (e.Elapsed - p.stageStart).Seconds()
	if e.Stage != "solve" || e.Restart == 0 {
		return fmt.Sprintf("%-6s %7.1fs", e.Stage, secs)
	}
	p.frac = max(p.frac, p.eta.fraction())
	const width = 24
	fill := int(p.frac * width)
	bar := strings.Repeat("#", fill) + strings.Repeat(".", width-fill)
	return fmt.Sprintf("solve [%s] %3.0f%%  %.1fs  converged %d/%d  residual %.1e  %s",
		bar, 100*p.frac, secs, e.Converged, e.K, e.MaxResidual, p.eta.describe())
}

func (p *progress) live(line string) {
	pad := max(p.lineLen-len(line), 0)
	fmt.Fprintf(p.w, "\r%s%*s", line, pad, "")
	p.lineLen = len(line)
}

func (p *progress) clearLive() {
	if p.tty && p.lineLen > 0 {
		fmt.Fprintf(p.w, "\r%*s\r", p.lineLen, "")
		p.lineLen = 0
	}
}

// finish ends the live line; safe on a nil *progress (quiet runs).
func (p *progress) finish() {
	if p == nil {
		return
	}
	if p.stop != nil {
		close(p.stop)
		<-p.done
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLive()
}

// etaEstimator predicts the time left in the solve from the measured rate at which the
// log of the largest residual falls, fitted by least squares over the latest third of the
// solve so far (recent enough to follow a change of pace, long enough to smooth the
// restart-to-restart swings of Lanczos residuals). Lanczos often speeds up as pairs lock,
// so the estimate is the time left at the current rate, usually an overestimate, and the
// line says so. It gives an estimate only once it is
// stable: the residual has fallen over the window by at least 1/20 of the way still to
// go, and the predicted finish times of the last stableN restarts agree within stableTol
// of the time left. A residual that stops
// falling gives no estimate at all, rather than one that grows without bound.
type etaEstimator struct {
	target   float64 // the residual at which the solver stops
	t        []float64
	logr     []float64
	finishes []float64 // predicted finish times (seconds since the start) of recent restarts
	first    float64   // log of the first residual
}

const (
	etaMinPoints = 5
	stableN      = 3
	stableTol    = 0.25
)

func (q *etaEstimator) add(elapsed time.Duration, res float64) {
	if !(res > 0) || math.IsInf(res, 0) {
		return
	}
	if len(q.t) == 0 {
		q.first = math.Log(res)
	}
	q.t = append(q.t, elapsed.Seconds())
	q.logr = append(q.logr, math.Log(res))
	if left, ok := q.fit(); ok {
		q.finishes = append(q.finishes, q.t[len(q.t)-1]+left)
	} else {
		q.finishes = q.finishes[:0]
	}
	if len(q.finishes) > stableN {
		q.finishes = q.finishes[len(q.finishes)-stableN:]
	}
}

// fit is the time left by the least-squares rate over the latest third of the solve.
func (q *etaEstimator) fit() (float64, bool) {
	n := len(q.t)
	if n < etaMinPoints {
		return 0, false
	}
	now := q.t[n-1]
	from := now - (now-q.t[0])/3
	lo := n - 1
	for lo > 0 && q.t[lo-1] >= from {
		lo--
	}
	lo = min(lo, n-etaMinPoints)
	var st, sl, stt, stl float64
	m := float64(n - lo)
	for i := lo; i < n; i++ {
		st += q.t[i]
		sl += q.logr[i]
		stt += q.t[i] * q.t[i]
		stl += q.t[i] * q.logr[i]
	}
	den := m*stt - st*st
	if den <= 0 {
		return 0, false
	}
	slope := (m*stl - st*sl) / den // d log(residual) / dt, negative while converging
	rest := q.logr[n-1] - math.Log(q.target)
	// Over the window the residual must have fallen by at least 1/20 of the way still to
	// go; slower than that, the time left would be over 10x the window and no honest
	// estimate (a stalled residual would make it grow without bound).
	if !(slope < 0) || q.logr[lo]-q.logr[n-1] < rest/20 || -slope*(q.t[n-1]-q.t[lo]) < rest/20 {
		return 0, false
	}
	return max(rest/-slope, 0), true
}

// stalled reports a residual that has not fallen over the latest third of the solve.
func (q *etaEstimator) stalled() bool {
	n := len(q.t)
	if n < 2*etaMinPoints {
		return false
	}
	from := q.t[n-1] - (q.t[n-1]-q.t[0])/3
	best := math.Inf(1)
	for i := n - 1; i >= 0 && q.t[i] >= from; i-- {
		best = min(best, q.logr[i])
	}
	// Not below what it was before the window, by 1%: stalled.
	for i := 0; i < n && q.t[i] < from; i++ {
		if q.logr[i] <= best+0.01 {
			return true
		}
	}
	return false
}

// estimate is the time left once stable.
func (q *etaEstimator) estimate() (time.Duration, bool) {
	if len(q.finishes) < stableN {
		return 0, false
	}
	lo, hi := q.finishes[0], q.finishes[0]
	for _, f := range q.finishes {
		lo, hi = min(lo, f), max(hi, f)
	}
	now := q.t[len(q.t)-1]
	left := q.finishes[len(q.finishes)-1] - now
	if hi-lo > stableTol*max(left, 1) {
		return 0, false
	}
	return time.Duration(left * float64(time.Second)), true
}

// fraction is how far the residual has come, in log scale, from the first to the target.
func (q *etaEstimator) fraction() float64 {
	n := len(q.logr)
	if n == 0 {
		return 0
	}
	total := q.first - math.Log(q.target)
	if total <= 0 {
		return 0.99
	}
	return min(max((q.first-q.logr[n-1])/total, 0), 0.99)
}

// describe says what the estimator knows, for the progress line.
func (q *etaEstimator) describe() string {
	if d, ok := q.estimate(); ok {
		return fmt.Sprintf("~%s left at the current rate", d.Round(time.Second))
	}
	if q.stalled() {
		return "time left unknown: the residual is not falling"
	}
	return "estimating time left"
}

// clearLine erases the live line so that a warning starts on a clean line; the next
// update redraws it. Safe on a nil *progress (quiet runs).
func (p *progress) clearLine() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearLive()
}
