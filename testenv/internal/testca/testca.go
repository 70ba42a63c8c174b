package testca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Validity is how long generated certificates stay valid, counted from an
// hour before the time given to [New] so small clock skews do not matter.
const Validity = 7 * 24 * time.Hour

// Authority is an ECDSA P-256 certificate authority and the server
// certificate it signed for 127.0.0.1, ::1 and localhost.
type Authority struct {
	cert       *x509.Certificate
	key        *ecdsa.PrivateKey
	certPEM    []byte
	serverCert tls.Certificate
}

// New generates an authority named name and its server certificate, valid
// from an hour before now for [Validity].
func New(name string, now time.Time) (*Authority, error) {
	notBefore, notAfter := now.Add(-time.Hour), now.Add(Validity)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate ca key: %w", err)
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: name, Organization: []string{"sluice testenv"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := sign(caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create ca certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse ca certificate: %w", err)
	}
	a := &Authority{
		cert:    caCert,
		key:     caKey,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
	}
	a.serverCert, err = a.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "127.0.0.1", Organization: []string{"sluice testenv"}},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	})
	if err != nil {
		return nil, fmt.Errorf("create server certificate: %w", err)
	}
	return a, nil
}

// CertPEM returns the authority's certificate, PEM-encoded: the CA bundle
// clients should trust.
func (a *Authority) CertPEM() []byte { return append([]byte(nil), a.certPEM...) }

// CertPool returns a new pool holding only the authority's certificate.
func (a *Authority) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(a.cert)
	return pool
}

// ServerCertificate returns the loopback server certificate and its key.
func (a *Authority) ServerCertificate() tls.Certificate { return a.serverCert }

// ServerTLSConfig returns a new server configuration presenting the
// loopback certificate, TLS 1.2 or later.
func (a *Authority) ServerTLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{a.serverCert}}
}

// ClientTLSConfig returns a new client configuration that trusts only the
// authority, TLS 1.2 or later.
func (a *Authority) ClientTLSConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: a.CertPool()}
}

func (a *Authority) issue(tmpl *x509.Certificate) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generate key: %w", err)
	}
	der, err := sign(tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parse certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// sign gives tmpl a random 128-bit serial number and signs it with
// parentKey.
func sign(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, parentKey *ecdsa.PrivateKey) ([]byte, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("generate serial number: %w", err)
	}
	tmpl.SerialNumber = serial
	return x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
}
