package policy_test

import (
	"errors"
	"testing"

	"github.com/sluice-dev/sluice/version"
	"github.com/sluice-dev/sluice/version/policy"
)

func FuzzPolicy(f *testing.F) {
	f.Add(uint8(0), "", "", "", "v1.2.3", "1.10.0")
	f.Add(uint8(1), `^main-[a-f0-9]+-(?P<ts>[0-9]+)`, "$ts", "", "main-abc-10", "main-def-9")
	f.Add(uint8(2), `^main-[a-f0-9]+-(?P<ts>[0-9]+)`, "${ts}", "", "main-abc-10", "main-def-9")
	f.Add(uint8(2), `(\d+)`, "$1x", "", "1", "2")
	f.Add(uint8(0), `(?P<v>.*)`, "$v", "^1.2", "1.2.3", "v1.2.3")
	f.Add(uint8(3), "(", "$", ">=", "", "")
	f.Add(uint8(4), `-(\d+)\.(\d+)$`, "$2.$1", "", "a-1.2", "b-2.1")
	f.Add(uint8(0), "", "", "", "1.0.0+b", "v1.0.0+a")
	f.Add(uint8(0), "", "", ">=1.0.0-0", "1.0.0-rc.01+a", "v1.0.0-rc.1")
	f.Fuzz(func(t *testing.T, mode uint8, pattern, extract, rng, a, b string) {
		o := policy.Options{
			Kind:    policy.Kind(mode % 3),
			Order:   policy.Order(mode / 3 % 2),
			Pattern: pattern,
			Extract: extract,
			Range:   rng,
		}
		p, err := policy.New(o)
		if err != nil {
			if !errors.Is(err, policy.ErrInvalidPolicy) {
				t.Fatalf("New error is not ErrInvalidPolicy: %v", err)
			}
			return
		}
		ab, errAB := p.Latest([]string{a, b})
		if o.Kind == policy.SemVer && pattern == "" {
			agreeWithSortTags(t, rng, []string{a, b}, ab, errAB)
		}
		ba, errBA := p.Latest([]string{b, a})
		if (errAB == nil) != (errBA == nil) || ab != ba {
			t.Fatalf("order dependent: [%q %q] -> %q, %v; reversed -> %q, %v", a, b, ab, errAB, ba, errBA)
		}
		if errAB != nil {
			if !errors.Is(errAB, policy.ErrNoMatch) {
				t.Fatalf("Latest error is not ErrNoMatch: %v", errAB)
			}
			return
		}
		if ab != a && ab != b {
			t.Fatalf("Latest returned %q, not one of the tags", ab)
		}
		// The winner alone still wins.
		if one, err := p.Latest([]string{ab}); err != nil || one != ab {
			t.Fatalf("Latest([%q]) = %q, %v", ab, one, err)
		}
	})
}

// agreeWithSortTags fails unless latest (or ErrNoMatch) is what
// version.SortTags gives for a semver policy with range rng and no pattern.
func agreeWithSortTags(t *testing.T, rng string, tags []string, latest string, err error) {
	t.Helper()
	if rng == "" {
		rng = "*"
	}
	c, perr := version.ParseConstraint(rng)
	if perr != nil {
		t.Fatalf("policy.New accepted range %q that version.ParseConstraint rejects: %v", rng, perr)
	}
	sorted := version.SortTags(tags, version.TagOptions{Constraint: &c})
	if len(sorted) == 0 {
		if !errors.Is(err, policy.ErrNoMatch) {
			t.Fatalf("SortTags(%q) is empty but Latest = %q, %v", tags, latest, err)
		}
		return
	}
	if want := sorted[len(sorted)-1].Original(); err != nil || latest != want {
		t.Fatalf("Latest(%q) = %q, %v; SortTags sorts %q last", tags, latest, err, want)
	}
}
