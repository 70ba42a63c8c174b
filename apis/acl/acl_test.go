package acl

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestAccessFromSelects(t *testing.T) {
	team := map[string]string{"team": "a", "env": "prod"}
	cases := []struct {
		name   string
		access *AccessFrom
		labels map[string]string
		want   bool
	}{
		{"nil access grants nothing", nil, team, false},
		{"empty access grants nothing", &AccessFrom{}, team, false},
		{"empty selector list grants nothing", &AccessFrom{NamespaceSelectors: []NamespaceSelector{}}, team, false},
		{"empty selector matches all", &AccessFrom{NamespaceSelectors: []NamespaceSelector{{}}}, nil, true},
		{"empty match labels match all", &AccessFrom{NamespaceSelectors: []NamespaceSelector{{MatchLabels: map[string]string{}}}}, team, true},
		{"subset matches", &AccessFrom{NamespaceSelectors: []NamespaceSelector{{MatchLabels: map[string]string{"team": "a"}}}}, team, true},
		{"all labels needed", &AccessFrom{NamespaceSelectors: []NamespaceSelector{{MatchLabels: map[string]string{"team": "a", "env": "dev"}}}}, team, false},
		{"value differs", &AccessFrom{NamespaceSelectors: []NamespaceSelector{{MatchLabels: map[string]string{"team": "b"}}}}, team, false},
		{"missing label", &AccessFrom{NamespaceSelectors: []NamespaceSelector{{MatchLabels: map[string]string{"tier": ""}}}}, team, false},
		{"empty value must be present", &AccessFrom{NamespaceSelectors: []NamespaceSelector{{MatchLabels: map[string]string{"tier": ""}}}}, map[string]string{"tier": ""}, true},
		{"selectors are ORed", &AccessFrom{NamespaceSelectors: []NamespaceSelector{
			{MatchLabels: map[string]string{"team": "b"}},
			{MatchLabels: map[string]string{"env": "prod"}},
		}}, team, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			g.Expect(tc.access.Selects(tc.labels)).To(Equal(tc.want))
		})
	}
}

func TestDeepCopy(t *testing.T) {
	g := NewWithT(t)
	in := &AccessFrom{NamespaceSelectors: []NamespaceSelector{{MatchLabels: map[string]string{"team": "a"}}}}
	out := in.DeepCopy()
	g.Expect(out).To(Equal(in))
	out.NamespaceSelectors[0].MatchLabels["team"] = "b"
	g.Expect(in.NamespaceSelectors[0].MatchLabels).To(HaveKeyWithValue("team", "a"))
	var nilAccess *AccessFrom
	g.Expect(nilAccess.DeepCopy()).To(BeNil())
}

// The limits are those Kubernetes puts on the labels of a namespace, so
// that no selector a namespace could match is refused.
func TestLimitsMatchKubernetesLabels(t *testing.T) {
	g := NewWithT(t)
	prefix := strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("a", 61)
	g.Expect(prefix).To(HaveLen(validation.DNS1123SubdomainMaxLength))
	longestKey := prefix + "/" + strings.Repeat("k", 63)
	g.Expect(longestKey).To(HaveLen(LabelKeyMaxLength))
	g.Expect(validation.IsQualifiedName(longestKey)).To(BeEmpty())
	g.Expect(validation.IsQualifiedName(longestKey + "k")).NotTo(BeEmpty())
	g.Expect(validation.IsQualifiedName("a" + longestKey)).NotTo(BeEmpty())

	g.Expect(LabelValueMaxLength).To(Equal(validation.LabelValueMaxLength))
	g.Expect(validation.IsValidLabelValue(strings.Repeat("v", LabelValueMaxLength))).To(BeEmpty())
	g.Expect(validation.IsValidLabelValue(strings.Repeat("v", LabelValueMaxLength+1))).NotTo(BeEmpty())
}
