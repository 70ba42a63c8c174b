package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
)

// helperNameRE is what a credential helper's name may look like: it becomes
// part of a program name, so no path separators.
var helperNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// maxHelperOutput bounds how much a credential helper may print.
const maxHelperOutput = 1 << 20

// DockerConfigOptions tune how a docker config resolves credentials. The
// zero value is the documented default of each field.
type DockerConfigOptions struct {
	// AllowCredentialHelpers lets Resolve run the programs the config names
	// in "credHelpers" and "credsStore" (docker-credential-<name> get). They
	// run with the process's environment and privileges, so enable this only
	// for a config the operator controls. Default false: a registry whose
	// credentials live in a helper resolves to an error wrapping
	// ErrCredentialHelperNotAllowed, and no program is ever started.
	AllowCredentialHelpers bool
	// HelperDirs are the directories searched for docker-credential-<name>
	// programs, in order. Default empty: the PATH.
	HelperDirs []string
}

// DockerConfig is a parsed docker config.json (or the ".dockercfg" legacy
// form): a keychain handing out the credentials of its "auths" entries and,
// when allowed, of its credential helpers. Create it with
// ParseDockerConfig or LoadDockerConfig. It is immutable and safe for
// concurrent use.
type DockerConfig struct {
	source      string
	opts        DockerConfigOptions
	auths       map[string]authn.AuthConfig // normalized host -> credentials
	serverURLs  map[string]string           // normalized host -> key as written
	credHelpers map[string]string           // normalized host -> helper name
	credsStore  string
}

// dockerConfigFile is the JSON shape of config.json.
type dockerConfigFile struct {
	Auths       map[string]dockerAuthEntry `json:"auths"`
	CredHelpers map[string]string          `json:"credHelpers"`
	CredsStore  string                     `json:"credsStore"`
}

// dockerAuthEntry is one "auths" value.
type dockerAuthEntry struct {
	Auth          string `json:"auth"`
	Username      string `json:"username"`
	Password      string `json:"password"`
	IdentityToken string `json:"identitytoken"`
	RegistryToken string `json:"registrytoken"`
}

// ParseDockerConfig parses the bytes of a docker config.json: an object
// with "auths" (keys are registry hosts, optionally with a scheme and path
// such as "https://index.docker.io/v1/"; values hold "auth" = base64 of
// "user:password", or "username"/"password", "identitytoken",
// "registrytoken"), "credHelpers" and "credsStore". source names the config
// in errors; default "bytes".
//
// It returns a *DockerConfigError wrapping ErrInvalidDockerConfig for
// malformed JSON or an undecodable "auth"; the error never quotes the input.
func ParseDockerConfig(data []byte, source string, opts DockerConfigOptions) (*DockerConfig, error) {
	if source == "" {
		source = "bytes"
	}
	var file dockerConfigFile
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, &DockerConfigError{Source: source, Err: jsonError(err)}
	}
	return newDockerConfig(source, file, opts)
}

// parseLegacyDockerConfig parses the ".dockercfg" form: the "auths" object
// alone.
func parseLegacyDockerConfig(data []byte, source string) (*DockerConfig, error) {
	var auths map[string]dockerAuthEntry
	if err := json.Unmarshal(data, &auths); err != nil {
		return nil, &DockerConfigError{Source: source, Err: jsonError(err)}
	}
	return newDockerConfig(source, dockerConfigFile{Auths: auths}, DockerConfigOptions{})
}

// LoadDockerConfig reads and parses the docker config.json at path (for
// example "$HOME/.docker/config.json" or "$DOCKER_CONFIG/config.json"; it
// does not look them up itself). Errors are those of ParseDockerConfig,
// ctx.Err() if ctx is done, and the *fs.PathError of reading the file.
func LoadDockerConfig(ctx context.Context, path string, opts DockerConfigOptions) (*DockerConfig, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load docker config %s: %w", path, err)
	}
	data, err := os.ReadFile(path) //nolint:gosec // reading the file the caller names is the point
	if err != nil {
		return nil, fmt.Errorf("load docker config: %w", err)
	}
	return ParseDockerConfig(data, path, opts)
}

