package events

import (
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
)

// TestDefaultSchemeIsPrivate checks that each Recorder without WithScheme
// gets a scheme of its own, never client-go's global one, and that it
// knows the built-in kinds (TestEventPostsPayload shows it naming a
// ConfigMap in a payload).
func TestDefaultSchemeIsPrivate(t *testing.T) {
	g := NewWithT(t)
	a, err := NewRecorder(nil, "a")
	g.Expect(err).NotTo(HaveOccurred())
	b, err := NewRecorder(nil, "b")
	g.Expect(err).NotTo(HaveOccurred())

	g.Expect(a.opts.scheme).NotTo(BeNil())
	g.Expect(a.opts.scheme).NotTo(BeIdenticalTo(clientgoscheme.Scheme))
	g.Expect(a.opts.scheme).NotTo(BeIdenticalTo(b.opts.scheme))
	g.Expect(a.opts.scheme.Recognizes(corev1.SchemeGroupVersion.WithKind("ConfigMap"))).To(BeTrue())

	// A scheme given is used as is.
	c, err := NewRecorder(nil, "c", WithScheme(b.opts.scheme))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(c.opts.scheme).To(BeIdenticalTo(b.opts.scheme))
}
