package notification

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/sluice-dev/sluice/apis/meta"
	notificationv1 "github.com/sluice-dev/sluice/examples/api/notification/v1"
)

// DefaultMaxReceiverBytes is the largest webhook body a [ReceiverServer]
// reads: 4 MiB, enough for the push payloads of Git hosting services.
const DefaultMaxReceiverBytes = 4 << 20

// ReceiverServer is the http.Handler of Receiver webhooks. A POST to a
// Receiver's status.webhookPath that passes the Receiver's type's check
// (generic: none, the path is the secret; generic-hmac: X-Signature;
// github: X-Hub-Signature-256) annotates every target resource with
// meta.ReconcileRequestAnnotation set to the current time, through a JSON
// merge patch that works for any kind. A GitHub "ping" event is answered
// 200 once its signature checks, without annotating.
//
// The answer is 200 on success, 401 for a missing or wrong signature, 404
// for a path no Receiver serves, 405 for a method other than POST, 413 for
// a body over MaxBodyBytes, 503 for a suspended Receiver, and 500 when a
// Secret cannot be read or a target cannot be annotated. Answers never
// quote the token or the signature.
//
// The fields are read-only once the server serves; it is safe for
// concurrent use.
type ReceiverServer struct {
	// Client lists Receivers (typically the manager's cached client) and
	// patches the targets. Required.
	Client client.Client

	// APIReader reads Secrets and lists targets selected with "*",
	// uncached. Nil (the default) means Client.
	APIReader client.Reader

	// MaxBodyBytes bounds the request body. Zero (the default) means
	// DefaultMaxReceiverBytes.
	MaxBodyBytes int64

	// NoCrossNamespaceRefs refuses to annotate targets in another
	// namespace than the Receiver's. Default: false.
	NoCrossNamespaceRefs bool

	// Logger receives one line per call, never with secrets. The zero
	// value discards.
	Logger logr.Logger
}

// ServeHTTP implements http.Handler.
func (s *ReceiverServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "only POST is allowed", http.StatusMethodNotAllowed)
		return
	}
	path := r.URL.Path
	if !validWebhookPath(path) {
		http.Error(w, "no receiver at this path", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	rcv, err := s.find(ctx, path)
	if err != nil {
		s.Logger.Error(err, "list receivers")
		http.Error(w, "cannot list receivers", http.StatusInternalServerError)
		return
	}
	if rcv == nil {
		http.Error(w, "no receiver at this path", http.StatusNotFound)
		return
	}
	log := s.Logger.WithValues("receiver", client.ObjectKeyFromObject(rcv).String())
	if rcv.Spec.Suspend {
		http.Error(w, "receiver is suspended", http.StatusServiceUnavailable)
		return
	}
	limit := s.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxReceiverBytes
	}
	body, err := readBody(r.Body, limit)
	if err != nil {
		code := http.StatusBadRequest
		if errors.Is(err, ErrPayloadTooLarge) {
			code = http.StatusRequestEntityTooLarge
		}
		http.Error(w, err.Error(), code)
		return
	}
	token, err := ReceiverToken(ctx, s.apiReader(), rcv)
	if err != nil {
		log.Error(err, "read receiver token")
		http.Error(w, "cannot read the receiver's secret", http.StatusInternalServerError)
		return
	}
	// The status may predate a token change: the path must come from the
	// current token.
	if WebhookPath(string(token), rcv.Name, rcv.Namespace) != path {
		http.Error(w, "no receiver at this path", http.StatusNotFound)
		return
	}
	if err := Authenticate(rcv.Spec.Type, token, r.Header, body); err != nil {
		log.Info("call refused", "error", err.Error())
		http.Error(w, "unauthorized: "+err.Error(), http.StatusUnauthorized)
		return
	}
	if rcv.Spec.Type == notificationv1.ReceiverGitHub && r.Header.Get(GitHubEventHeader) == "ping" {
		_, _ = fmt.Fprintln(w, "pong")
		return
	}
	n, err := s.Annotate(ctx, rcv, time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		log.Error(err, "annotate targets")
		http.Error(w, fmt.Sprintf("annotated %d object(s), then failed: %v", n, err), http.StatusInternalServerError)
		return
	}
	log.Info("reconcile requested", "objects", n)
	_, _ = fmt.Fprintf(w, "annotated %d object(s)\n", n)
}

// Authenticate checks a call to a Receiver of type typ, whose token is
// token. It returns nil for generic (the path is the secret) and for a
// good signature, and for generic-hmac and github an error wrapping
// [ErrMissingSignature], [ErrMalformedSignature] or [ErrSignatureMismatch].
// An unknown type is an error wrapping [ErrInvalidConfig].
func Authenticate(typ notificationv1.ReceiverType, token []byte, header http.Header, body []byte) error {
	switch typ {
	case notificationv1.ReceiverGeneric, "":
		return nil
	case notificationv1.ReceiverGenericHMAC:
		return VerifySignature(token, body, header.Get(SignatureHeader))
	case notificationv1.ReceiverGitHub:
		return VerifySignature(token, body, header.Get(GitHubSignatureHeader))
	default:
		return fmt.Errorf("receiver type %q: %w", typ, ErrInvalidConfig)
	}
}