// jsonError describes a JSON decoding failure without quoting the input,
// which may hold a credential.
func jsonError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("%w: malformed JSON at byte %d", ErrInvalidDockerConfig, syntaxErr.Offset)
	case errors.As(err, &typeErr):
		return fmt.Errorf("%w: unexpected JSON %s for field %q", ErrInvalidDockerConfig, typeErr.Value, typeErr.Field)
	default:
		return fmt.Errorf("%w: malformed JSON", ErrInvalidDockerConfig)
	}
}

// newDockerConfig normalizes the keys of a decoded config and decodes its
// "auth" values. Of two keys naming the same host, the first in sorted
// order wins.
func newDockerConfig(source string, file dockerConfigFile, opts DockerConfigOptions) (*DockerConfig, error) {
	c := &DockerConfig{
		source:      source,
		opts:        opts,
		auths:       make(map[string]authn.AuthConfig, len(file.Auths)),
		serverURLs:  make(map[string]string, len(file.Auths)),
		credHelpers: make(map[string]string, len(file.CredHelpers)),
		credsStore:  file.CredsStore,
	}
	for _, key := range slices.Sorted(maps.Keys(file.Auths)) {
		host := normalizeRegistry(key)
		if host == "" {
			continue
		}
		if _, seen := c.serverURLs[host]; !seen {
			c.serverURLs[host] = key
		}
		cfg, err := file.Auths[key].authConfig()
		if err != nil {
			return nil, &DockerConfigError{Source: source, Registry: key, Err: err}
		}
		if _, seen := c.auths[host]; seen || cfg == (authn.AuthConfig{}) {
			continue
		}
		c.auths[host] = cfg
	}
	for _, key := range slices.Sorted(maps.Keys(file.CredHelpers)) {
		host := normalizeRegistry(key)
		if _, seen := c.credHelpers[host]; !seen && host != "" {
			c.credHelpers[host] = file.CredHelpers[key]
			if _, known := c.serverURLs[host]; !known {
				c.serverURLs[host] = key
			}
		}
	}
	return c, nil
}

// authConfig decodes an entry. "auth" wins over "username"/"password".
func (e dockerAuthEntry) authConfig() (authn.AuthConfig, error) {
	cfg := authn.AuthConfig{
		Username:      e.Username,
		Password:      e.Password,
		IdentityToken: e.IdentityToken,
		RegistryToken: e.RegistryToken,
	}
	if e.Auth == "" {
		return cfg, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(e.Auth))
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(e.Auth), "="))
	}
	if err != nil {
		return authn.AuthConfig{}, fmt.Errorf("%w: \"auth\" is not base64", ErrInvalidDockerConfig)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return authn.AuthConfig{}, fmt.Errorf("%w: \"auth\" does not decode to user:password", ErrInvalidDockerConfig)
	}
	cfg.Username, cfg.Password = user, pass
	return cfg, nil
}

// Registries returns the sorted registry hosts the config has credentials
// or a credential helper for (without the credsStore, which may cover any
// host). It holds no secret and suits logs.
func (c *DockerConfig) Registries() []string {
	hosts := make([]string, 0, len(c.auths)+len(c.credHelpers))
	for h := range c.auths {
		hosts = append(hosts, h)
	}
	for h := range c.credHelpers {
		if _, dup := c.auths[h]; !dup {
			hosts = append(hosts, h)
		}
	}
	slices.Sort(hosts)
	return hosts
}

// Resolve implements authn.Keychain with context.Background().
func (c *DockerConfig) Resolve(r authn.Resource) (authn.Authenticator, error) {
	return c.ResolveContext(context.Background(), r)
}

// ResolveContext implements authn.ContextKeychain. For the resource's
// registry it uses, in order: the helper in "credHelpers", the "auths"
// entry, the "credsStore" helper; else authn.Anonymous. A helper answering
// "credentials not found" also gives authn.Anonymous.
//
// It returns a *CredentialHelperError wrapping
// ErrCredentialHelperNotAllowed when a helper is needed and not allowed,
// and one wrapping ErrCredentialHelperFailed when the helper fails. ctx
// bounds the helper's run.
func (c *DockerConfig) ResolveContext(ctx context.Context, r authn.Resource) (authn.Authenticator, error) {
	host := normalizeRegistry(r.RegistryStr())
	if helper, ok := c.credHelpers[host]; ok && helper != "" {
		return c.fromHelper(ctx, helper, host)
	}
	if cfg, ok := c.auths[host]; ok {
		return authenticator(cfg), nil
	}
	if c.credsStore != "" {
		return c.fromHelper(ctx, c.credsStore, host)
	}
	return authn.Anonymous, nil
}

