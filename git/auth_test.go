package git_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/sluice-dev/sluice/git"
)

type keys struct {
	identity, encrypted, knownHosts, cert, key []byte
}

func newKeys(t *testing.T) keys {
	t.Helper()
	g := NewWithT(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	g.Expect(err).NotTo(HaveOccurred())
	block, err := ssh.MarshalPrivateKey(priv, "")
	g.Expect(err).NotTo(HaveOccurred())
	enc, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("key-passphrase"))
	g.Expect(err).NotTo(HaveOccurred())
	sshPub, err := ssh.NewPublicKey(pub)
	g.Expect(err).NotTo(HaveOccurred())

	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	g.Expect(err).NotTo(HaveOccurred())
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
	g.Expect(err).NotTo(HaveOccurred())
	keyDER, err := x509.MarshalECPrivateKey(ecKey)
	g.Expect(err).NotTo(HaveOccurred())
	return keys{
		identity:   pem.EncodeToMemory(block),
		encrypted:  pem.EncodeToMemory(enc),
		knownHosts: []byte(knownhosts.Line([]string{"example.com"}, sshPub) + "\n"),
		cert:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		key:        pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
	}
}

func TestNewAuthOptions(t *testing.T) {
	k := newKeys(t)
	const (
		https  = "https://example.com/org/app.git"
		http   = "http://example.com/org/app.git"
		sshURL = "ssh://deploy@example.com/org/app.git"
		scp    = "git@example.com:org/app.git"
		gitURL = "git://example.com/org/app.git"
	)
	b := func(s string) []byte { return []byte(s) }
	tests := []struct {
		name    string
		url     string
		data    map[string][]byte
		wantKey string // AuthError.Key, "" for success
		want    error
	}{
		{name: "anonymous https", url: https},
		{name: "basic", url: https, data: map[string][]byte{"username": b("u"), "password": b("secret-value")}},
		{name: "bearer", url: https, data: map[string][]byte{"bearerToken": b("secret-value")}},
		{name: "ca and mTLS", url: https, data: map[string][]byte{"ca.crt": k.cert, "tls.crt": k.cert, "tls.key": k.key}},
		{name: "basic over http builds", url: http, data: map[string][]byte{"username": b("u"), "password": b("secret-value")}},
		{name: "ssh", url: sshURL, data: map[string][]byte{"identity": k.identity, "known_hosts": k.knownHosts}},
		{name: "ssh scp-like", url: scp, data: map[string][]byte{"identity": k.identity, "known_hosts": k.knownHosts}},
		{name: "ssh encrypted key", url: sshURL, data: map[string][]byte{"identity": k.encrypted, "known_hosts": k.knownHosts, "password": b("key-passphrase")}},
		{name: "git anonymous", url: gitURL},

		{name: "basic and bearer", url: https, data: map[string][]byte{"username": b("u"), "password": b("secret-value"), "bearerToken": b("secret-token")}, wantKey: "bearerToken", want: git.ErrInvalidAuth},
		{name: "password without username", url: https, data: map[string][]byte{"password": b("secret-value")}, wantKey: "username", want: git.ErrInvalidAuth},
		{name: "tls.crt without tls.key", url: https, data: map[string][]byte{"tls.crt": k.cert}, wantKey: "tls.key", want: git.ErrInvalidAuth},
		{name: "tls.key without tls.crt", url: https, data: map[string][]byte{"tls.key": k.key}, wantKey: "tls.crt", want: git.ErrInvalidAuth},
		{name: "bad tls pair", url: https, data: map[string][]byte{"tls.crt": k.cert, "tls.key": b("secret-garbage")}, wantKey: "tls.crt", want: git.ErrInvalidAuth},
		{name: "bad ca", url: https, data: map[string][]byte{"ca.crt": b("secret-garbage")}, wantKey: "ca.crt", want: git.ErrInvalidAuth},
		{name: "identity over https", url: https, data: map[string][]byte{"identity": k.identity}, wantKey: "identity", want: git.ErrInvalidAuth},
		{name: "known_hosts over https", url: https, data: map[string][]byte{"known_hosts": k.knownHosts}, wantKey: "known_hosts", want: git.ErrInvalidAuth},
		{name: "ssh without identity", url: sshURL, data: map[string][]byte{"known_hosts": k.knownHosts}, wantKey: "identity", want: git.ErrInvalidAuth},
		{name: "ssh without known_hosts", url: sshURL, data: map[string][]byte{"identity": k.identity}, wantKey: "known_hosts", want: git.ErrInvalidAuth},
		{name: "ssh bad identity", url: sshURL, data: map[string][]byte{"identity": b("secret-garbage"), "known_hosts": k.knownHosts}, wantKey: "identity", want: git.ErrInvalidAuth},
		{name: "ssh encrypted key without passphrase", url: sshURL, data: map[string][]byte{"identity": k.encrypted, "known_hosts": k.knownHosts}, wantKey: "identity", want: git.ErrInvalidAuth},
		{name: "ssh wrong passphrase", url: sshURL, data: map[string][]byte{"identity": k.encrypted, "known_hosts": k.knownHosts, "password": b("secret-wrong")}, wantKey: "identity", want: git.ErrInvalidAuth},
		{name: "ssh bad known_hosts", url: sshURL, data: map[string][]byte{"identity": k.identity, "known_hosts": b("secret garbage here")}, wantKey: "known_hosts", want: git.ErrInvalidAuth},
		{name: "ssh empty known_hosts", url: sshURL, data: map[string][]byte{"identity": k.identity, "known_hosts": b("# only a comment\n")}, wantKey: "known_hosts", want: git.ErrInvalidAuth},
		{name: "ssh bearer", url: sshURL, data: map[string][]byte{"identity": k.identity, "known_hosts": k.knownHosts, "bearerToken": b("secret-token")}, wantKey: "bearerToken", want: git.ErrInvalidAuth},
		{name: "ssh ca", url: sshURL, data: map[string][]byte{"identity": k.identity, "known_hosts": k.knownHosts, "ca.crt": k.cert}, wantKey: "ca.crt", want: git.ErrInvalidAuth},
		{name: "git with credentials", url: gitURL, data: map[string][]byte{"username": b("u"), "password": b("secret-value")}, wantKey: "data", want: git.ErrInvalidAuth},
		{name: "bad url", url: "not a url", want: git.ErrInvalidURL},
		{name: "ext url", url: "ext::sh -c touch", want: git.ErrUnsupportedScheme},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			auth, err := git.NewAuthOptions(tt.url, tt.data)
			if tt.want == nil {
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(auth).NotTo(BeNil())
				return
			}
			g.Expect(err).To(MatchError(tt.want))
			g.Expect(err.Error()).NotTo(ContainSubstring("secret"))
			if tt.wantKey != "" {
				var authErr *git.AuthError
				g.Expect(errors.As(err, &authErr)).To(BeTrue())
				g.Expect(authErr.Key).To(Equal(tt.wantKey))
			} else {
				var urlErr *git.URLError
				g.Expect(errors.As(err, &urlErr)).To(BeTrue())
			}
		})
	}
}

