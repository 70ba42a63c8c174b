package meta_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/sluice-dev/sluice/apis/meta"
)

// The patterns plus their length limits must accept exactly what
// Kubernetes itself accepts for names and namespaces.
func TestNameAndNamespacePatternsMatchKubernetes(t *testing.T) {
	nameRE := regexp.MustCompile(meta.NamePattern)
	nsRE := regexp.MustCompile(meta.NamespacePattern)
	inputs := []string{
		"a", "app", "my-app", "my.app", "a1", "1a", "app-v1.2",
		"", "-app", "app-", ".app", "app.", "my..app", "My-App", "my_app", "my app", "app\n", "ü",
		"a.-b", "a-.b",
		strings.Repeat("a", 63), strings.Repeat("a", 64),
		strings.Repeat("a", 253), strings.Repeat("a", 254),
		strings.Repeat("a.", 126) + "a",
	}
	for _, in := range inputs {
		name := nameRE.MatchString(in) && len(in) <= meta.NameMaxLength
		ns := nsRE.MatchString(in) && len(in) <= meta.NamespaceMaxLength
		if want := len(validation.IsDNS1123Subdomain(in)) == 0; name != want {
			t.Errorf("name %q: NamePattern accepts=%v, Kubernetes accepts=%v", in, name, want)
		}
		if want := len(validation.IsDNS1123Label(in)) == 0; ns != want {
			t.Errorf("namespace %q: NamespacePattern accepts=%v, Kubernetes accepts=%v", in, ns, want)
		}
	}
}

func TestSecretKeyPattern(t *testing.T) {
	keyRE := regexp.MustCompile(meta.SecretKeyPattern)
	for _, in := range []string{"value", "value.yaml", "tls.crt", "ca_file", "KUBECONFIG", "a-b", "..data"} {
		if !keyRE.MatchString(in) {
			t.Errorf("SecretKeyPattern refuses valid key %q", in)
		}
	}
	for _, in := range []string{"", "a/b", "a b", "a:b", "ü", "key\n"} {
		if keyRE.MatchString(in) {
			t.Errorf("SecretKeyPattern accepts invalid key %q", in)
		}
	}
}

func TestDurationPattern(t *testing.T) {
	g := NewWithT(t)
	re := regexp.MustCompile(meta.DurationPattern)
	// Everything metav1.Duration serializes for whole milliseconds matches.
	for _, d := range []time.Duration{0, time.Millisecond, 1500 * time.Millisecond, time.Second, 90 * time.Second, 5 * time.Minute, time.Hour + 30*time.Minute, 1000 * time.Hour} {
		b, err := json.Marshal(metav1.Duration{Duration: d})
		g.Expect(err).NotTo(HaveOccurred())
		var s string
		g.Expect(json.Unmarshal(b, &s)).To(Succeed())
		g.Expect(re.MatchString(s)).To(BeTrue(), "%s", s)
	}
	// Everything the pattern accepts parses.
	for _, s := range []string{"30s", "1m30s", "1.5h", "100ms", "2h45m10.5s"} {
		g.Expect(re.MatchString(s)).To(BeTrue(), "%s", s)
		_, err := time.ParseDuration(s)
		g.Expect(err).NotTo(HaveOccurred(), "%s", s)
	}
	for _, s := range []string{"", "5", "-5m", "5 m", "1d", "1us", "1µs", "10ns", "m", ".5s", "5.m", "5M"} {
		g.Expect(re.MatchString(s)).To(BeFalse(), "%s", s)
	}
}
