package git

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"

	"golang.org/x/crypto/ssh"
)

// Secret data keys NewAuthOptions reads.
const (
	// KeyUsername is the HTTP basic-auth user, or the SSH user.
	KeyUsername = "username"
	// KeyPassword is the HTTP basic-auth password, or the SSH key passphrase.
	KeyPassword = "password"
	// KeyBearerToken is an HTTP bearer token.
	KeyBearerToken = "bearerToken"
	// KeyIdentity is a PEM SSH private key.
	KeyIdentity = "identity"
	// KeyKnownHosts holds known_hosts lines for SSH.
	KeyKnownHosts = "known_hosts"
	// KeyCACert is a PEM CA bundle for HTTPS.
	KeyCACert = "ca.crt"
	// KeyTLSCert is a PEM client certificate for mutual TLS.
	KeyTLSCert = "tls.crt"
	// KeyTLSKey is the PEM key of KeyTLSCert.
	KeyTLSKey = "tls.key"
)

// AuthOptions are the credentials and trust anchors for one repository URL,
// usually built from a Secret's data by NewAuthOptions. Clients only read it.
type AuthOptions struct {
	// Scheme is the transport of the URL the options were built for, one of
	// the Scheme constants.
	Scheme string
	// Username is the HTTP basic-auth user or the SSH user. Default for SSH:
	// the URL's user, else "git".
	Username string
	// Password is the HTTP basic-auth password, or the passphrase of
	// Identity for SSH. Default empty.
	Password string
	// BearerToken is sent as "Authorization: Bearer" over HTTP(S). It
	// excludes Username and Password. Default empty.
	BearerToken string
	// Identity is a PEM private key for SSH. Required for SSH.
	Identity []byte
	// KnownHosts holds known_hosts lines (hashed entries allowed) the SSH
	// server's key must match. Required for SSH.
	KnownHosts []byte
	// CAFile is a PEM bundle trusted, in addition to the system roots, for
	// HTTPS. Default empty: system roots only.
	CAFile []byte
	// TLSCert and TLSKey are a PEM client certificate and key for mutual
	// TLS over HTTPS. Both or neither. Default empty.
	TLSCert, TLSKey []byte
	// AllowInsecureHTTP lets credentials go over plain http://. Default
	// false: Validate and clients refuse them with ErrInsecureHTTP.
	AllowInsecureHTTP bool
}

// NewAuthOptions builds the AuthOptions of rawURL from a Secret's data,
// reading the keys username, password, bearerToken, identity, known_hosts,
// ca.crt, tls.crt and tls.key, and validates them for the URL's transport:
// SSH needs identity and known_hosts; basic auth and bearerToken exclude each
// other; tls.crt needs tls.key; keys of another transport are refused. A nil
// or empty data map is valid for HTTP(S) and git:// (anonymous access).
//
// It returns a *URLError for an unusable URL and an *AuthError wrapping
// ErrInvalidAuth for unusable data. Credentials over plain http:// are not
// refused here: set AllowInsecureHTTP on the result if they should be sent,
// as clients call Validate before use.
func NewAuthOptions(rawURL string, data map[string][]byte) (*AuthOptions, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	o := &AuthOptions{
		Scheme:      u.Scheme,
		Username:    string(data[KeyUsername]),
		Password:    string(data[KeyPassword]),
		BearerToken: string(data[KeyBearerToken]),
		Identity:    data[KeyIdentity],
		KnownHosts:  data[KeyKnownHosts],
		CAFile:      data[KeyCACert],
		TLSCert:     data[KeyTLSCert],
		TLSKey:      data[KeyTLSKey],
	}
	if o.Scheme == SchemeSSH && o.Username == "" {
		o.Username = "git"
		if u.User != nil && u.User.Username() != "" {
			o.Username = u.User.Username()
		}
	}
	if err := o.validate(false); err != nil {
		return nil, err
	}
	return o, nil
}

// HasCredentials reports whether o would send a secret to the server:
// a password, a bearer token, an SSH identity or a TLS client key.
func (o *AuthOptions) HasCredentials() bool {
	return o != nil && (o.Password != "" || o.BearerToken != "" || len(o.Identity) > 0 || len(o.TLSKey) > 0)
}

// Validate checks o as NewAuthOptions does, and also refuses credentials over
// plain http:// unless AllowInsecureHTTP is set. It returns an *AuthError
// wrapping ErrInvalidAuth or ErrInsecureHTTP. A nil o is valid.
func (o *AuthOptions) Validate() error {
	return o.validate(true)
}

