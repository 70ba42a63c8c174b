package gogit

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"

	gogit "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/sideband"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/sluice-dev/sluice/git"
)

// remote is what every go-git call against one URL needs: the URL without
// its password, the auth method, TLS material, and the host key verdict of
// the SSH callback.
type remote struct {
	url        string
	redacted   string
	auth       transport.AuthMethod
	caBundle   []byte
	clientCert []byte
	clientKey  []byte
	hostKeys   *hostKeyState
	// proxy, progress and secrets are set by Client.remote (remote_options.go).
	proxy    transport.ProxyOptions
	progress sideband.Progress
	secrets  []string
}

// hostKeyState records the first host key failure of an SSH callback, so
// that it survives however go-git wraps it.
type hostKeyState struct {
	mu  sync.Mutex
	err *git.HostKeyError
}

func (s *hostKeyState) set(err *git.HostKeyError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

func (s *hostKeyState) get() *git.HostKeyError {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// newRemote builds the go-git view of auth for u. auth may be nil.
func newRemote(u string, redacted string, scheme string, auth *git.AuthOptions) (*remote, error) {
	r := &remote{url: u, redacted: redacted}
	if auth == nil {
		return r, nil
	}
	switch scheme {
	case git.SchemeHTTP, git.SchemeHTTPS:
		r.caBundle = auth.CAFile
		r.clientCert, r.clientKey = auth.TLSCert, auth.TLSKey
		switch {
		case auth.BearerToken != "":
			r.auth = &githttp.TokenAuth{Token: auth.BearerToken}
		case auth.Username != "" || auth.Password != "":
			r.auth = &githttp.BasicAuth{Username: auth.Username, Password: auth.Password}
		}
	case git.SchemeSSH:
		signer, err := auth.Signer()
		if err != nil {
			return nil, &git.AuthError{Key: git.KeyIdentity, Reason: "cannot parse private key", Err: git.ErrInvalidAuth}
		}
		cb, algs, err := knownHostsCallback(auth.KnownHosts)
		if err != nil {
			return nil, &git.AuthError{Key: git.KeyKnownHosts, Reason: "cannot load", Err: errors.Join(git.ErrInvalidAuth, err)}
		}
		r.hostKeys = &hostKeyState{}
		state := r.hostKeys
		r.auth = &sshAuth{
			user:   auth.Username,
			signer: signer,
			algs:   algs,
			callback: func(host string, addr net.Addr, key ssh.PublicKey) error {
				err := cb(host, addr, key)
				if err == nil {
					return nil
				}
				kind := git.ErrUnknownHost
				var ke *knownhosts.KeyError
				if errors.As(err, &ke) && len(ke.Want) > 0 {
					kind = git.ErrHostKeyMismatch
				}
				he := &git.HostKeyError{Host: host, Err: errors.Join(kind, err)}
				state.set(he)
				return he
			},
		}
	}
	return r, nil
}

// knownHostsCallback builds a knownhosts callback from known_hosts content,
// through a short-lived temporary file as knownhosts reads files only, and
// lists the key algorithms known_hosts holds, so that the server is asked for
// a key the callback can check.
func knownHostsCallback(b []byte) (ssh.HostKeyCallback, []string, error) {
	f, err := os.CreateTemp("", "sluice-known-hosts-*")
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = os.Remove(f.Name()) }()
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	if err := f.Close(); err != nil {
		return nil, nil, err
	}
	cb, err := knownhosts.New(f.Name())
	if err != nil {
		return nil, nil, err
	}
	var algs []string
	seen := map[string]bool{}
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			algs = append(algs, a)
		}
	}
	rest := b
	for {
		_, _, key, _, r, err := ssh.ParseKnownHosts(rest)
		if err != nil {
			break
		}
		rest = r
		if key.Type() == ssh.KeyAlgoRSA {
			add(ssh.KeyAlgoRSASHA512)
			add(ssh.KeyAlgoRSASHA256)
		}
		add(key.Type())
	}
	return cb, algs, nil
}

// sshAuth is a go-git SSH auth method with our host key callback and host
// key algorithms.
type sshAuth struct {
	user     string
	signer   ssh.Signer
	algs     []string
	callback ssh.HostKeyCallback
}

var _ gitssh.AuthMethod = (*sshAuth)(nil)

// Name implements transport.AuthMethod.
func (a *sshAuth) Name() string { return gitssh.PublicKeysName }

// String implements transport.AuthMethod without revealing the key.
func (a *sshAuth) String() string { return "user: " + a.user + ", name: " + a.Name() }

// ClientConfig implements gitssh.AuthMethod.
func (a *sshAuth) ClientConfig() (*ssh.ClientConfig, error) {
	return &ssh.ClientConfig{
		User:              a.user,
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(a.signer)},
		HostKeyCallback:   a.callback,
		HostKeyAlgorithms: a.algs,
	}, nil
}

// classify turns a go-git error into a *git.OpError with the matching
// sentinel of package git.
func (r *remote) classify(ctx context.Context, op string, err error) error {
	if he := r.hostKeys.get(); he != nil {
		return &git.OpError{Op: op, URL: r.redacted, Err: he}
	}
	var kind error
	var noMatch gogit.NoMatchingRefSpecError
	var dnsErr *net.DNSError
	var netErr *net.OpError
	msg := err.Error()
	switch {
	case ctx.Err() != nil:
		kind = ctx.Err()
	case errors.Is(err, transport.ErrRepositoryNotFound):
		kind = git.ErrRepositoryNotFound
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed),
		strings.Contains(msg, "unable to authenticate"):
		kind = git.ErrAuthenticationFailed
	case errors.Is(err, plumbing.ErrReferenceNotFound), errors.As(err, &noMatch),
		errors.Is(err, transport.ErrEmptyRemoteRepository), errors.Is(err, plumbing.ErrObjectNotFound),
		strings.Contains(msg, "couldn't find remote ref"), strings.Contains(msg, "not our ref"):
		kind = git.ErrReferenceNotFound
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.As(err, &dnsErr), errors.As(err, &netErr),
		strings.Contains(msg, "connection refused"):
		kind = git.ErrUnreachable
	}
	return &git.OpError{Op: op, URL: r.redacted, Kind: kind, Err: err}
}
