package toolbuild

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// Progress writes build progress. On a terminal it redraws one line per
// step with the elapsed time; elsewhere it writes one line when a build
// begins, so CI logs stay short.
type Progress struct {
	mu  sync.Mutex
	w   io.Writer
	tty bool
}

// NewProgress returns a Progress writing to w, redrawing lines when w is a
// terminal.
func NewProgress(w io.Writer) *Progress {
	p := &Progress{w: w}
	if f, ok := w.(*os.File); ok {
		p.tty = term.IsTerminal(int(f.Fd())) //nolint:gosec // a file descriptor fits an int
	}
	return p
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
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			p.redraw("  %s ... %s", what, time.Since(start).Round(time.Second))
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	return func(err error) {
		close(stop)
		wg.Wait()
		status := "done"
		if err != nil {
			status = "failed"
		}
		p.redraw("  %s ... %s in %s\n", what, status, time.Since(start).Round(time.Second))
	}
}

// redraw rewrites the current terminal line.
func (p *Progress) redraw(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = fmt.Fprintf(p.w, "\r\033[K"+format, args...)
}
