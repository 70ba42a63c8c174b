package cloudtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// GCP fakes Google's metadata server token endpoint, STS token exchange
// (POST /v1/token, RFC 8693) and IAM Credentials generateAccessToken
// (POST /v1/projects/-/serviceAccounts/<email>:generateAccessToken) on one
// local HTTP server, plus a subject-token URL (GET /subject-token) for
// url credential sources. Set its exported fields before the first
// request.
type GCP struct {
	// Server serves every endpoint.
	Server *httptest.Server

	// MetadataToken is the metadata server's access token.
	MetadataToken string
	// STSToken is the federated access token STS hands out.
	STSToken string
	// ServiceAccountToken is generateAccessToken's token.
	ServiceAccountToken string
	// SubjectToken is what GET /subject-token answers, as JSON field
	// "id_token".
	SubjectToken string
	// ExpiresIn is the lifetime, in seconds, of every token. Default 3600.
	ExpiresIn int64
	// STSError, when set, makes STS answer 400 with this OAuth error; the
	// description quotes the subject token.
	STSError string
	// ImpersonationStatus, when set, makes generateAccessToken answer this
	// status with a Google API error quoting the bearer token.
	ImpersonationStatus int
	// MetadataStatus, when set, makes the metadata server answer this
	// status.
	MetadataStatus int

	mu             sync.Mutex
	metadata       []string // service accounts asked for
	exchanges      []STSExchange
	impersonations []Impersonation
}

// STSExchange is one token exchange request.
type STSExchange struct {
	GrantType, Audience, Scope, RequestedTokenType, SubjectToken, SubjectTokenType string
}

// Impersonation is one generateAccessToken request.
type Impersonation struct {
	ServiceAccount, Bearer, Lifetime string
	Scope                            []string
}

// NewGCP starts the fake; Close stops it.
func NewGCP() *GCP {
	f := &GCP{ //nolint:gosec // G101: fake tokens of a test server
		MetadataToken:       "ya29.fake-metadata-token",
		STSToken:            "ya29.fake-federated-token",
		ServiceAccountToken: "ya29.fake-service-account-token",
		SubjectToken:        "fake-oidc-subject-token",
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// Close stops the server.
func (f *GCP) Close() { f.Server.Close() }

// MetadataRequests returns the service accounts whose token was asked for.
func (f *GCP) MetadataRequests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.metadata...)
}

// Exchanges returns the STS requests received so far.
func (f *GCP) Exchanges() []STSExchange {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]STSExchange(nil), f.exchanges...)
}

// Impersonations returns the generateAccessToken requests received so far.
func (f *GCP) Impersonations() []Impersonation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Impersonation(nil), f.impersonations...)
}

// expiresIn is the configured token lifetime.
func (f *GCP) expiresIn() int64 {
	if f.ExpiresIn == 0 {
		return 3600
	}
	return f.ExpiresIn
}

// serve routes requests.
func (f *GCP) serve(w http.ResponseWriter, r *http.Request) {
	const metadataPrefix = "/computeMetadata/v1/instance/service-accounts/"
	const iamPrefix = "/v1/projects/-/serviceAccounts/"
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, metadataPrefix) && strings.HasSuffix(r.URL.Path, "/token"):
		f.serveMetadata(w, r, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, metadataPrefix), "/token"))
	case r.Method == http.MethodPost && r.URL.Path == "/v1/token":
		f.serveSTS(w, r)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, iamPrefix) && strings.HasSuffix(r.URL.Path, ":generateAccessToken"):
		f.serveImpersonation(w, r, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, iamPrefix), ":generateAccessToken"))
	case r.Method == http.MethodGet && r.URL.Path == "/subject-token":
		if r.Header.Get("Authorization") != "Bearer subject-source-secret" {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"id_token": f.SubjectToken})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
	}
}

// serveMetadata answers the metadata server's token request.
func (f *GCP) serveMetadata(w http.ResponseWriter, r *http.Request, account string) {
	if r.Header.Get("Metadata-Flavor") != "Google" {
		http.Error(w, "Missing Metadata-Flavor:Google header.", http.StatusForbidden)
		return
	}
	f.mu.Lock()
	f.metadata = append(f.metadata, account)
	f.mu.Unlock()
	w.Header().Set("Metadata-Flavor", "Google")
	if f.MetadataStatus != 0 {
		http.Error(w, "service account not found", f.MetadataStatus)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": f.MetadataToken, "expires_in": f.expiresIn(), "token_type": "Bearer"})
}

// serveSTS answers an RFC 8693 token exchange.
func (f *GCP) serveSTS(w http.ResponseWriter, r *http.Request) {
	if r.ParseForm() != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	ex := STSExchange{
		GrantType:          r.PostForm.Get("grant_type"),
		Audience:           r.PostForm.Get("audience"),
		Scope:              r.PostForm.Get("scope"),
		RequestedTokenType: r.PostForm.Get("requested_token_type"),
		SubjectToken:       r.PostForm.Get("subject_token"),
		SubjectTokenType:   r.PostForm.Get("subject_token_type"),
	}
	f.mu.Lock()
	f.exchanges = append(f.exchanges, ex)
	f.mu.Unlock()
	switch {
	case f.STSError != "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": f.STSError, "error_description": "the subject token " + ex.SubjectToken + " is invalid"})
	case ex.GrantType != "urn:ietf:params:oauth:grant-type:token-exchange" || ex.RequestedTokenType != "urn:ietf:params:oauth:token-type:access_token" ||
		ex.SubjectToken == "" || ex.Audience == "" || ex.SubjectTokenType == "":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "missing token exchange parameter"})
	default:
		writeJSON(w, http.StatusOK, map[string]any{ //nolint:gosec // G101: a fake token answer
			"access_token":      f.STSToken,
			"issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
			"token_type":        "Bearer",
			"expires_in":        f.expiresIn(),
		})
	}
}

// serveImpersonation answers generateAccessToken.
func (f *GCP) serveImpersonation(w http.ResponseWriter, r *http.Request, account string) {
	var body struct {
		Scope    []string `json:"scope"`
		Lifetime string   `json:"lifetime"`
	}
	if json.NewDecoder(r.Body).Decode(&body) != nil {
		writeJSON(w, http.StatusBadRequest, googleError(http.StatusBadRequest, "INVALID_ARGUMENT", "invalid JSON"))
		return
	}
	bearer := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	f.impersonations = append(f.impersonations, Impersonation{ServiceAccount: account, Bearer: bearer, Lifetime: body.Lifetime, Scope: body.Scope})
	f.mu.Unlock()
	switch {
	case f.ImpersonationStatus != 0:
		writeJSON(w, f.ImpersonationStatus, googleError(f.ImpersonationStatus, "PERMISSION_DENIED", "Permission 'iam.serviceAccounts.getAccessToken' denied for caller "+bearer))
	case bearer != f.STSToken:
		writeJSON(w, http.StatusUnauthorized, googleError(http.StatusUnauthorized, "UNAUTHENTICATED", "invalid credentials"))
	default:
		writeJSON(w, http.StatusOK, map[string]string{
			"accessToken": f.ServiceAccountToken,
			"expireTime":  time.Now().Add(time.Duration(f.expiresIn()) * time.Second).UTC().Format(time.RFC3339),
		})
	}
}

// googleError is the error body of Google APIs.
func googleError(code int, status, message string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "status": status, "message": message}}
}
