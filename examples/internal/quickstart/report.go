package quickstart

import (
	"fmt"
	"io"
	"time"
)

// StepError is the error of a failed quickstart step.
type StepError struct {
	// Step is the 1-based number of the step.
	Step int
	// Title is what the step set out to show.
	Title string
	// Err is why it did not hold.
	Err error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("quickstart step %d (%s): %v", e.Step, e.Title, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// reporter prints the account of the steps: a line when a step starts and
// one when it ends, with its duration.
type reporter struct {
	w     io.Writer
	n     int
	start time.Time
}

// step runs fn as the next step and prints its outcome. fn returns the
// details to print under the step, one per line.
func (r *reporter) step(title string, fn func() ([]string, error)) error {
	r.n++
	fmt.Fprintf(r.w, "\n[%d] %s\n", r.n, title)
	begin := time.Now()
	details, err := fn()
	took := time.Since(begin)
	for _, d := range details {
		fmt.Fprintf(r.w, "      %s\n", d)
	}
	if err != nil {
		fmt.Fprintf(r.w, "  ✗ failed after %s: %v\n", round(took), err)
		return &StepError{Step: r.n, Title: title, Err: err}
	}
	fmt.Fprintf(r.w, "  ✓ held in %s\n", round(took))
	return nil
}

// note prints a line that belongs to no step.
func (r *reporter) note(format string, args ...any) {
	fmt.Fprintf(r.w, format+"\n", args...)
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	default:
		return d.Round(time.Millisecond)
	}
}
