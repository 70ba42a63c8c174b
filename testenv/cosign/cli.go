package cosign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/testenv/registry"
)

// outputTailLines is how many lines of cosign's output a CommandError
// carries.
const outputTailLines = 30

// CLI runs the cosign binary offline: no transparency log, no Fulcio, no
// TUF, keys on disk. Create it with [New] or [NewWithBinary]. Its methods
// are safe for concurrent use; each command gets its own temporary
// DOCKER_CONFIG and TUF_ROOT.
type CLI struct {
	path string
}

// New returns a CLI for the cosign binary [Binary] provides, building it
// first if needed. It returns the errors [Binary] returns.
func New(ctx context.Context, opts Options) (*CLI, error) {
	path, err := Binary(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &CLI{path: path}, nil
}

// NewWithBinary returns a CLI for the cosign executable at path, such as
// one installed by a package manager. It returns an error if path is not an
// executable file.
func NewWithBinary(path string) (*CLI, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cosign binary: %w", err)
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return nil, fmt.Errorf("cosign binary %s: not an executable file", path)
	}
	return &CLI{path: path}, nil
}

// Path returns the cosign binary's path.
func (c *CLI) Path() string { return c.path }

// KeyPair is a cosign key pair on disk, as `cosign generate-key-pair`
// writes it.
type KeyPair struct {
	// PrivateKey is the path of the encrypted private key (cosign.key).
	PrivateKey string
	// PublicKey is the path of the PEM public key (cosign.pub).
	PublicKey string
	// Password encrypts PrivateKey; pass it to [SignOptions].KeyPassword.
	Password string
}

// PublicKeyPEM reads the PEM-encoded public key.
func (k KeyPair) PublicKeyPEM() ([]byte, error) {
	data, err := os.ReadFile(k.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("read cosign public key: %w", err)
	}
	return data, nil
}

// GenerateKeyPair runs `cosign generate-key-pair` in dir, which must exist,
// and returns the paths of cosign.key and cosign.pub there. The private key
// is encrypted with an empty password (COSIGN_PASSWORD=""). It returns a
// [*CommandError] when cosign fails.
func (c *CLI) GenerateKeyPair(ctx context.Context, dir string) (KeyPair, error) {
	if _, err := c.run(ctx, dir, []string{"COSIGN_PASSWORD="}, "generate-key-pair"); err != nil {
		return KeyPair{}, err
	}
	return KeyPair{
		PrivateKey: filepath.Join(dir, "cosign.key"),
		PublicKey:  filepath.Join(dir, "cosign.pub"),
	}, nil
}

// Registry says how cosign reaches a registry. The zero value is a
// plain-HTTP or publicly trusted registry without authentication.
type Registry struct {
	// Username and Password are written, for Host, to a temporary Docker
	// config.json that cosign reads through DOCKER_CONFIG; they never
	// appear in cosign's arguments. Default: no credentials.
	Username string
	Password string

	// Host is the registry host ("127.0.0.1:PORT") the credentials are for.
	// Default: the host part of the reference being signed.
	Host string

	// CACertPEM is the registry's CA certificate, passed to cosign with
	// --registry-cacert. Default: the system roots.
	CACertPEM []byte
}

// SignOptions configures [CLI.Sign]. The zero value signs with a key whose
// password is empty, writing a sigstore bundle as an OCI 1.1 referrer
// (or, where the registry has no referrers API, an index under the tag
// "sha256-<hex>").
type SignOptions struct {
	// Registry gives credentials and the CA. Default: none.
	Registry Registry

	// KeyPassword decrypts the private key (COSIGN_PASSWORD). Default "".
	KeyPassword string

	// Legacy writes cosign's legacy signature, a simple-signing payload
	// under the tag "sha256-<hex>.sig", with --new-bundle-format=false.
	// Default false: a sigstore bundle.
	Legacy bool

	// Annotations are added to the signature payload with -a key=value.
	// Default: none.
	Annotations map[string]string
}

// Sign signs ref with the private key at key, offline:
//
//	cosign sign --key KEY --use-signing-config=false --tlog-upload=false \
//	  --allow-http-registry -y [--new-bundle-format=false] REF
//
// ref should name a digest (REPO@sha256:...); cosign resolves a tag and
// warns. The registry's credentials go through a temporary DOCKER_CONFIG.
// Sign returns a [*CommandError] when cosign fails and an error for an
// empty ref or key.
func (c *CLI) Sign(ctx context.Context, ref, key string, opts SignOptions) error {
	if ref == "" || key == "" {
		return errors.New("cosign sign: ref and key are required")
	}
	args := []string{
		"sign", "--key", key,
		"--use-signing-config=false", "--tlog-upload=false",
		"--allow-http-registry", "-y",
	}
	if opts.Legacy {
		args = append(args, "--new-bundle-format=false")
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Annotations)) {
		args = append(args, "-a", k+"="+opts.Annotations[k])
	}
	return c.withRegistry(ctx, ref, opts.Registry, []string{"COSIGN_PASSWORD=" + opts.KeyPassword}, args)
}

