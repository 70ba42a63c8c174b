package signature

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
)

// allowedSigner is one line of an allowed-signers list.
type allowedSigner struct {
	principals    string
	key           ssh.PublicKey
	namespaces    string // pattern list; empty admits every namespace
	validAfter    time.Time
	validBefore   time.Time
	certAuthority bool
}

// parseAllowedSigners reads an allowed-signers list in ssh-keygen's format:
// "principals [options] keytype base64-key [comment]" per line, with
// comments and blank lines ignored. The options it knows are namespaces,
// valid-after, valid-before and cert-authority; any other is an error, so
// that no restriction is silently dropped.
func parseAllowedSigners(b []byte) ([]allowedSigner, error) {
	var out []allowedSigner
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		bad := func(reason string) error {
			return fmt.Errorf("allowed signers line %d: %w: %s", n+1, git.ErrInvalidKey, reason)
		}
		principals, rest, ok := cutPrincipals(line)
		if !ok {
			return nil, bad("no key after the principals")
		}
		key, _, options, _, err := ssh.ParseAuthorizedKey([]byte(rest))
		if err != nil {
			return nil, bad("cannot parse key")
		}
		s := allowedSigner{principals: principals, key: key}
		for _, o := range options {
			name, value, hasValue := strings.Cut(o, "=")
			value = strings.Trim(value, `"`)
			switch strings.ToLower(name) {
			case "cert-authority":
				s.certAuthority = true
			case "namespaces":
				s.namespaces = value
			case "valid-after", "valid-before":
				t, err := parseValidity(value)
				if err != nil || !hasValue {
					return nil, bad("cannot parse " + name)
				}
				if strings.EqualFold(name, "valid-after") {
					s.validAfter = t
				} else {
					s.validBefore = t
				}
			default:
				return nil, bad("unknown option " + name)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// cutPrincipals splits the principals field, quoted or not, from the rest
// of an allowed-signers line.
func cutPrincipals(line string) (string, string, bool) {
	var principals, rest string
	if strings.HasPrefix(line, `"`) {
		end := strings.IndexByte(line[1:], '"')
		if end < 0 {
			return "", "", false
		}
		principals, rest = line[1:end+1], line[end+2:]
	} else {
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			return "", "", false
		}
		principals, rest = line[:i], line[i:]
	}
	rest = strings.TrimSpace(rest)
	return principals, rest, principals != "" && rest != ""
}

// parseValidity reads a valid-after or valid-before time as ssh-keygen
// writes it: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, in UTC with a
// trailing "Z", else in local time.
func parseValidity(v string) (time.Time, error) {
	loc := time.Local
	if s, ok := strings.CutSuffix(v, "Z"); ok {
		v, loc = s, time.UTC
	}
	layouts := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}
	layout, ok := layouts[len(v)]
	if !ok {
		return time.Time{}, fmt.Errorf("bad time %q", v)
	}
	return time.ParseInLocation(layout, v, loc)
}

// admits reports whether the line lets key sign in namespace ns at time
// at (the zero time skips the validity window).
func (s allowedSigner) admits(key ssh.PublicKey, ns string, at time.Time) bool {
	if s.certAuthority || !bytes.Equal(s.key.Marshal(), key.Marshal()) {
		return false
	}
	if s.namespaces != "" && !matchPatternList(ns, s.namespaces) {
		return false
	}
	if !at.IsZero() {
		if !s.validAfter.IsZero() && at.Before(s.validAfter) {
			return false
		}
		if !s.validBefore.IsZero() && !at.Before(s.validBefore) {
			return false
		}
	}
	return true
}

// matchPatternList matches s against a comma-separated list of OpenSSH
// patterns ("*" and "?" wildcards, "!" negates): a negated match refuses,
// otherwise any positive match admits.
func matchPatternList(s, list string) bool {
	found := false
	for p := range strings.SplitSeq(list, ",") {
		p = strings.TrimSpace(p)
		neg := strings.HasPrefix(p, "!")
		if neg {
			p = p[1:]
		}
		if wildcardMatch(p, s) {
			if neg {
				return false
			}
			found = true
		}
	}
	return found
}

// wildcardMatch matches s against pattern, where "*" matches any run of
// characters and "?" any one character.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
