package oauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/oci/auth"
)

// maxBody bounds how much of a token endpoint's answer is read.
const maxBody = 1 << 20

// PostForm posts form to endpoint with the extra headers and decodes a 2xx
// JSON answer into out. Any other status gives an error wrapping
// auth.ErrUnexpectedResponse that names the status and the OAuth error code
// and description the body holds, if any.
func PostForm(ctx context.Context, client *http.Client, endpoint string, form url.Values, header http.Header, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("post %s: %w", redactURL(endpoint), err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return Do(client, req, header, out)
}

// PostJSON posts body as JSON to endpoint; see PostForm.
func PostJSON(ctx context.Context, client *http.Client, endpoint string, body any, header http.Header, out any) error {
	data, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("post %s: %w", redactURL(endpoint), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("post %s: %w", redactURL(endpoint), err)
	}
	req.Header.Set("Content-Type", "application/json")
	return Do(client, req, header, out)
}

// Get sends a GET to endpoint; see PostForm.
func Get(ctx context.Context, client *http.Client, endpoint string, header http.Header, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return fmt.Errorf("get %s: %w", redactURL(endpoint), err)
	}
	return Do(client, req, header, out)
}

// Do sends req with the extra headers and decodes a 2xx JSON answer into
// out.
func Do(client *http.Client, req *http.Request, header http.Header, out any) error {
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Accept", "application/json")
	body, err := DoRaw(client, req)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		op := strings.ToLower(req.Method) + " " + redactURL(req.URL.String())
		return fmt.Errorf("%s: %w: answer is not the expected JSON", op, auth.ErrUnexpectedResponse)
	}
	return nil
}

// errorBody covers the error shapes of the token endpoints: OAuth 2.0
// (RFC 6749 section 5.2), Google APIs and the Docker registry API.
type errorBody struct {
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
	Errors           []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// describeError turns an error body into ": code: description", or "" when
// the body is not one of the known shapes. Free text is cut to 300 bytes.
func describeError(body []byte) string {
	var e errorBody
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var parts []string
	var code string
	var google struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	switch {
	case json.Unmarshal(e.Error, &code) == nil && code != "":
		parts = append(parts, code)
	case json.Unmarshal(e.Error, &google) == nil && (google.Status != "" || google.Message != ""):
		parts = append(parts, google.Status, google.Message)
	}
	if e.ErrorDescription != "" {
		parts = append(parts, e.ErrorDescription)
	}
	if len(e.Errors) > 0 {
		parts = append(parts, e.Errors[0].Code, e.Errors[0].Message)
	}
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if len(p) > 300 {
			p = p[:300] + "..."
		}
		out += ": " + p
	}
	return out
}

// redactURL drops the query and user info of a URL for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<invalid URL>"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// JWTExpiry reads the "exp" claim of a JWT without verifying it, and
// reports false when token is not a JWT with a numeric "exp".
func JWTExpiry(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == "" {
		return time.Time{}, false
	}
	sec, err := claims.Exp.Float64()
	if err != nil || sec < 1 || sec > 1e11 { // beyond year 5000: not a real expiry
		return time.Time{}, false
	}
	return time.Unix(int64(sec), 0), true
}

// DoRaw sends req and returns the body of a 2xx answer as is; other
// statuses are reported as by Do.
func DoRaw(client *http.Client, req *http.Request) ([]byte, error) {
	op := strings.ToLower(req.Method) + " " + redactURL(req.URL.String())
	resp, err := client.Do(req) //nolint:gosec // G704: token endpoints come from the operator's configuration
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("%s: read answer: %w", op, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("%s: %w: status %d%s", op, auth.ErrUnexpectedResponse, resp.StatusCode, describeError(body))
	}
	return body, nil
}
