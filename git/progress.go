package git

import (
	"strconv"
	"strings"
)

// Progress is one progress report of a server during a fetch, parsed from
// the human-readable lines Git sends on the sideband, such as
// "Counting objects:  50% (5/10)" or "Compressing objects: 100% (3/3), done.".
// A command line tool can draw a bar per Phase from it. It is plain data.
type Progress struct {
	// Phase names the step, such as "Enumerating objects",
	// "Counting objects" or "Compressing objects".
	Phase string
	// Current is the number of items done so far.
	Current int64
	// Total is the number of items the phase handles, 0 when the server
	// does not know it in advance (as for "Enumerating objects").
	Total int64
	// Done reports that the phase finished.
	Done bool
}

// Percent returns how far the phase is, from 0 to 100, or -1 when Total is
// unknown.
func (p Progress) Percent() int {
	if p.Total <= 0 {
		return -1
	}
	pc := p.Current * 100 / p.Total
	return int(min(max(pc, 0), 100))
}

// ParseProgress parses one progress line of Git's sideband, with or without
// the "remote: " prefix the git command line adds and the trailing "\r" or
// "\n". It understands the two shapes Git prints, "<phase>: <n>[, done.]"
// and "<phase>: <pc>% (<n>/<total>)[, <throughput>][, done.]", and reports
// false for any other line (such as "Total 3 (delta 0), reused 0").
func ParseProgress(line string) (Progress, bool) {
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "remote: "))
	phase, rest, ok := strings.Cut(line, ": ")
	if !ok || phase == "" || strings.ContainsAny(phase, ":,%") {
		return Progress{}, false
	}
	rest = strings.TrimSpace(rest)
	p := Progress{Phase: phase}
	fields := strings.Split(rest, ", ")
	for _, f := range fields[1:] {
		if strings.TrimSpace(f) == "done." {
			p.Done = true
		}
	}
	head := strings.TrimSpace(fields[0])
	if pc, counts, isPercent := strings.Cut(head, "% ("); isPercent {
		if _, err := strconv.ParseUint(strings.TrimSpace(pc), 10, 8); err != nil {
			return Progress{}, false
		}
		cur, total, ok := strings.Cut(strings.TrimSuffix(counts, ")"), "/")
		if !ok || !strings.HasSuffix(counts, ")") {
			return Progress{}, false
		}
		var err error
		if p.Current, err = strconv.ParseInt(cur, 10, 64); err != nil || p.Current < 0 {
			return Progress{}, false
		}
		if p.Total, err = strconv.ParseInt(total, 10, 64); err != nil || p.Total < 0 {
			return Progress{}, false
		}
		return p, true
	}
	n, err := strconv.ParseInt(head, 10, 64)
	if err != nil || n < 0 {
		return Progress{}, false
	}
	p.Current = n
	return p, true
}
