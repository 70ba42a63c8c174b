package oci_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/testenv/registry"
)

// clientCertificate returns a client certificate and the pool of the CA
// that signed it.
func clientCertificate(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test client ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "sluice"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// TestMutualTLS puts a TLS front that requires client certificates before
// a registry, as some private registries and mirrors do.
func TestMutualTLS(t *testing.T) {
	g := NewWithT(t)
	reg, err := registry.New(t.Context())
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })
	target, err := url.Parse(reg.URL())
	g.Expect(err).NotTo(HaveOccurred())

	cert, clientCAs := clientCertificate(t)
	front := httptest.NewUnstartedServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}})
	front.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	front.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientCAs, MinVersion: tls.VersionTLS12}
	front.StartTLS()
	t.Cleanup(front.Close)
	serverCAs := x509.NewCertPool()
	serverCAs.AddCert(front.Certificate())
	ref := strings.TrimPrefix(front.URL, "https://") + "/mtls/app:v1"

	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.yaml": "a: 1\n"})

	withCert, err := oci.New(oci.WithRootCAs(serverCAs), oci.WithClientCertificate(cert))
	g.Expect(err).NotTo(HaveOccurred())
	pushed, err := withCert.Push(t.Context(), ref, src, oci.PushOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	pulled, err := withCert.Pull(t.Context(), ref, filepath.Join(t.TempDir(), "out"), oci.PullOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(pulled.Digest).To(Equal(pushed.Digest))

	without, err := oci.New(oci.WithRootCAs(serverCAs))
	g.Expect(err).NotTo(HaveOccurred())
	_, err = without.Resolve(t.Context(), ref)
	g.Expect(err).To(HaveOccurred())
	g.Expect(err.Error()).To(ContainSubstring("certificate"))
}
