package gogit_test

import (
	"bufio"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
)

// httpProxy is an in-test forward proxy: CONNECT tunnels for https:// and
// absolute-form requests for http://, with optional basic proxy auth.
type httpProxy struct {
	srv        *httptest.Server
	user, pass string
	connects   atomic.Int64
	forwards   atomic.Int64
	refused    atomic.Int64
	upstream   *http.Transport
}

func newHTTPProxy(t *testing.T, user, pass string) *httpProxy {
	t.Helper()
	return startHTTPProxy(t, user, pass, false)
}

// newHTTPSProxy is newHTTPProxy listening with TLS; CertPEM returns the
// certificate to trust.
func newHTTPSProxy(t *testing.T) *httpProxy {
	t.Helper()
	return startHTTPProxy(t, "", "", true)
}

func startHTTPProxy(t *testing.T, user, pass string, tls bool) *httpProxy {
	t.Helper()
	p := &httpProxy{user: user, pass: pass, upstream: &http.Transport{}}
	p.srv = httptest.NewUnstartedServer(p)
	if tls {
		p.srv.StartTLS()
	} else {
		p.srv.Start()
	}
	t.Cleanup(func() {
		p.srv.CloseClientConnections()
		p.srv.Close()
		p.upstream.CloseIdleConnections()
	})
	return p
}

// URL returns the proxy URL, with credentials when given.
func (p *httpProxy) URL(user, pass string) string {
	if user == "" {
		return p.srv.URL
	}
	return strings.Replace(p.srv.URL, "://", "://"+user+":"+pass+"@", 1)
}

// CertPEM returns the PEM certificate of a TLS proxy.
func (p *httpProxy) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.srv.Certificate().Raw})
}

func (p *httpProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.user != "" {
		want := "Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass))
		if r.Header.Get("Proxy-Authorization") != want {
			p.refused.Add(1)
			w.Header().Set("Proxy-Authenticate", `Basic realm="proxy"`)
			http.Error(w, "proxy authentication required", http.StatusProxyAuthRequired)
			return
		}
	}
	if r.Method == http.MethodConnect {
		p.connects.Add(1)
		dst, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		hj, ok := w.(http.Hijacker)
		if !ok {
			_ = dst.Close()
			http.Error(w, "no hijacking", http.StatusInternalServerError)
			return
		}
		src, rw, err := hj.Hijack()
		if err != nil {
			_ = dst.Close()
			return
		}
		_, _ = src.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
		pipe(src, rw.Reader, dst)
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "not a proxy request", http.StatusBadRequest)
		return
	}
	p.forwards.Add(1)
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.Header.Del("Proxy-Authorization")
	resp, err := p.upstream.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer func() { _ = resp.Body.Close() }()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// pipe copies between a client connection (whose buffered bytes are in br)
// and dst until either side closes.
func pipe(src net.Conn, br *bufio.Reader, dst net.Conn) {
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(dst, br)
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(src, dst)
		done <- struct{}{}
	}()
	<-done
	_ = src.Close()
	_ = dst.Close()
	<-done
}

// socksProxy is an in-test SOCKS5 server (RFC 1928, CONNECT only) with
// optional username/password authentication (RFC 1929).
type socksProxy struct {
	ln         net.Listener
	user, pass string
	tunnels    atomic.Int64
	refused    atomic.Int64
	wg         sync.WaitGroup
	mu         sync.Mutex
	conns      map[net.Conn]struct{}
}

func newSOCKS5(t *testing.T, user, pass string) *socksProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	p := &socksProxy{ln: ln, user: user, pass: pass, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.track(c, true)
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				defer p.track(c, false)
				p.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *socksProxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = struct{}{}
	} else {
		delete(p.conns, c)
	}
}

// URL returns the proxy URL, with credentials when given.
func (p *socksProxy) URL(user, pass string) string {
	if user == "" {
		return "socks5://" + p.ln.Addr().String()
	}
	return "socks5://" + user + ":" + pass + "@" + p.ln.Addr().String()
}