// authenticator wraps credentials in an authenticator fmt cannot reveal.
func authenticator(cfg authn.AuthConfig) authn.Authenticator {
	kind := "basic"
	switch {
	case cfg.RegistryToken != "":
		kind = "bearer"
	case cfg.IdentityToken != "":
		kind = "identitytoken"
	}
	return &static{kind: kind, cfg: cfg}
}

// helperAnswer is the JSON a credential helper prints for "get".
type helperAnswer struct {
	Username string `json:"Username"`
	Secret   string `json:"Secret"`
}

// fromHelper runs docker-credential-<helper> get for host.
func (c *DockerConfig) fromHelper(ctx context.Context, helper, host string) (authn.Authenticator, error) {
	fail := func(err error) (authn.Authenticator, error) {
		return nil, &CredentialHelperError{Helper: helper, Registry: host, Err: err}
	}
	if !c.opts.AllowCredentialHelpers {
		return fail(ErrCredentialHelperNotAllowed)
	}
	if !helperNameRE.MatchString(helper) {
		return fail(fmt.Errorf("%w: invalid helper name", ErrCredentialHelperFailed))
	}
	path, err := c.lookHelper("docker-credential-" + helper)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrCredentialHelperFailed, err))
	}
	serverURL := host
	if key, ok := c.serverURLs[host]; ok {
		serverURL = key
	} else if host == "index.docker.io" {
		serverURL = "https://index.docker.io/v1/"
	}
	var stdout, stderr limitedBuffer
	stdout.limit, stderr.limit = maxHelperOutput, maxHelperOutput
	cmd := exec.CommandContext(ctx, path, "get") //nolint:gosec // the helper is named by a config the caller allowed to run helpers
	cmd.Stdin = strings.NewReader(serverURL)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fail(fmt.Errorf("%w: %w", ErrCredentialHelperFailed, ctxErr))
	}
	if runErr != nil {
		// The protocol's "not found" answer is printed on stdout with a
		// non-zero exit; it holds no secret.
		if strings.Contains(stdout.String(), "credentials not found") || strings.Contains(stderr.String(), "credentials not found") {
			return authn.Anonymous, nil
		}
		return fail(fmt.Errorf("%w: %s", ErrCredentialHelperFailed, helperFailure(runErr, stderr.String())))
	}
	var ans helperAnswer
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &ans); err != nil {
		return fail(fmt.Errorf("%w: output is not the JSON of the credential helper protocol", ErrCredentialHelperFailed))
	}
	if ans.Username == "<token>" {
		return authenticator(authn.AuthConfig{Username: ans.Username, IdentityToken: ans.Secret}), nil
	}
	if ans.Username == "" && ans.Secret == "" {
		return authn.Anonymous, nil
	}
	return authenticator(authn.AuthConfig{Username: ans.Username, Password: ans.Secret}), nil
}

// helperFailure describes a failed helper run by its exit status and the
// first line of its standard error, cut short; never its standard output,
// which is where credentials go.
func helperFailure(runErr error, stderr string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n")
	if len(line) > 200 {
		line = line[:200] + "..."
	}
	if line == "" {
		return runErr.Error()
	}
	return runErr.Error() + ": " + line
}

// lookHelper finds program in HelperDirs, or on the PATH.
func (c *DockerConfig) lookHelper(program string) (string, error) {
	if len(c.opts.HelperDirs) == 0 {
		return exec.LookPath(program)
	}
	for _, dir := range c.opts.HelperDirs {
		p := filepath.Join(dir, program)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in helper directories", program)
}

// limitedBuffer keeps at most limit bytes and reports an error past it, so
// a runaway helper cannot exhaust memory.
type limitedBuffer struct {
	bytes.Buffer
	limit int
}

// Write implements io.Writer.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		return 0, io.ErrShortWrite
	}
	return b.Buffer.Write(p)
}