// ReceiverToken reads the token of rcv's Secret. It returns the reader's
// error (NotFound for a missing Secret) or an error wrapping
// [ErrInvalidSecret] when the Secret has no non-empty "token" key.
func ReceiverToken(ctx context.Context, reader client.Reader, rcv *notificationv1.Receiver) ([]byte, error) {
	data, err := secretData(ctx, reader, rcv.Namespace, rcv.Spec.SecretRef.Name)
	if err != nil {
		return nil, err
	}
	token := data[notificationv1.ReceiverTokenKey]
	if len(token) == 0 {
		return nil, fmt.Errorf("secret %s has no %q key: %w", rcv.Spec.SecretRef.Name, notificationv1.ReceiverTokenKey, ErrInvalidSecret)
	}
	return token, nil
}

// find returns the Receiver whose status.webhookPath is path, nil when
// none.
func (s *ReceiverServer) find(ctx context.Context, path string) (*notificationv1.Receiver, error) {
	var list notificationv1.ReceiverList
	if err := s.Client.List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list receivers: %w", err)
	}
	for i := range list.Items {
		if list.Items[i].Status.WebhookPath == path {
			return &list.Items[i], nil
		}
	}
	return nil, nil
}

// Annotate sets meta.ReconcileRequestAnnotation to token on every target
// of rcv and returns how many objects it annotated. A Name "*" selects the
// objects of the kind in the namespace that carry MatchLabels. It stops at
// the first failure and returns an error wrapping the API server's error
// (NotFound for a missing named target), or [ErrInvalidConfig] for a
// target without apiVersion or, with NoCrossNamespaceRefs, in another
// namespace.
func (s *ReceiverServer) Annotate(ctx context.Context, rcv *notificationv1.Receiver, token string) (int, error) {
	patch, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"annotations": map[string]string{meta.ReconcileRequestAnnotation: token}},
	})
	if err != nil {
		return 0, fmt.Errorf("annotate targets: %w", err)
	}
	n := 0
	for i, res := range rcv.Spec.Resources {
		gvk, ns, err := receiverTarget(rcv, i, s.NoCrossNamespaceRefs)
		if err != nil {
			return n, fmt.Errorf("annotate targets: %w", err)
		}
		var objs []*unstructured.Unstructured
		if res.Name == "*" {
			list := &unstructured.UnstructuredList{}
			list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
			if err := s.apiReader().List(ctx, list, client.InNamespace(ns), client.MatchingLabels(res.MatchLabels)); err != nil {
				return n, fmt.Errorf("annotate targets: list %s in %s: %w", gvk.Kind, ns, err)
			}
			for j := range list.Items {
				objs = append(objs, &list.Items[j])
			}
		} else {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			u.SetNamespace(ns)
			u.SetName(res.Name)
			objs = append(objs, u)
		}
		for _, u := range objs {
			u.SetGroupVersionKind(gvk)
			if err := s.Client.Patch(ctx, u, client.RawPatch(types.MergePatchType, patch)); err != nil {
				return n, fmt.Errorf("annotate %s %s/%s: %w", gvk.Kind, u.GetNamespace(), u.GetName(), err)
			}
			n++
		}
	}
	return n, nil
}

// receiverTarget returns the kind and namespace of rcv's i-th resource.
func receiverTarget(rcv *notificationv1.Receiver, i int, noCrossNamespace bool) (schema.GroupVersionKind, string, error) {
	res := rcv.Spec.Resources[i]
	gv, err := schema.ParseGroupVersion(res.APIVersion)
	if err != nil || res.APIVersion == "" {
		return schema.GroupVersionKind{}, "", fmt.Errorf("resources[%d]: apiVersion is required: %w", i, ErrInvalidConfig)
	}
	ns := res.Namespace
	if ns == "" {
		ns = rcv.Namespace
	}
	if noCrossNamespace && ns != rcv.Namespace {
		return schema.GroupVersionKind{}, "", fmt.Errorf("resources[%d]: namespace %s: cross-namespace references are not allowed: %w", i, ns, ErrInvalidConfig)
	}
	if res.Name != "*" && len(res.MatchLabels) > 0 {
		return schema.GroupVersionKind{}, "", fmt.Errorf("resources[%d]: matchLabels needs name \"*\": %w", i, ErrInvalidConfig)
	}
	return gv.WithKind(res.Kind), ns, nil
}

func (s *ReceiverServer) apiReader() client.Reader {
	if s.APIReader != nil {
		return s.APIReader
	}
	return s.Client
}
