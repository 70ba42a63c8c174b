package testca_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/testenv/internal/testca"
)

func TestLoopbackHandshake(t *testing.T) {
	ca, err := testca.New("test ca", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", ca.ServerTLSConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			_ = c.Close()
		}
	}()

	for _, name := range []string{"127.0.0.1", "localhost"} {
		cfg := ca.ClientTLSConfig()
		cfg.ServerName = name
		c, err := tls.Dial("tcp", l.Addr().String(), cfg)
		if err != nil {
			t.Fatalf("dial as %s: %v", name, err)
		}
		_ = c.Close()
	}

	// A client that does not trust the CA is refused.
	other, err := testca.New("other ca", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c, err := tls.Dial("tcp", l.Addr().String(), other.ClientTLSConfig()); err == nil {
		_ = c.Close()
		t.Fatal("a client trusting another CA connected")
	}
}

func TestCertPEMIsTheAuthority(t *testing.T) {
	now := time.Now()
	ca, err := testca.New("pem ca", now)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(ca.CertPEM())
	if block == nil {
		t.Fatal("CertPEM holds no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.IsCA || cert.Subject.CommonName != "pem ca" {
		t.Fatalf("got CA=%v CN=%q", cert.IsCA, cert.Subject.CommonName)
	}
	if cert.PublicKey.(*ecdsa.PublicKey).Curve != elliptic.P256() {
		t.Fatal("CA key is not P-256")
	}
	leaf := ca.ServerCertificate().Leaf
	for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.CertPool(), DNSName: host, CurrentTime: now}); err != nil {
			t.Fatalf("%s: %v", host, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.CertPool(), DNSName: "example.com", CurrentTime: now}); err == nil {
		t.Fatal("the server certificate is valid for example.com")
	}
	if end := now.Add(testca.Validity); leaf.NotAfter.After(end) || leaf.NotAfter.Before(end.Add(-time.Second)) {
		t.Fatalf("validity ends %v", leaf.NotAfter)
	}
}