func (p *socksProxy) serve(c net.Conn) {
	defer func() { _ = c.Close() }()
	br := bufio.NewReader(c)
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(br, hdr); err != nil || hdr[0] != 5 {
		return
	}
	methods := make([]byte, hdr[1])
	if _, err := io.ReadFull(br, methods); err != nil {
		return
	}
	want := byte(0)
	if p.user != "" {
		want = 2
	}
	if !strings.ContainsRune(string(methods), rune(want)) {
		_, _ = c.Write([]byte{5, 0xff})
		return
	}
	_, _ = c.Write([]byte{5, want})
	if want == 2 {
		user, pass, err := readUserPass(br)
		if err != nil {
			return
		}
		if user != p.user || pass != p.pass {
			p.refused.Add(1)
			_, _ = c.Write([]byte{1, 1})
			return
		}
		_, _ = c.Write([]byte{1, 0})
	}
	req := make([]byte, 4)
	if _, err := io.ReadFull(br, req); err != nil || req[0] != 5 || req[1] != 1 {
		return
	}
	var host string
	switch req[3] {
	case 1, 4:
		ip := make(net.IP, map[byte]int{1: 4, 4: 16}[req[3]])
		if _, err := io.ReadFull(br, ip); err != nil {
			return
		}
		host = ip.String()
	case 3:
		n, err := br.ReadByte()
		if err != nil {
			return
		}
		name := make([]byte, n)
		if _, err := io.ReadFull(br, name); err != nil {
			return
		}
		host = string(name)
	default:
		return
	}
	port := make([]byte, 2)
	if _, err := io.ReadFull(br, port); err != nil {
		return
	}
	dst, err := net.Dial("tcp", net.JoinHostPort(host, fmt.Sprint(binary.BigEndian.Uint16(port))))
	if err != nil {
		_, _ = c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	p.tunnels.Add(1)
	_, _ = c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	pipe(c, br, dst)
}

func readUserPass(br *bufio.Reader) (string, string, error) {
	ver, err := br.ReadByte()
	if err != nil || ver != 1 {
		return "", "", errors.New("bad auth version")
	}
	read := func() (string, error) {
		n, err := br.ReadByte()
		if err != nil {
			return "", err
		}
		b := make([]byte, n)
		_, err = io.ReadFull(br, b)
		return string(b), err
	}
	user, err := read()
	if err != nil {
		return "", "", err
	}
	pass, err := read()
	return user, pass, err
}

func TestCloneThroughProxies(t *testing.T) {
	f := newFixture(t)
	httpsAuth, err := git.NewAuthOptions(f.srv.HTTPSURL(f.repo), map[string][]byte{git.KeyCACert: f.srv.CACertPEM()})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	hp := newHTTPProxy(t, "", "")
	hpAuth := newHTTPProxy(t, "proxyuser", "pr0xy-secret")
	sp := newSOCKS5(t, "", "")
	spAuth := newSOCKS5(t, "sockuser", "s0cks-secret")
	tp := newHTTPSProxy(t)
	// The CA bundle trusts the git server and the TLS proxy.
	bothCAs, err := git.NewAuthOptions(f.srv.HTTPSURL(f.repo), map[string][]byte{git.KeyCACert: append(append([]byte{}, f.srv.CACertPEM()...), tp.CertPEM()...)})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())

	tests := []struct {
		name    string
		url     string
		auth    *git.AuthOptions
		proxy   string
		counter func() int64
	}{
		{name: "http via forward proxy", url: f.srv.HTTPURL(f.repo), proxy: hp.URL("", ""), counter: hp.forwards.Load},
		{name: "https via CONNECT proxy", url: f.srv.HTTPSURL(f.repo), auth: httpsAuth, proxy: hp.URL("", ""), counter: hp.connects.Load},
		{name: "https via CONNECT proxy with credentials", url: f.srv.HTTPSURL(f.repo), auth: httpsAuth, proxy: hpAuth.URL("proxyuser", "pr0xy-secret"), counter: hpAuth.connects.Load},
		{name: "https via TLS proxy", url: f.srv.HTTPSURL(f.repo), auth: bothCAs, proxy: tp.URL("", ""), counter: tp.connects.Load},
		{name: "http via socks5", url: f.srv.HTTPURL(f.repo), proxy: sp.URL("", ""), counter: sp.tunnels.Load},
		{name: "https via socks5 with credentials", url: f.srv.HTTPSURL(f.repo), auth: httpsAuth, proxy: spAuth.URL("sockuser", "s0cks-secret"), counter: spAuth.tunnels.Load},
		{name: "ssh via socks5", url: f.srv.SSHURL(f.repo), auth: f.sshAuth(t), proxy: sp.URL("", ""), counter: sp.tunnels.Load},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			before := tt.counter()
			dir := target(t)
			c, err := gogit.NewClient(dir, tt.auth, gogit.WithProxy(tt.proxy))
			g.Expect(err).NotTo(HaveOccurred())
			commit, err := c.Clone(t.Context(), tt.url, git.CloneOptions{Reference: git.CheckoutReference{SemVer: "1.x"}})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(commit.Hash.Hex).To(Equal(f.c2))
			g.Expect(readFile(t, dir, "README.md")).To(Equal("two\n"))
			g.Expect(tt.counter()-before).To(BeNumerically(">=", 2), "ls-remote and fetch both went through the proxy")
		})
	}
}

