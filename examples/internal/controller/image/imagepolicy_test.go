package image_test

import (
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	apiacl "github.com/sluice-dev/sluice/apis/acl"
	"github.com/sluice-dev/sluice/apis/meta"
	imagev1 "github.com/sluice-dev/sluice/examples/api/image/v1"
	"github.com/sluice-dev/sluice/examples/internal/controller/image"
	"github.com/sluice-dev/sluice/testenv/matchers"
)

func newImagePolicy(ns, objName, repo string, choice imagev1.ImagePolicyChoice, filter *imagev1.TagFilter) *imagev1.ImagePolicy {
	return &imagev1.ImagePolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: objName},
		Spec: imagev1.ImagePolicySpec{
			ImageRepositoryRef: imagev1.ImageRepositoryReference{Name: repo},
			Policy:             choice,
			FilterTags:         filter,
		},
	}
}

// waitScanned waits until repo is Ready with count tags.
func waitScanned(t *testing.T, repo *imagev1.ImageRepository, count int) {
	t.Helper()
	NewWithT(t).Eventually(func(g Gomega) {
		g.Expect(k8s.Get(t.Context(), client.ObjectKeyFromObject(repo), repo)).To(Succeed())
		g.Expect(repo).To(matchers.BeReady().ForCurrentGeneration())
		g.Expect(repo.Status.LastScanResult).NotTo(BeNil())
		g.Expect(repo.Status.LastScanResult.TagCount).To(Equal(count))
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}

func TestImagePolicySelectsLatest(t *testing.T) {
	needManager(t)
	ctx := t.Context()
	reg := newRegistry(t)
	tags := []string{"v1.0.0", "v1.1.0", "v1.10.0", "v2.0.0-rc.1", "latest", "main-3f2a9c1-1718000000", "main-9b0c2d4-1718000300", "main-77aa001-999", "20"}
	pushTags(t, reg, "team/app", tags...)
	ns := newNamespace(t)
	repo := newImageRepository(ns, "app", reg.Host()+"/team/app")
	NewWithT(t).Expect(k8s.Create(ctx, repo)).To(Succeed())
	waitScanned(t, repo, len(tags))

	tests := []struct {
		name   string
		choice imagev1.ImagePolicyChoice
		filter *imagev1.TagFilter
		want   string
	}{
		{name: "semver-range", choice: imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: "^1.0"}}, filter: &imagev1.TagFilter{Pattern: `^v`}, want: "v1.10.0"},
		{name: "semver-prerelease", choice: imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: ">=2.0.0-0"}}, filter: &imagev1.TagFilter{Pattern: `^v`}, want: "v2.0.0-rc.1"},
		{name: "alphabetical-asc", choice: imagev1.ImagePolicyChoice{Alphabetical: &imagev1.OrderedPolicy{}}, filter: &imagev1.TagFilter{Pattern: `^v1`}, want: "v1.10.0"},
		{name: "alphabetical-desc", choice: imagev1.ImagePolicyChoice{Alphabetical: &imagev1.OrderedPolicy{Order: imagev1.SortDescending}}, filter: &imagev1.TagFilter{Pattern: `^v`}, want: "v1.0.0"},
		{name: "numerical", choice: imagev1.ImagePolicyChoice{Numerical: &imagev1.OrderedPolicy{}}, want: "20"},
		{
			name:   "numerical-extract",
			choice: imagev1.ImagePolicyChoice{Numerical: &imagev1.OrderedPolicy{Order: imagev1.SortAscending}},
			filter: &imagev1.TagFilter{Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`, Extract: "$ts"},
			want:   "main-9b0c2d4-1718000300",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			pol := newImagePolicy(ns, tt.name, repo.Name, tt.choice, tt.filter)
			g.Expect(k8s.Create(ctx, pol)).To(Succeed())
			g.Eventually(func(g Gomega) {
				g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
				g.Expect(pol).To(matchers.BeReady().ForCurrentGeneration())
				settled(g, pol)
				g.Expect(pol.Status.LatestRef).To(Equal(&imagev1.ImageRef{Name: reg.Host() + "/team/app", Tag: tt.want}))
			}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
		})
	}

	// A new tag, once scanned, moves the policies that accept it; the
	// previous image is recorded.
	t.Run("follows new tags", func(t *testing.T) {
		g := NewWithT(t)
		pushTags(t, reg, "team/app", "v1.11.0")
		requestReconcile(t, repo)
		pol := &imagev1.ImagePolicy{}
		g.Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "semver-range"}, pol)).To(Succeed())
			g.Expect(pol.Status.LatestRef.Tag).To(Equal("v1.11.0"))
			g.Expect(pol.Status.ObservedPreviousRef).NotTo(BeNil())
			g.Expect(pol.Status.ObservedPreviousRef.Tag).To(Equal("v1.10.0"))
			g.Expect(pol).To(matchers.BeReady().ForCurrentGeneration())
		}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	})
}

func TestImagePolicyReportsInvalidPolicies(t *testing.T) {
	needManager(t)
	ctx := t.Context()
	reg := newRegistry(t)
	pushTags(t, reg, "team/app", "v1.0.0", "build-7")
	ns := newNamespace(t)
	repo := newImageRepository(ns, "app", reg.Host()+"/team/app")
	NewWithT(t).Expect(k8s.Create(ctx, repo)).To(Succeed())
	waitScanned(t, repo, 2)

	semver := imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: "*"}}
	numerical := imagev1.ImagePolicyChoice{Numerical: &imagev1.OrderedPolicy{}}
	tests := []struct {
		name    string
		choice  imagev1.ImagePolicyChoice
		filter  *imagev1.TagFilter
		message string
	}{
		{name: "bad-pattern", choice: semver, filter: &imagev1.TagFilter{Pattern: "("}, message: `compile tag pattern "("`},
		{name: "missing-group", choice: numerical, filter: &imagev1.TagFilter{Pattern: `^build-(?P<n>[0-9]+)$`, Extract: "$num"}, message: `has no group "num"`},
		{name: "extract-without-pattern", choice: numerical, filter: &imagev1.TagFilter{Extract: "$1"}, message: "needs a pattern"},
		{name: "bad-range", choice: imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: ">= one"}}, message: "range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			pol := newImagePolicy(ns, tt.name, repo.Name, tt.choice, tt.filter)
			g.Expect(k8s.Create(ctx, pol)).To(Succeed())
			g.Eventually(func(g Gomega) {
				g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
				g.Expect(pol).To(matchers.BeStalled().WithReason(image.InvalidPolicyReason).WithMessage(tt.message))
				g.Expect(pol).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
					WithReason(image.InvalidPolicyReason).WithMessage("invalid image policy").ForCurrentGeneration())
				settled(g, pol)
			}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
			g.Expect(pol.Status.LatestRef).To(BeNil())
		})
	}

	t.Run("no matching tag is not stalled", func(t *testing.T) {
		g := NewWithT(t)
		pol := newImagePolicy(ns, "no-match", repo.Name, imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: ">=5.0.0"}}, nil)
		g.Expect(k8s.Create(ctx, pol)).To(Succeed())
		g.Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
			g.Expect(pol).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
				WithReason(image.NoMatchingTagReason).WithMessage("no tag matches the policy").ForCurrentGeneration())
			g.Expect(pol).NotTo(matchers.BeStalled())
			settled(g, pol)
		}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

		// The tag arrives: the policy selects it after the next scan.
		pushTags(t, reg, "team/app", "v5.0.0")
		requestReconcile(t, repo)
		g.Eventually(func(g Gomega) {
			g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
			g.Expect(pol).To(matchers.BeReady())
			g.Expect(pol.Status.LatestRef).NotTo(BeNil())
			g.Expect(pol.Status.LatestRef.Tag).To(Equal("v5.0.0"))
		}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
	})

	t.Run("the API refuses a policy with two kinds", func(t *testing.T) {
		g := NewWithT(t)
		pol := newImagePolicy(ns, "two-kinds", repo.Name, imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: "*"}, Numerical: &imagev1.OrderedPolicy{}}, nil)
		err := k8s.Create(ctx, pol)
		g.Expect(err).To(matchers.BeInvalid())
		g.Expect(err.Error()).To(ContainSubstring("exactly one of semver, alphabetical and numerical"))
	})
}

func TestImagePolicyCrossNamespace(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	reg := newRegistry(t)
	pushTags(t, reg, "shared/app", "1.0.0")
	repoNS, polNS := newNamespace(t), newNamespace(t)
	repo := newImageRepository(repoNS, "shared", reg.Host()+"/shared/app")
	g.Expect(k8s.Create(ctx, repo)).To(Succeed())
	waitScanned(t, repo, 1)

	pol := newImagePolicy(polNS, "consumer", repo.Name, imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: "*"}}, nil)
	pol.Spec.ImageRepositoryRef.Namespace = repoNS
	g.Expect(k8s.Create(ctx, pol)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
		g.Expect(pol).To(matchers.BeStalled().WithReason(meta.AccessDeniedReason))
		settled(g, pol)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

	// Granting access in the repository brings the policy back (through
	// the watch on repositories).
	var nsObj corev1.Namespace
	g.Expect(k8s.Get(ctx, client.ObjectKey{Name: polNS}, &nsObj)).To(Succeed())
	nsObj.Labels["tenant"] = "consumer"
	g.Expect(k8s.Update(ctx, &nsObj)).To(Succeed())
	g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(repo), repo)).To(Succeed())
	repo.Spec.AccessFrom = &apiacl.AccessFrom{NamespaceSelectors: []apiacl.NamespaceSelector{{MatchLabels: map[string]string{"tenant": "consumer"}}}}
	g.Expect(k8s.Update(ctx, repo)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
		g.Expect(pol).To(matchers.BeReady())
		g.Expect(pol.Status.LatestRef).NotTo(BeNil())
		g.Expect(strings.HasSuffix(pol.Status.LatestRef.Name, "/shared/app")).To(BeTrue())
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}

func TestImagePolicyWaitsForItsRepository(t *testing.T) {
	needManager(t)
	g := NewWithT(t)
	ctx := t.Context()
	reg := newRegistry(t)
	pushTags(t, reg, "team/late", "v0.1.0")
	ns := newNamespace(t)

	pol := newImagePolicy(ns, "early", "late", imagev1.ImagePolicyChoice{SemVer: &imagev1.SemVerPolicy{Range: "*"}}, nil)
	g.Expect(k8s.Create(ctx, pol)).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
		g.Expect(pol).To(matchers.HaveCondition(meta.ReadyCondition, metav1.ConditionFalse).
			WithReason(meta.DependencyNotReadyReason).ForCurrentGeneration())
		g.Expect(pol).NotTo(matchers.BeStalled())
		settled(g, pol)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())

	g.Expect(k8s.Create(ctx, newImageRepository(ns, "late", reg.Host()+"/team/late"))).To(Succeed())
	g.Eventually(func(g Gomega) {
		g.Expect(k8s.Get(ctx, client.ObjectKeyFromObject(pol), pol)).To(Succeed())
		g.Expect(pol).To(matchers.BeReady().ForCurrentGeneration().WithMessage("v0.1.0"))
		g.Expect(pol.Status.LatestRef).To(Equal(&imagev1.ImageRef{Name: reg.Host() + "/team/late", Tag: "v0.1.0"}))
		settled(g, pol)
	}).WithTimeout(waitTimeout).WithPolling(poll).Should(Succeed())
}
