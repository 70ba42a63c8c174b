package measure

import (
	"os/exec"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"
)

// HeapSampler records the peak live heap while a benchmark runs.
type HeapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

// heapObjects is the runtime metric for bytes in live and unswept heap
// objects.
const heapObjects = "/memory/classes/heap/objects:bytes"

// SampleHeap starts a sampler after a GC, so the peak is the benchmark's.
func SampleHeap() *HeapSampler {
	runtime.GC()
	s := &HeapSampler{stop: make(chan struct{})}
	sample := []metrics.Sample{{Name: heapObjects}}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			s.peak = max(s.peak, sample[0].Value.Uint64())
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Report stops the sampler and reports the peak heap in MB.
func (s *HeapSampler) Report(b *testing.B) {
	close(s.stop)
	s.done.Wait()
	b.ReportMetric(float64(s.peak)/1e6, "peak-MB")
}

// MaxRSS returns the peak resident set of a finished command in bytes.
func MaxRSS(cmd *exec.Cmd) uint64 {
	if cmd.ProcessState == nil {
		return 0
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if ru.Maxrss < 0 {
		return 0
	}
	return uint64(ru.Maxrss) * 1024 // kilobytes on Linux
}
