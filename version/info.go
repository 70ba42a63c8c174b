package version

import (
	"runtime"
	"strings"
)

// Info describes a binary's build: what a controller logs at start and sends
// in its User-Agent. Package buildinfo fills it from the link-time stamp and
// runtime/debug.ReadBuildInfo; tests and tools may build one by hand.
type Info struct {
	// Version is the release, e.g. "v1.2.3". Empty means unknown and is shown
	// as "devel".
	Version string
	// Commit is the VCS revision the binary was built from, e.g. a 40-hex Git
	// commit. Empty means unknown.
	Commit string
	// Date is the commit or build time, RFC 3339. Empty means unknown.
	Date string
	// Platform is "GOOS/GOARCH". Empty means the running binary's
	// runtime.GOOS/runtime.GOARCH.
	Platform string
}

// UserAgent returns a User-Agent header value for component (default
// "sluice" when empty):
//
//	component/v1.2.3 (linux/amd64) commit/abc1234
//
// The commit is cut to 7 characters and left out when unknown. Characters not
// allowed in an HTTP token (spaces, '/', parentheses...) are replaced by '-' in
// component, version and commit, so the value is always a valid header.
func (i Info) UserAgent(component string) string {
	if component == "" {
		component = "sluice"
	}
	v := i.Version
	if v == "" {
		v = "devel"
	}
	platform := i.Platform
	if platform == "" {
		platform = runtime.GOOS + "/" + runtime.GOARCH
	}
	var b strings.Builder
	b.WriteString(token(component))
	b.WriteByte('/')
	b.WriteString(token(v))
	b.WriteString(" (")
	b.WriteString(comment(platform))
	b.WriteByte(')')
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 7 {
			c = c[:7]
		}
		b.WriteString(" commit/")
		b.WriteString(token(c))
	}
	return b.String()
}

// String returns "<version> (commit <commit>, built <date>)", leaving out
// unknown parts.
func (i Info) String() string {
	v := i.Version
	if v == "" {
		v = "devel"
	}
	var extra []string
	if i.Commit != "" {
		extra = append(extra, "commit "+i.Commit)
	}
	if i.Date != "" {
		extra = append(extra, "built "+i.Date)
	}
	if len(extra) == 0 {
		return v
	}
	return v + " (" + strings.Join(extra, ", ") + ")"
}

// token maps s to an RFC 9110 token, replacing other bytes with '-'.
func token(s string) string {
	return strings.Map(func(r rune) rune {
		if isTokenChar(r) {
			return r
		}
		return '-'
	}, s)
}

// comment maps s to text allowed in a User-Agent comment: printable ASCII
// without parentheses or backslash.
func comment(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f || r == '(' || r == ')' || r == '\\' {
			return '-'
		}
		return r
	}, s)
}

func isTokenChar(r rune) bool {
	switch {
	case r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}
