package git_test

import (
	"errors"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/version"
)

func TestParseURL(t *testing.T) {
	ok := map[string]string{
		"https://example.com/org/app.git":        "https://example.com/org/app.git",
		"http://127.0.0.1:8080/app.git":          "http://127.0.0.1:8080/app.git",
		"ssh://git@example.com:2222/org/app.git": "ssh://git@example.com:2222/org/app.git",
		"git@example.com:org/app.git":            "ssh://git@example.com/org/app.git",
		"example.com:org/app.git":                "ssh://example.com/org/app.git",
		"deploy@example.com:/srv/git/app.git":    "ssh://deploy@example.com/srv/git/app.git",
		"git://example.com/app.git":              "git://example.com/app.git",
		"file:///srv/git/app.git":                "file:///srv/git/app.git",
	}
	for in, want := range ok {
		g := NewWithT(t)
		u, err := git.ParseURL(in)
		g.Expect(err).NotTo(HaveOccurred(), in)
		g.Expect(u.String()).To(Equal(want))
	}
	bad := map[string]error{
		"":                           git.ErrInvalidURL,
		"app.git":                    git.ErrInvalidURL,
		"https://example.com":        git.ErrInvalidURL,
		"https:///app.git":           git.ErrInvalidURL,
		"https://exa mple.com/a.git": git.ErrInvalidURL,
		"file://remote-host/app.git": git.ErrInvalidURL,
		"ext::ssh -o ProxyCommand=x": git.ErrUnsupportedScheme,
		"fd::17":                     git.ErrUnsupportedScheme,
		"gopher://example.com/a.git": git.ErrUnsupportedScheme,
		"https://u:topsecret@[::1/a": git.ErrInvalidURL,
		"gopher://u:topsecret@example.com/a.git?token=topsecret#topsecret": git.ErrUnsupportedScheme,
		"https://example.com/?access_token=topsecret":                      git.ErrInvalidURL,
	}
	for in, want := range bad {
		g := NewWithT(t)
		_, err := git.ParseURL(in)
		g.Expect(err).To(MatchError(want), in)
		var urlErr *git.URLError
		g.Expect(errors.As(err, &urlErr)).To(BeTrue())
		g.Expect(err.Error()).NotTo(ContainSubstring("topsecret"))
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"https://u:pw-secret@example.com/a.git", "git@h:a.git", "ext::x", "file:///a", "http://[::1/a", "a:#:pw-secret@", "gopher://h/a?pw-secret", "a:pw-secret@://h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := git.ParseURL(s)
		if err != nil {
			var urlErr *git.URLError
			if !errors.As(err, &urlErr) {
				t.Fatalf("untyped error %T", err)
			}
			// A password sits before an "@", a token in a query or fragment.
			msg := err.Error()
			if strings.Contains(msg, "pw-secret@") || strings.Contains(msg, "?pw-secret") || strings.Contains(msg, "#pw-secret") {
				t.Fatalf("error leaks the password: %v", err)
			}
			return
		}
		switch u.Scheme {
		case git.SchemeHTTP, git.SchemeHTTPS, git.SchemeSSH, git.SchemeGit, git.SchemeFile:
		default:
			t.Fatalf("accepted scheme %q", u.Scheme)
		}
	})
}

func TestErrors(t *testing.T) {
	g := NewWithT(t)
	cause := errors.New("boom")
	op := &git.OpError{Op: "clone", URL: "https://example.com/a.git", Kind: git.ErrUnreachable, Err: cause}
	g.Expect(op).To(MatchError(git.ErrUnreachable))
	g.Expect(op).To(MatchError(cause))
	g.Expect(op.Error()).To(Equal("clone https://example.com/a.git: server unreachable: boom"))
	g.Expect((&git.OpError{Op: "clone", URL: "u", Err: cause}).Error()).To(Equal("clone u: boom"))

	hk := &git.HostKeyError{Host: "h:22", Err: git.ErrHostKeyMismatch}
	g.Expect(hk).To(MatchError(git.ErrHostKeyMismatch))
	g.Expect(hk.Error()).To(ContainSubstring("h:22"))

	nc := &git.NoChangeError{Commit: &git.Commit{Hash: git.Hash{Algorithm: version.SHA1, Hex: strings.Repeat("a", 40)}, Reference: "refs/heads/main"}}
	g.Expect(nc).To(MatchError(git.ErrNoChange))
	g.Expect(nc.Error()).To(ContainSubstring("main@sha1:"))

	tag := git.Tag{Name: "v1", Hash: git.Hash{Algorithm: version.SHA1, Hex: "1"}, Target: git.Hash{Algorithm: version.SHA1, Hex: "1"}}
	g.Expect(tag.IsAnnotated()).To(BeFalse())
	tag.Tagger = &git.Signature{Name: "n"}
	g.Expect(tag.IsAnnotated()).To(BeTrue())
	g.Expect(git.ShortReference("refs/tags/v1")).To(Equal("v1"))
}
