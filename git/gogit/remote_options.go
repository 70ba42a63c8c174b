package gogit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/sluice-dev/sluice/git"
)

// remote builds the go-git view of u and auth with the client's options:
// proxy, progress and capability tweaks. op names the operation in errors.
func (c *Client) remote(op string, u *url.URL, auth *git.AuthOptions) (*remote, error) {
	r, err := newRemote(u.String(), u.Redacted(), u.Scheme, auth)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", op, u.Redacted(), err)
	}
	if p := c.opts.proxy; p.URL != "" {
		scheme, _, _ := strings.Cut(p.URL, ":")
		switch {
		case u.Scheme == git.SchemeHTTP, u.Scheme == git.SchemeHTTPS,
			u.Scheme == git.SchemeSSH && strings.HasPrefix(scheme, "socks5"):
		default:
			return nil, &git.OpError{Op: op, URL: u.Redacted(), Kind: git.ErrUnsupportedScheme,
				Err: fmt.Errorf("%s remotes cannot go through a %s proxy", u.Scheme, scheme)}
		}
		r.proxy = p
		if p.Password != "" {
			r.secrets = append(r.secrets, p.Password, url.QueryEscape(p.Password), url.PathEscape(p.Password))
		}
	}
	if c.opts.progress != nil || c.opts.progressWriter != nil {
		r.progress = &progressSink{fn: c.opts.progress, w: c.opts.progressWriter}
	}
	if c.opts.multiACK && (u.Scheme == git.SchemeHTTP || u.Scheme == git.SchemeHTTPS) {
		inner, _ := r.auth.(githttp.AuthMethod)
		r.auth = &multiACKAuth{inner: inner}
	}
	return r, nil
}

// list asks the remote for its reference advertisement, with peeled tags
// appended as "<name>^{}".
func (r *remote) list(ctx context.Context) ([]*plumbing.Reference, error) {
	rem := gogit.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: gogit.DefaultRemoteName, URLs: []string{r.url}})
	return rem.ListContext(ctx, &gogit.ListOptions{
		Auth:          r.auth,
		CABundle:      r.caBundle,
		ClientCert:    r.clientCert,
		ClientKey:     r.clientKey,
		PeelingOption: gogit.AppendPeeled,
		ProxyOptions:  r.proxy,
	})
}

// fail classifies err (see classify and, for an SSH server's refusal,
// explainRefusal) and keeps the proxy password out of its message.
func (r *remote) fail(ctx context.Context, op string, err error) error {
	proxyAuth := r.proxy.URL != "" && isProxyAuthFailure(err)
	err = r.explainRefusal(ctx, op, r.classify(ctx, op, err))
	var classified *git.OpError
	if proxyAuth && errors.As(err, &classified) && (classified.Kind == nil || errors.Is(classified.Kind, git.ErrUnreachable)) {
		classified.Kind = git.ErrAuthenticationFailed
	}
	msg := err.Error()
	leak := false
	for _, s := range r.secrets {
		if strings.Contains(msg, s) {
			leak = true
		}
	}
	if !leak {
		return err
	}
	var oe *git.OpError
	if !errors.As(err, &oe) {
		return &redactedError{msg: r.redact(msg), err: err}
	}
	out := *oe
	out.Err = &redactedError{msg: r.redact(oe.Err.Error()), err: oe.Err}
	return &out
}

// isProxyAuthFailure reports whether err is a proxy refusing the client's
// credentials: a 407 answer to a forwarded request or to CONNECT, or a
// SOCKS5 username/password failure.
func isProxyAuthFailure(err error) bool {
	var ue *plumbing.UnexpectedError
	if errors.As(err, &ue) {
		err = ue.Err // go-git's UnexpectedError does not unwrap.
	}
	var he *githttp.Err
	if errors.As(err, &he) && he.StatusCode() == http.StatusProxyAuthRequired {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, http.StatusText(http.StatusProxyAuthRequired)) ||
		strings.Contains(msg, "username/password authentication failed")
}

func (r *remote) redact(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, "xxxxx")
	}
	return s
}

// redactedError is an error whose message had a secret removed. It unwraps
// to the original, so errors.Is and errors.As still see the cause.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// submoduleError carries the already classified error of a submodule clone
// through code that would otherwise classify it again.
type submoduleError struct{ err error }

func (e *submoduleError) Error() string { return e.err.Error() }
func (e *submoduleError) Unwrap() error { return e.err }

// progressSink receives go-git's sideband progress: it copies the text to w
// and hands each parsed line to fn.
type progressSink struct {
	fn  func(git.Progress)
	w   io.Writer
	buf []byte
}

// maxProgressLine bounds the partial line kept between writes.
const maxProgressLine = 4096

// Write implements io.Writer. It never fails, so a broken terminal cannot
// abort a clone.
func (p *progressSink) Write(b []byte) (int, error) {
	if p.w != nil {
		_, _ = p.w.Write(b)
	}
	if p.fn == nil {
		return len(b), nil
	}
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexAny(p.buf, "\r\n")
		if i < 0 {
			break
		}
		if pr, ok := git.ParseProgress(string(p.buf[:i])); ok {
			p.fn(pr)
		}
		p.buf = p.buf[i+1:]
	}
	if len(p.buf) > maxProgressLine {
		p.buf = p.buf[:0]
	}
	return len(b), nil
}

// multiACKCapability is what WithMultiACK adds to upload-pack requests.
const multiACKCapability = "multi_ack_detailed"

// multiACKAuth wraps the HTTP auth method of one remote (nil for anonymous
// access) and adds the multi_ack_detailed capability to the first "want"
// line of every upload-pack request. go-git calls SetAuth on each request
// just before sending it, which makes it the one per-call hook into the
// request body; nothing global is touched.
type multiACKAuth struct {
	inner githttp.AuthMethod
}

var _ githttp.AuthMethod = (*multiACKAuth)(nil)

// Name implements transport.AuthMethod.
func (a *multiACKAuth) Name() string {
	if a.inner != nil {
		return a.inner.Name()
	}
	return "anonymous"
}

// String implements transport.AuthMethod; go-git's own methods mask secrets.
func (a *multiACKAuth) String() string {
	if a.inner != nil {
		return a.inner.String()
	}
	return a.Name()
}

// SetAuth implements githttp.AuthMethod.
func (a *multiACKAuth) SetAuth(req *http.Request) {
	if a.inner != nil {
		a.inner.SetAuth(req)
	}
	if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/git-upload-pack") || req.Body == nil {
		return
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err == nil {
		body = addCapability(body, multiACKCapability)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
}

// addCapability adds capability to the first pkt-line of an upload-pack
// request when it is a "want" line that lacks it, and returns the request
// unchanged otherwise.
func addCapability(body []byte, capability string) []byte {
	if len(body) < 4 {
		return body
	}
	n, err := strconv.ParseUint(string(body[:4]), 16, 16)
	if err != nil || n < 4 || int(n) > len(body) {
		return body
	}
	line := body[4:n]
	if !bytes.HasPrefix(line, []byte("want ")) {
		return body
	}
	content := bytes.TrimSuffix(line, []byte("\n"))
	fields := bytes.Fields(content)
	if len(fields) < 2 {
		return body
	}
	for _, f := range fields[2:] {
		if string(f) == capability {
			return body
		}
	}
	newLine := append(append(append([]byte{}, content...), ' '), capability...)
	newLine = append(newLine, '\n')
	if len(newLine)+4 > 0xffff {
		return body
	}
	out := fmt.Appendf(nil, "%04x", len(newLine)+4)
	out = append(out, newLine...)
	return append(out, body[n:]...)
}