// VerifyOptions configures [CLI.Verify]. The zero value verifies a
// sigstore bundle signature.
type VerifyOptions struct {
	// Registry gives credentials and the CA. Default: none.
	Registry Registry

	// Legacy looks for cosign's legacy "sha256-<hex>.sig" signature, with
	// --new-bundle-format=false. Default false: a sigstore bundle.
	Legacy bool
}

// Verify checks the signature of ref against the public key at publicKey,
// offline (--insecure-ignore-tlog, no trusted root). It returns a
// [*CommandError] when cosign finds no valid signature or fails otherwise.
func (c *CLI) Verify(ctx context.Context, ref, publicKey string, opts VerifyOptions) error {
	if ref == "" || publicKey == "" {
		return errors.New("cosign verify: ref and public key are required")
	}
	args := []string{
		"verify", "--key", publicKey,
		"--insecure-ignore-tlog=true", "--allow-http-registry",
		"--new-bundle-format=" + fmt.Sprint(!opts.Legacy),
		"--output", "json",
	}
	return c.withRegistry(ctx, ref, opts.Registry, nil, args)
}

// withRegistry runs cosign with args, ref last, and a temporary
// DOCKER_CONFIG holding the registry's credentials.
func (c *CLI) withRegistry(ctx context.Context, ref string, reg Registry, env, args []string) error {
	dir, err := os.MkdirTemp("", "sluice-cosign-")
	if err != nil {
		return fmt.Errorf("cosign %s: %w", args[0], err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := writeDockerConfig(dir, ref, reg); err != nil {
		return fmt.Errorf("cosign %s: %w", args[0], err)
	}
	if len(reg.CACertPEM) > 0 {
		caPath := filepath.Join(dir, "ca.crt")
		if err := os.WriteFile(caPath, reg.CACertPEM, 0o600); err != nil {
			return fmt.Errorf("cosign %s: write CA: %w", args[0], err)
		}
		args = append(args, "--registry-cacert", caPath)
	}
	args = append(args, ref)
	_, err = c.run(ctx, dir, append(env, "DOCKER_CONFIG="+dir), args...)
	return err
}

// writeDockerConfig writes dir/config.json with an auth entry for the
// registry, or no entries without a username.
func writeDockerConfig(dir, ref string, reg Registry) error {
	type auth struct {
		Auth string `json:"auth"`
	}
	cfg := struct {
		Auths map[string]auth `json:"auths"`
	}{Auths: map[string]auth{}}
	if reg.Username != "" {
		host := reg.Host
		if host == "" {
			host, _, _ = strings.Cut(ref, "/")
		}
		cfg.Auths[host] = auth{Auth: base64.StdEncoding.EncodeToString([]byte(reg.Username + ":" + reg.Password))}
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config.json"), data, 0o600)
}

// run runs cosign in dir with a private TUF_ROOT and HOME-independent
// settings, returning its standard output.
func (c *CLI) run(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	tufRoot, err := os.MkdirTemp("", "sluice-cosign-tuf-")
	if err != nil {
		return nil, fmt.Errorf("cosign %s: %w", args[0], err)
	}
	defer func() { _ = os.RemoveAll(tufRoot) }()

	cmd := exec.CommandContext(ctx, c.path, args...) //nolint:gosec // our own cosign binary and arguments
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TUF_ROOT="+tufRoot, "SIGSTORE_NO_CACHE=true")
	cmd.Env = append(cmd.Env, env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, combined bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &combined
	err = cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	combined.Write(stdout.Bytes())
	cause := fmt.Errorf("%w: %w", ErrCommandFailed, err)
	if ctx.Err() != nil {
		cause = fmt.Errorf("%w: %w", ErrCommandFailed, context.Cause(ctx))
	}
	return nil, &CommandError{Args: args, Output: tail(combined.String(), outputTailLines), Err: cause}
}

// tail returns the last n lines of s, each ending in a newline.
func tail(s string, n int) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// FromRegistry returns how cosign reaches a testenv registry: its first
// user's credentials, its host and, with TLS, its CA certificate.
func FromRegistry(reg *registry.Registry) Registry {
	creds := reg.Credentials()
	return Registry{
		Username:  creds.Username,
		Password:  creds.Password,
		Host:      reg.Host(),
		CACertPEM: reg.CACertPEM(),
	}
}
