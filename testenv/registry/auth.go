package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/distribution/distribution/v3/registry/api/errcode"
	"github.com/distribution/distribution/v3/registry/auth"
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd" // registers the "htpasswd" access controller
	"golang.org/x/crypto/bcrypt"
)

const (
	// authRealm is the realm of the basic-auth challenge.
	authRealm = "sluice-testenv"

	// htpasswdFile is the name of the htpasswd file in the registry's
	// temporary directory.
	htpasswdFile = "htpasswd"

	// bcryptCost is the cost of the htpasswd hashes. The registry checks a
	// hash on every request, so the minimum keeps tests fast; the strength
	// of test passwords does not matter.
	bcryptCost = bcrypt.MinCost
)

// Credentials are a user name and password accepted by a registry's basic
// authentication.
type Credentials struct {
	// Username is the user name given to WithUser.
	Username string
	// Password is the clear-text password given to WithUser.
	Password string
}

// writeHTPasswd writes users to an htpasswd file in dir, one
// "name:$2y$..." bcrypt line each, as `htpasswd -B` does, and returns its
// path.
func writeHTPasswd(ctx context.Context, dir string, users []Credentials) (string, error) {
	var buf bytes.Buffer
	for _, u := range users {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		hash, err := hashPassword(u.Password)
		if err != nil {
			return "", fmt.Errorf("hash password of %q: %w", u.Username, err)
		}
		fmt.Fprintf(&buf, "%s:%s\n", u.Username, hash)
	}
	path := filepath.Join(dir, htpasswdFile)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return "", fmt.Errorf("write htpasswd: %w", err)
	}
	return path, nil
}

// hashPassword returns a bcrypt hash with the "$2y$" prefix Apache's
// htpasswd writes. Go's bcrypt writes "$2a$"; both name the same algorithm
// for the hashes Go produces, and Go's bcrypt reads either prefix back.
func hashPassword(password string) (string, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return "", err
	}
	if bytes.HasPrefix(hash, []byte("$2a$")) {
		hash[2] = 'y'
	}
	return string(hash), nil
}

// htpasswdParameters are the Distribution configuration parameters of the
// htpasswd access controller reading path.
func htpasswdParameters(path string) map[string]any {
	return map[string]any{"realm": authRealm, "path": path}
}

// basicAuth puts Distribution's htpasswd access controller in front of next,
// so a backend without authentication of its own answers like Distribution
// does: 401 with a Basic challenge and an UNAUTHORIZED error body.
func basicAuth(htpasswdPath string, next http.Handler) (http.Handler, error) {
	ac, err := auth.GetAccessController("htpasswd", htpasswdParameters(htpasswdPath))
	if err != nil {
		return nil, fmt.Errorf("htpasswd access controller: %w", err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if _, err := ac.Authorized(req); err != nil {
			var challenge auth.Challenge
			if errors.As(err, &challenge) {
				challenge.SetHeaders(req, w)
				_ = errcode.ServeJSON(w, errcode.ErrorCodeUnauthorized)
				return
			}
			// Like Distribution: a broken access controller gets a bare 400,
			// with no detail for the client.
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, req)
	}), nil
}
