package cloudtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// credentialScopeRE reads the access key and scope of a SigV4
// Authorization header.
var credentialScopeRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$`)

// AWS fakes STS (AssumeRoleWithWebIdentity) and ECR (GetAuthorizationToken)
// on two local HTTP servers. Set its exported fields before the first
// request.
type AWS struct {
	// STS and ECR are the servers; pass their URLs to the provider's
	// endpoint options.
	STS, ECR *httptest.Server

	// AccessKeyID, SecretAccessKey and SessionToken are what STS hands
	// out; ECR checks its requests are signed with them.
	AccessKeyID, SecretAccessKey, SessionToken string
	// RegistryUser and RegistryPassword make up ECR's authorization token
	// (base64 of "user:password").
	RegistryUser, RegistryPassword string
	// ExpiresAt is the token's expiry. Default: one hour after the
	// request.
	ExpiresAt time.Time
	// STSError, when set, makes STS answer 400 with this error code; the
	// message quotes the token received, to prove callers redact it.
	STSError string
	// ECRError, when set, makes ECR answer 400 with this error type; the
	// message quotes the session token, to prove callers redact it.
	ECRError string
	// ECRToken, when set, is returned verbatim as the authorization token.
	ECRToken string

	mu       sync.Mutex
	stsCalls []STSCall
	ecrCalls []ECRCall
}

// STSCall is one AssumeRoleWithWebIdentity request.
type STSCall struct {
	RoleARN, RoleSessionName, WebIdentityToken string
}

// ECRCall is one GetAuthorizationToken request.
type ECRCall struct {
	// AccessKeyID and Region come from the SigV4 credential scope.
	AccessKeyID, Region string
	// SignatureValid reports whether the signature matched one computed
	// from the fake's secret key.
	SignatureValid bool
}

// NewAWS starts the fakes with fixed credentials; Close stops them.
func NewAWS() *AWS {
	f := &AWS{ //nolint:gosec // G101: fake credentials of a test server
		AccessKeyID:      "ASIAFAKEACCESSKEY",
		SecretAccessKey:  "fake-secret-access-key",
		SessionToken:     "fake-session-token",
		RegistryUser:     "AWS",
		RegistryPassword: "ecr-password",
	}
	f.STS = httptest.NewServer(http.HandlerFunc(f.serveSTS))
	f.ECR = httptest.NewServer(http.HandlerFunc(f.serveECR))
	return f
}

// Close stops both servers.
func (f *AWS) Close() {
	f.STS.Close()
	f.ECR.Close()
}

// STSCalls returns the STS requests received so far.
func (f *AWS) STSCalls() []STSCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]STSCall(nil), f.stsCalls...)
}

// ECRCalls returns the ECR requests received so far.
func (f *AWS) ECRCalls() []ECRCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ECRCall(nil), f.ecrCalls...)
}

// serveSTS answers the STS query protocol: a form-encoded POST whose
// Action is AssumeRoleWithWebIdentity, answered in XML.
func (f *AWS) serveSTS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("Action") != "AssumeRoleWithWebIdentity" || r.PostForm.Get("Version") != "2011-06-15" {
		stsError(w, http.StatusBadRequest, "InvalidAction", "unsupported action")
		return
	}
	call := STSCall{
		RoleARN:          r.PostForm.Get("RoleArn"),
		RoleSessionName:  r.PostForm.Get("RoleSessionName"),
		WebIdentityToken: r.PostForm.Get("WebIdentityToken"),
	}
	f.mu.Lock()
	f.stsCalls = append(f.stsCalls, call)
	f.mu.Unlock()
	if f.STSError != "" {
		stsError(w, http.StatusBadRequest, f.STSError, "rejected token "+call.WebIdentityToken)
		return
	}
	if call.RoleARN == "" || call.RoleSessionName == "" || call.WebIdentityToken == "" {
		stsError(w, http.StatusBadRequest, "MissingParameter", "RoleArn, RoleSessionName and WebIdentityToken are required")
		return
	}
	type credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	}
	type result struct {
		Credentials     credentials `xml:"Credentials"`
		SubjectFromWIT  string      `xml:"SubjectFromWebIdentityToken"`
		AssumedRoleUser struct {
			Arn           string `xml:"Arn"`
			AssumedRoleID string `xml:"AssumedRoleId"`
		} `xml:"AssumedRoleUser"`
	}
	var resp struct {
		XMLName   xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ AssumeRoleWithWebIdentityResponse"`
		Result    result   `xml:"AssumeRoleWithWebIdentityResult"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}
	resp.Result.Credentials = credentials{
		AccessKeyID:     f.AccessKeyID,
		SecretAccessKey: f.SecretAccessKey,
		SessionToken:    f.SessionToken,
		Expiration:      time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
	}
	resp.Result.SubjectFromWIT = "system:serviceaccount:flux-system:source-controller"
	resp.Result.AssumedRoleUser.Arn = call.RoleARN + "/" + call.RoleSessionName
	resp.Result.AssumedRoleUser.AssumedRoleID = "AROAFAKE:" + call.RoleSessionName
	resp.RequestID = "fake-request-id"
	w.Header().Set("Content-Type", "text/xml")
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(resp)
}

// stsError writes an STS ErrorResponse.
func stsError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	var resp struct {
		XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
		Type    string   `xml:"Error>Type"`
		Code    string   `xml:"Error>Code"`
		Message string   `xml:"Error>Message"`
		ReqID   string   `xml:"RequestId"`
	}
	resp.Type, resp.Code, resp.Message, resp.ReqID = "Sender", code, message, "fake-request-id"
	_ = xml.NewEncoder(w).Encode(resp)
}

// serveECR answers the AWS JSON 1.1 protocol for GetAuthorizationToken,
// checking the SigV4 signature.
func (f *AWS) serveECR(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if r.Header.Get("X-Amz-Target") != "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") {
		ecrError(w, http.StatusBadRequest, "UnknownOperationException", "unsupported target")
		return
	}
	m := credentialScopeRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || m[4] != "ecr" {
		ecrError(w, http.StatusForbidden, "MissingAuthenticationTokenException", "missing SigV4 authorization")
		return
	}
	call := ECRCall{AccessKeyID: m[1], Region: m[3], SignatureValid: f.checkSignature(r, body, m[3], m[5], m[6])}
	f.mu.Lock()
	f.ecrCalls = append(f.ecrCalls, call)
	f.mu.Unlock()
	switch {
	case f.ECRError != "":
		ecrError(w, http.StatusBadRequest, f.ECRError, "denied for session "+r.Header.Get("X-Amz-Security-Token"))
		return
	case call.AccessKeyID != f.AccessKeyID || !call.SignatureValid || r.Header.Get("X-Amz-Security-Token") != f.SessionToken:
		ecrError(w, http.StatusForbidden, "InvalidSignatureException", "signature does not match")
		return
	}
	token := f.ECRToken
	if token == "" {
		token = base64.StdEncoding.EncodeToString([]byte(f.RegistryUser + ":" + f.RegistryPassword))
	}
	expires := f.ExpiresAt
	if expires.IsZero() {
		expires = time.Now().Add(time.Hour)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"authorizationData": []map[string]any{{
			"authorizationToken": token,
			"expiresAt":          float64(expires.UnixMilli()) / 1000,
			"proxyEndpoint":      "https://" + r.Host,
		}},
	})
}

// checkSignature re-signs the request with the fake's secret key and
// compares signatures.
func (f *AWS) checkSignature(r *http.Request, body []byte, region, signedHeaders, signature string) bool {
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	// The clone is only signed, never sent.
	clone, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body)) //nolint:gosec // G704: never sent
	if err != nil {
		return false
	}
	for _, h := range strings.Split(signedHeaders, ";") {
		if h != "host" && h != "x-amz-date" && h != "x-amz-security-token" {
			clone.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	clone.ContentLength = int64(len(body))
	sum := sha256.Sum256(body)
	creds := awssdk.Credentials{AccessKeyID: f.AccessKeyID, SecretAccessKey: f.SecretAccessKey, SessionToken: f.SessionToken}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, clone, hex.EncodeToString(sum[:]), "ecr", region, when); err != nil {
		return false
	}
	m := credentialScopeRE.FindStringSubmatch(clone.Header.Get("Authorization"))
	return m != nil && m[6] == signature
}

// ecrError writes an AWS JSON 1.1 error.
func ecrError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"__type":%q,"message":%q}`, typ, message) //nolint:gosec // G705: a JSON answer, not HTML
}