func TestAuthOptionsDefaults(t *testing.T) {
	g := NewWithT(t)
	k := newKeys(t)
	data := map[string][]byte{"identity": k.identity, "known_hosts": k.knownHosts}
	a, err := git.NewAuthOptions("ssh://deploy@example.com/app.git", data)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(a.Username).To(Equal("deploy"))
	g.Expect(a.Scheme).To(Equal(git.SchemeSSH))
	a, err = git.NewAuthOptions("ssh://example.com/app.git", data)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(a.Username).To(Equal("git"))
	g.Expect(a.HasCredentials()).To(BeTrue())
	g.Expect(a.Validate()).To(Succeed())

	var none *git.AuthOptions
	g.Expect(none.HasCredentials()).To(BeFalse())
	g.Expect(none.Validate()).To(Succeed())
}

func TestValidateInsecureHTTP(t *testing.T) {
	g := NewWithT(t)
	for _, data := range []map[string][]byte{
		{"username": []byte("u"), "password": []byte("secret-value")},
		{"bearerToken": []byte("secret-value")},
	} {
		a, err := git.NewAuthOptions("http://example.com/app.git", data)
		g.Expect(err).NotTo(HaveOccurred())
		err = a.Validate()
		g.Expect(err).To(MatchError(git.ErrInsecureHTTP))
		g.Expect(err.Error()).NotTo(ContainSubstring("secret"))
		a.AllowInsecureHTTP = true
		g.Expect(a.Validate()).To(Succeed())
	}
	a, err := git.NewAuthOptions("http://example.com/app.git", map[string][]byte{"username": []byte("u")})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(a.Validate()).To(Succeed(), "a user name alone is no secret")
}

func FuzzNewAuthOptions(f *testing.F) {
	f.Add("https://example.com/app.git", "user", "secret-pass", "", []byte(nil))
	f.Add("http://u:p@example.com/app.git", "", "", "tok", []byte("-----BEGIN"))
	f.Add("git@example.com:org/app.git", "git", "pass", "", []byte("garbage"))
	f.Add("ext::sh", "", "", "", []byte(nil))
	f.Fuzz(func(t *testing.T, url, user, password, token string, identity []byte) {
		a, err := git.NewAuthOptions(url, map[string][]byte{
			"username": []byte(user), "password": []byte(password),
			"bearerToken": []byte(token), "identity": identity,
		})
		if err != nil {
			var authErr *git.AuthError
			var urlErr *git.URLError
			if !errors.As(err, &authErr) && !errors.As(err, &urlErr) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if len(password) >= 8 && !strings.Contains(fmt.Sprintf("%q", url), password) && strings.Contains(err.Error(), password) {
				t.Fatalf("error leaks the password: %v", err)
			}
			return
		}
		if err := a.Validate(); err != nil && !errors.Is(err, git.ErrInsecureHTTP) {
			t.Fatalf("NewAuthOptions accepted what Validate refuses: %v", err)
		}
	})
}