func TestProxyFailures(t *testing.T) {
	f := newFixture(t)
	httpsAuth, err := git.NewAuthOptions(f.srv.HTTPSURL(f.repo), map[string][]byte{git.KeyCACert: f.srv.CACertPEM()})
	NewWithT(t).Expect(err).NotTo(HaveOccurred())
	hp := newHTTPProxy(t, "proxyuser", "pr0xy-secret")
	sp := newSOCKS5(t, "sockuser", "s0cks-secret")
	closed := newHTTPProxy(t, "", "")
	closedURL := closed.URL("", "")
	closed.srv.Close()

	tests := []struct {
		name  string
		url   string
		auth  *git.AuthOptions
		proxy string
		want  error
	}{
		{name: "wrong proxy password, CONNECT", url: f.srv.HTTPSURL(f.repo), auth: httpsAuth, proxy: hp.URL("proxyuser", "wr0ng-secret"), want: git.ErrAuthenticationFailed},
		{name: "wrong proxy password, forward", url: f.srv.HTTPURL(f.repo), proxy: hp.URL("proxyuser", "wr0ng-secret"), want: git.ErrAuthenticationFailed},
		{name: "wrong socks password", url: f.srv.HTTPSURL(f.repo), auth: httpsAuth, proxy: sp.URL("sockuser", "wr0ng-secret")},
		{name: "proxy down", url: f.srv.HTTPURL(f.repo), proxy: strings.Replace(closedURL, "http://", "http://u:wr0ng-secret@", 1), want: git.ErrUnreachable},
		{name: "ssh through http proxy", url: f.srv.SSHURL(f.repo), auth: f.sshAuth(t), proxy: hp.URL("proxyuser", "wr0ng-secret"), want: git.ErrUnsupportedScheme},
		{name: "git daemon through proxy", url: f.srv.GitURL(f.repo), proxy: sp.URL("", ""), want: git.ErrUnsupportedScheme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			dir := target(t)
			c, err := gogit.NewClient(dir, tt.auth, gogit.WithProxy(tt.proxy))
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Clone(t.Context(), tt.url, git.CloneOptions{})
			g.Expect(err).To(HaveOccurred())
			if tt.want != nil {
				g.Expect(err).To(MatchError(tt.want))
			}
			var opErr *git.OpError
			g.Expect(errorsAs(err, &opErr)).To(BeTrue(), "%v", err)
			g.Expect(err.Error()).NotTo(ContainSubstring("wr0ng-secret"))
			g.Expect(dir).NotTo(BeAnExistingFile())
		})
	}
	g := NewWithT(t)
	g.Expect(hp.refused.Load()).To(BeNumerically(">=", 2))
	g.Expect(sp.refused.Load()).To(BeNumerically(">=", 1))
}

func TestWithProxyInvalid(t *testing.T) {
	tests := []struct {
		proxy string
		want  error
	}{
		{proxy: "ftp://user:pr0xy-secret@proxy:21", want: git.ErrUnsupportedScheme},
		{proxy: "http://user:pr0xy-secret@", want: git.ErrInvalidURL},
		{proxy: "http://user:pr0xy-secret@proxy:3128/path", want: git.ErrInvalidURL},
		{proxy: "http://user:pr0xy-secret@proxy:3128\x7f", want: git.ErrInvalidURL},
		{proxy: "proxy:3128", want: git.ErrUnsupportedScheme},
	}
	for _, tt := range tests {
		t.Run(tt.proxy, func(t *testing.T) {
			g := NewWithT(t)
			_, err := gogit.NewClient(target(t), nil, gogit.WithProxy(tt.proxy))
			g.Expect(err).To(MatchError(tt.want))
			var urlErr *git.URLError
			g.Expect(errorsAs(err, &urlErr)).To(BeTrue())
			g.Expect(err.Error()).NotTo(ContainSubstring("pr0xy-secret"))
		})
	}
}
