package image

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/sluice-dev/sluice/apis/meta"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	sourcev1 "github.com/sluice-dev/sluice/examples/api/source/v1"
	"github.com/sluice-dev/sluice/git"
)

// Without the controller's permission, plain HTTP stalls before any I/O
// (the reconcilers hold no client here).
func TestInsecureHTTPIsRefusedByDefault(t *testing.T) {
	g := NewWithT(t)
	repo := &imagev1.ImageRepository{Spec: imagev1.ImageRepositorySpec{Image: "127.0.0.1:1/team/app", Insecure: true}}
	_, err := (&ImageRepositoryReconciler{Tags: NewTagStore()}).scan(t.Context(), repo)
	se, ok := errors.AsType[*stepError](err)
	g.Expect(ok).To(BeTrue())
	g.Expect(se.stalled).To(BeTrue())
	g.Expect(se.reason).To(Equal(meta.InsecureConnectionsDisallowedReason))

	gr := &sourcev1.GitRepository{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "fleet"},
		Spec:       sourcev1.GitRepositorySpec{URL: "http://127.0.0.1:1/fleet.git"},
	}
	_, err = (&ImageUpdateAutomationReconciler{}).authOptions(t.Context(), gr)
	se, ok = errors.AsType[*stepError](err)
	g.Expect(ok).To(BeTrue())
	g.Expect(se.stalled).To(BeTrue())
	g.Expect(se.reason).To(Equal(meta.InsecureConnectionsDisallowedReason))
}

func TestGitFailureClassifies(t *testing.T) {
	tests := []struct {
		err     error
		reason  string
		stalled bool
	}{
		{git.ErrAuthenticationFailed, meta.AuthenticationFailedReason, false},
		{git.ErrInsecureHTTP, meta.InsecureConnectionsDisallowedReason, true},
		{git.ErrInvalidAuth, meta.InvalidConfigReason, true},
		{git.ErrNonFastForward, GitOperationFailedReason, false},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			g := NewWithT(t)
			err := gitFailure("push", tt.err)
			g.Expect(err).To(MatchError(tt.err))
			se, ok := errors.AsType[*stepError](err)
			g.Expect(ok).To(BeTrue())
			g.Expect(se.reason).To(Equal(tt.reason))
			g.Expect(se.stalled).To(Equal(tt.stalled))
		})
	}
}

func TestTagStoreKeepsItsOwnCopy(t *testing.T) {
	g := NewWithT(t)
	s := NewTagStore()
	tags := []string{"a", "b"}
	s.Set(nsName("ns", "app"), TagSet{Tags: tags})
	tags[0] = "changed"
	got, ok := s.Get(nsName("ns", "app"))
	g.Expect(ok).To(BeTrue())
	g.Expect(got.Tags).To(Equal([]string{"a", "b"}))
	s.Delete(nsName("ns", "app"))
	_, ok = s.Get(nsName("ns", "app"))
	g.Expect(ok).To(BeFalse())
}

func nsName(ns, name string) types.NamespacedName {
	return types.NamespacedName{Namespace: ns, Name: name}
}
