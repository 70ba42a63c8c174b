package source

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/oci"
)

func TestClassifyOCICertificateFailures(t *testing.T) {
	g := NewWithT(t)
	certErr := &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}
	refused := fmt.Errorf("get http://10.0.0.1/v2/: %w", oci.ErrInsecureHTTP)

	// An HTTPS registry with an unknown CA, after go-containerregistry's
	// plain-HTTP fallback for a private host was refused: a retried fetch
	// failure about the certificate, not the insecure-HTTP policy.
	var f *failure
	err := classifyOCIError(fmt.Errorf("resolve: %w", errors.Join(certErr, refused)))
	g.Expect(errors.As(err, &f)).To(BeTrue())
	g.Expect(f.stalled).To(BeFalse())
	g.Expect(f.reason).To(Equal(meta.FailedReason))
	g.Expect(f.condition).To(Equal(meta.FetchFailedCondition))

	// Plain HTTP alone still stalls.
	g.Expect(stalledReason(classifyOCIError(refused))).To(Equal(meta.InsecureConnectionsDisallowedReason))
}
