package meta

// Annotations a user (or a CLI) sets on any Sluice object to ask its
// controller for an immediate reconciliation. All Sluice annotations live
// under the sluice.dev domain; this pair under reconcile.sluice.dev.
//
// A request is a token, conventionally the current time in RFC 3339
// (`kubectl annotate --overwrite x/y reconcile.sluice.dev/requestedAt="$(date -u +%FT%TZ)"`),
// but any string works: the controller only compares it with the last
// token it handled, which it records in [ReconcileRequestStatus]. Setting
// the annotation to a new value therefore triggers exactly one extra
// reconciliation.
const (
	// ReconcileRequestAnnotation asks for a reconciliation outside the
	// object's interval. Its value is the request token.
	ReconcileRequestAnnotation = "reconcile.sluice.dev/requestedAt"

	// ForceRequestAnnotation asks for a forced reconciliation, one that
	// the controller performs even where it would normally skip work
	// (recreating immutable resources, for instance; each controller
	// documents what force means for it). It takes effect only together
	// with a new [ReconcileRequestAnnotation] carrying the same token, so
	// that one token tracks both and a stale force annotation left on the
	// object never forces again.
	ForceRequestAnnotation = "reconcile.sluice.dev/forceAt"
)

// ReconcileRequestStatus records the last reconcile request a controller
// handled. Embed it inline in an object's status:
//
//	type MyStatus struct {
//		meta.ReconcileRequestStatus `json:",inline"`
//		// ...
//	}
//
// +kubebuilder:object:generate=true
type ReconcileRequestStatus struct {
	// LastHandledReconcileAt is the token of the last
	// reconcile.sluice.dev/requestedAt annotation the controller handled.
	// Empty (the default) means none.
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`
}

// GetLastHandledReconcileRequest returns the token of the last handled
// reconcile request, empty when none was handled.
func (in ReconcileRequestStatus) GetLastHandledReconcileRequest() string {
	return in.LastHandledReconcileAt
}

// SetLastHandledReconcileRequest records token as the last handled
// reconcile request.
func (in *ReconcileRequestStatus) SetLastHandledReconcileRequest(token string) {
	in.LastHandledReconcileAt = token
}

// StatusWithHandledReconcileRequest is an object, or an object's status,
// that reports the last reconcile request its controller handled. A
// *[ReconcileRequestStatus] and any struct that embeds one implement it.
type StatusWithHandledReconcileRequest interface {
	// GetLastHandledReconcileRequest returns the token of the last
	// handled reconcile request, empty when none was handled.
	GetLastHandledReconcileRequest() string
}

// StatusWithHandledReconcileRequestSetter is a
// [StatusWithHandledReconcileRequest] whose controller can record a
// handled request.
type StatusWithHandledReconcileRequestSetter interface {
	StatusWithHandledReconcileRequest

	// SetLastHandledReconcileRequest records token as the last handled
	// reconcile request.
	SetLastHandledReconcileRequest(token string)
}

// ReconcileAnnotationValue returns the token of the
// [ReconcileRequestAnnotation] in annotations, and whether it is set to a
// non-empty value. A nil map has no request.
func ReconcileAnnotationValue(annotations map[string]string) (string, bool) {
	v, ok := annotations[ReconcileRequestAnnotation]
	return v, ok && v != ""
}

// ReconcileRequested reports whether annotations carry a reconcile request
// that the controller has not handled yet: a non-empty
// [ReconcileRequestAnnotation] whose token differs from lastHandled. It
// returns the token, which the controller records with
// SetLastHandledReconcileRequest once it has reconciled.
func ReconcileRequested(annotations map[string]string, lastHandled string) (string, bool) {
	v, ok := ReconcileAnnotationValue(annotations)
	if !ok || v == lastHandled {
		return v, false
	}
	return v, true
}

// ForceRequested reports whether annotations carry a force request that
// the controller has not handled yet: a new reconcile request (see
// [ReconcileRequested]) whose [ForceRequestAnnotation] holds the same
// token. It returns the token.
func ForceRequested(annotations map[string]string, lastHandled string) (string, bool) {
	v, ok := ReconcileRequested(annotations, lastHandled)
	if !ok || annotations[ForceRequestAnnotation] != v {
		return v, false
	}
	return v, true
}
