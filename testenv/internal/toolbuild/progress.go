package toolbuild

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// redrawInterval is how often a terminal line with an elapsed time is
// redrawn.
const redrawInterval = time.Second

// Progress writes build progress. On a terminal it redraws one line per
// step, or per wait for another process, with the elapsed time; elsewhere
// it writes one line when a build begins and two around a wait, so CI logs
// stay short.
type Progress struct {
	mu  sync.Mutex
	w   io.Writer
	tty bool
}

// NewProgress returns a Progress writing to w that redraws lines when
// tty is true, whatever w is; pass [IsTerminal](w) to decide by w.
func NewProgress(w io.Writer, tty bool) *Progress {
	return &Progress{w: w, tty: tty}
}

// IsTerminal reports whether w is an *os.File open on a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) //nolint:gosec // a file descriptor fits an int
}

// Line writes one line in every mode.
func (p *Progress) Line(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = fmt.Fprintf(p.w, format+"\n", args...)
}

// End writes the line that closes a build, on a terminal only.
func (p *Progress) End(format string, args ...any) {
	if p.tty {
		p.Line(format, args...)
	}
}

// Step shows what runs and for how long, on a terminal only. The returned
// func stops the display and writes a final line for the step.
func (p *Progress) Step(what string) func(error) {
	if !p.tty {
		return func(error) {}
	}
	start := time.Now()
	stop := p.ticking(func() {
		p.redraw("  %s ... %s", what, time.Since(start).Round(time.Second))
	})
	return func(err error) {
		stop()
		status := "done"
		if err != nil {
			status = "failed"
		}
		p.redraw("  %s ... %s in %s\n", what, status, time.Since(start).Round(time.Second))
	}
}

// Wait shows that the caller waits for another process to build what into
// dir: one line at once and, on a terminal, a line redrawn every second
// with the elapsed time. The returned func ends the display with a closing
// line, the result of the wait, such as "cosign v3.1.3 ready after 12s";
// off a terminal it is written as a second line, prefixed "testenv: ".
func (p *Progress) Wait(what, dir string) func(result string) {
	p.Line("testenv: waiting for another process building %s into %s", what, dir)
	if !p.tty {
		return func(result string) { p.Line("testenv: %s", result) }
	}
	start := time.Now()
	stop := p.ticking(func() {
		p.redraw("  waiting for %s ... %s", what, time.Since(start).Round(time.Second))
	})
	return func(result string) {
		stop()
		p.redraw("  %s\n", result)
	}
}

// ticking calls draw now and then every redrawInterval until the returned
// func is called; that func returns once draw no longer runs.
func (p *Progress) ticking(draw func()) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(redrawInterval)
		defer tick.Stop()
		for {
			draw()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// redraw rewrites the current terminal line.
func (p *Progress) redraw(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = fmt.Fprintf(p.w, "\r\033[K"+format, args...)
}
