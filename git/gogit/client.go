package gogit

import (
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/sluice-dev/sluice/git"
)

// Client clones into one directory with one set of authentication options.
// Create it with NewClient.
type Client struct {
	dir  string
	auth *git.AuthOptions
	opts clientOptions
}

// NewClient returns a Client that clones into dir with auth, which may be nil
// for anonymous access. dir must be absent or empty when Clone runs.
//
// It returns an error when dir is empty, or the *git.AuthError of
// auth.Validate (ErrInvalidAuth, ErrInsecureHTTP).
func NewClient(dir string, auth *git.AuthOptions, opts ...ClientOption) (*Client, error) {
	if dir == "" {
		return nil, errors.New("new git client: empty directory")
	}
	if err := auth.Validate(); err != nil {
		return nil, fmt.Errorf("new git client: %w", err)
	}
	c := &Client{dir: dir, auth: auth}
	for _, o := range opts {
		o(&c.opts)
	}
	if err := c.opts.validate(); err != nil {
		return nil, fmt.Errorf("new git client: %w", err)
	}
	return c, nil
}

// Dir returns the directory the client clones into.
func (c *Client) Dir() string { return c.dir }

// checkURL parses rawURL, applies the client's transport policy, and returns
// the URL to hand go-git (without a password) and the credentials of the
// URL's user info, if any.
func (c *Client) checkURL(rawURL string) (*url.URL, *git.AuthOptions, error) {
	u, err := git.ParseURL(rawURL)
	if err != nil {
		return nil, nil, err
	}
	if u.Scheme == git.SchemeFile && !c.opts.fileProtocol {
		return nil, nil, &git.URLError{URL: u.Redacted(), Err: git.ErrUnsupportedScheme}
	}
	auth := c.auth
	if auth != nil && auth.Scheme != u.Scheme {
		return nil, nil, &git.AuthError{Key: "url", Reason: fmt.Sprintf("options built for %s, URL is %s", auth.Scheme, u.Scheme), Err: git.ErrInvalidAuth}
	}
	if pw, ok := u.User.Password(); ok && (u.Scheme == git.SchemeHTTP || u.Scheme == git.SchemeHTTPS) {
		if auth.HasCredentials() || (auth != nil && auth.Username != "") {
			return nil, nil, &git.AuthError{Key: "url", Reason: "credentials both in the URL and in the options", Err: git.ErrInvalidAuth}
		}
		a := git.AuthOptions{Scheme: u.Scheme, Username: u.User.Username(), Password: pw}
		if auth != nil {
			a.CAFile, a.AllowInsecureHTTP = auth.CAFile, auth.AllowInsecureHTTP
		}
		auth = &a
		u.User = nil
	}
	if err := auth.Validate(); err != nil {
		return nil, nil, err
	}
	if u.Scheme == git.SchemeSSH && auth == nil {
		return nil, nil, &git.AuthError{Key: git.KeyKnownHosts, Reason: "required for ssh", Err: git.ErrInvalidAuth}
	}
	return u, auth, nil
}

// prepareDir checks that dir is absent or empty and reports whether it
// existed.
func prepareDir(dir string) (existed bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("clone into %s: %w", dir, err)
	case len(entries) > 0:
		return true, fmt.Errorf("clone into %s: %w", dir, git.ErrTargetNotEmpty)
	}
	return true, nil
}

// cleanDir undoes a failed clone: it removes dir when the clone created it,
// or empties it when it existed (empty) before.
func cleanDir(dir string, existed bool) {
	if !existed {
		_ = os.RemoveAll(dir)
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		_ = os.RemoveAll(dir + string(os.PathSeparator) + e.Name())
	}
}
