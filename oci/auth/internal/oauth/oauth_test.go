package oauth_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/oci/auth"
	"github.com/sluice-dev/sluice/oci/auth/internal/oauth"
)

// jwt builds an unsigned JWT with the given payload.
func jwt(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(payload)) + "." + enc([]byte("sig"))
}

func TestJWTExpiry(t *testing.T) {
	g := NewWithT(t)
	exp, ok := oauth.JWTExpiry(jwt(`{"exp":1767225600}`))
	g.Expect(ok).To(BeTrue())
	g.Expect(exp.Equal(time.Unix(1767225600, 0))).To(BeTrue())
	for _, tok := range []string{"", "opaque", "a.b", jwt(`{}`), jwt(`{"exp":"soon"}`), jwt(`{"exp":-1}`), "a.!!.c", jwt(`not json`)} {
		_, ok := oauth.JWTExpiry(tok)
		g.Expect(ok).To(BeFalse(), tok)
	}
}

func TestDoErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/oauth":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"expired"}`))
		case "/google":
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":{"code":403,"status":"PERMISSION_DENIED","message":"denied"}}`))
		case "/registry":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}`))
		case "/html":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte(`<html>bad gateway</html>`))
		case "/notjson":
			_, _ = w.Write([]byte(`<html>ok</html>`))
		}
	}))
	defer srv.Close()
	for path, want := range map[string]string{
		"/oauth":    "post " + srv.URL + "/oauth: unexpected token endpoint response: status 400: invalid_grant: expired",
		"/google":   "post " + srv.URL + "/google: unexpected token endpoint response: status 403: PERMISSION_DENIED: denied",
		"/registry": "post " + srv.URL + "/registry: unexpected token endpoint response: status 401: UNAUTHORIZED: no",
		"/html":     "post " + srv.URL + "/html: unexpected token endpoint response: status 502",
		"/notjson":  "post " + srv.URL + "/notjson: unexpected token endpoint response: answer is not the expected JSON",
	} {
		t.Run(path, func(t *testing.T) {
			g := NewWithT(t)
			var out map[string]any
			err := oauth.PostForm(t.Context(), srv.Client(), srv.URL+path+"?secret=query", url.Values{"a": {"b"}}, nil, &out)
			g.Expect(err).To(MatchError(auth.ErrUnexpectedResponse))
			g.Expect(err.Error()).To(Equal(want))
		})
	}
}

func FuzzJWTExpiry(f *testing.F) {
	f.Add(jwt(`{"exp":1767225600}`))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		if exp, ok := oauth.JWTExpiry(token); ok && exp.Unix() <= 0 {
			t.Fatalf("non-positive expiry %v for %q", exp, token)
		}
	})
}
