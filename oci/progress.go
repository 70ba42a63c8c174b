package oci

import (
	"io"
	"sync"
)

// Progress reports how far a transfer went, in bytes of the artifact's
// compressed layer: enough for a CLI to draw a bar.
type Progress struct {
	// Done is the number of bytes sent or received so far.
	Done int64
	// Total is the number of bytes to transfer, as the manifest declares.
	Total int64
}

// ProgressFunc receives progress reports. It is called from the goroutine
// doing the transfer, after each chunk read (often, so a CLI should
// throttle its redraws), and a last time with Done == Total when the
// transfer succeeds. A retried upload starts Done again from 0. It must
// return quickly and must not call back into the Client.
type ProgressFunc func(Progress)

// progressReader counts the bytes read through it.
type progressReader struct {
	r     io.Reader
	fn    ProgressFunc
	total int64

	mu   sync.Mutex
	done int64
}

// newProgressReader wraps r; fn may be nil, then r is returned as it is.
func newProgressReader(r io.Reader, total int64, fn ProgressFunc) io.Reader {
	if fn == nil {
		return r
	}
	return &progressReader{r: r, fn: fn, total: total}
}

// Read implements io.Reader.
func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.mu.Lock()
		p.done += int64(n)
		done := p.done
		p.mu.Unlock()
		p.fn(Progress{Done: done, Total: p.total})
	}
	return n, err
}

// finish reports a completed transfer.
func finish(fn ProgressFunc, total int64) {
	if fn != nil {
		fn(Progress{Done: total, Total: total})
	}
}