func (o *AuthOptions) validate(transportPolicy bool) error {
	if o == nil {
		return nil
	}
	invalid := func(key, reason string, cause error) error {
		return &AuthError{Key: key, Reason: reason, Err: errors.Join(ErrInvalidAuth, cause)}
	}
	switch o.Scheme {
	case SchemeSSH:
		if len(o.Identity) == 0 {
			return invalid(KeyIdentity, "required for ssh", nil)
		}
		if len(o.KnownHosts) == 0 {
			return invalid(KeyKnownHosts, "required for ssh", nil)
		}
		if o.BearerToken != "" {
			return invalid(KeyBearerToken, "not supported over ssh", nil)
		}
		for k, v := range map[string][]byte{KeyCACert: o.CAFile, KeyTLSCert: o.TLSCert, KeyTLSKey: o.TLSKey} {
			if len(v) > 0 {
				return invalid(k, "not supported over ssh", nil)
			}
		}
		if _, err := o.Signer(); err != nil {
			return invalid(KeyIdentity, "cannot parse private key", sshParseError(err))
		}
		if err := checkKnownHosts(o.KnownHosts); err != nil {
			return invalid(KeyKnownHosts, "cannot parse", err)
		}
		return nil
	case SchemeHTTP, SchemeHTTPS:
		if len(o.Identity) > 0 {
			return invalid(KeyIdentity, "only for ssh", nil)
		}
		if len(o.KnownHosts) > 0 {
			return invalid(KeyKnownHosts, "only for ssh", nil)
		}
		if o.BearerToken != "" && (o.Username != "" || o.Password != "") {
			return invalid(KeyBearerToken, "excludes username and password", nil)
		}
		if o.Password != "" && o.Username == "" {
			return invalid(KeyUsername, "required with password", nil)
		}
		if (len(o.TLSCert) > 0) != (len(o.TLSKey) > 0) {
			if len(o.TLSCert) > 0 {
				return invalid(KeyTLSKey, "required with tls.crt", nil)
			}
			return invalid(KeyTLSCert, "required with tls.key", nil)
		}
		if len(o.TLSCert) > 0 {
			if _, err := tls.X509KeyPair(o.TLSCert, o.TLSKey); err != nil {
				return invalid(KeyTLSCert, "cannot load certificate and key", nil)
			}
		}
		if len(o.CAFile) > 0 && !x509.NewCertPool().AppendCertsFromPEM(o.CAFile) {
			return invalid(KeyCACert, "no PEM certificate found", nil)
		}
		if transportPolicy && o.Scheme == SchemeHTTP && !o.AllowInsecureHTTP &&
			(o.Password != "" || o.BearerToken != "" || len(o.TLSKey) > 0) {
			return &AuthError{Key: KeyPassword, Reason: "http:// without AllowInsecureHTTP", Err: ErrInsecureHTTP}
		}
		return nil
	case SchemeGit, SchemeFile:
		if o.HasCredentials() || o.Username != "" || len(o.CAFile) > 0 || len(o.TLSCert) > 0 || len(o.KnownHosts) > 0 {
			return invalid("data", o.Scheme+" transport takes no credentials", nil)
		}
		return nil
	default:
		return invalid("url", "unsupported scheme", ErrUnsupportedScheme)
	}
}

// Signer returns the SSH signer of Identity, decrypted with Password when it
// is set. Its error may say why the key cannot be parsed, never its content.
func (o *AuthOptions) Signer() (ssh.Signer, error) {
	if o.Password != "" {
		return ssh.ParsePrivateKeyWithPassphrase(o.Identity, []byte(o.Password))
	}
	return ssh.ParsePrivateKey(o.Identity)
}

// sshParseError keeps the kind of a key parse failure without any text that
// might echo key material.
func sshParseError(err error) error {
	var pm *ssh.PassphraseMissingError
	if errors.As(err, &pm) {
		return errors.New("key is passphrase protected and no password given")
	}
	if errors.Is(err, x509.IncorrectPasswordError) {
		return errors.New("wrong passphrase")
	}
	return nil
}

// checkKnownHosts parses every line of known_hosts and needs at least one
// entry.
func checkKnownHosts(b []byte) error {
	rest := b
	found := false
	for {
		_, _, _, _, r, err := ssh.ParseKnownHosts(rest)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return errors.New("invalid known_hosts line")
		}
		found = true
		rest = r
	}
	if !found {
		return errors.New("no known_hosts entry")
	}
	return nil
}
