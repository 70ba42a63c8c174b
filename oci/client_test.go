package oci_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	. "github.com/onsi/gomega"
	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/oci"
	"github.com/sluice-dev/sluice/oci/archive"
	"github.com/sluice-dev/sluice/testenv/registry"
	"github.com/sluice-dev/sluice/version"
)

var sampleFiles = map[string]string{
	"deploy/app.yaml":     "apiVersion: apps/v1\nkind: Deployment\n",
	"deploy/svc.yaml":     "apiVersion: v1\nkind: Service\n",
	"kustomization.yaml":  "resources: [deploy/app.yaml, deploy/svc.yaml]\n",
	"big/data.bin":        strings.Repeat("0123456789abcdef", 64<<10),
	"docs/README.md":      "left out by .sourceignore\n",
	".sourceignore":       "docs/\n",
	"nested/a/b/c/d.json": `{"k": "v"}`,
}

func TestPushPullRoundTrip(t *testing.T) {
	g := NewWithT(t)
	reg := newRegistry(t)
	c := newClient(t, reg)
	src := t.TempDir()
	writeTree(t, src, sampleFiles)
	ref := reg.Ref("team/app:v1.2.3")
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	opts := oci.PushOptions{
		Source:      "https://github.com/example/app",
		Revision:    "main@sha1:0123456789abcdef0123456789abcdef01234567",
		Created:     created,
		Annotations: map[string]string{"team": "platform"},
		IgnoreFile:  ".sourceignore",
	}
	var pushProgress progressLog
	opts.Progress = pushProgress.record

	pushed, err := c.Push(t.Context(), ref, src, opts)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(pushed.Digest.Validate()).To(Succeed())
	g.Expect(pushed.Revision.String()).To(Equal("v1.2.3@" + pushed.Digest.String()))
	g.Expect(pushed.Ref).To(Equal(reg.Ref("team/app:v1.2.3")))
	g.Expect(pushed.Layer.MediaType).To(Equal(oci.FluxContentMediaType))
	g.Expect(pushed.Archive.Files).To(Equal(6)) // docs/README.md left out

	// Progress: monotonic, ends at the layer size.
	reports := pushProgress.all()
	g.Expect(reports).NotTo(BeEmpty())
	last := reports[len(reports)-1]
	g.Expect(last).To(Equal(oci.Progress{Done: pushed.Layer.Size, Total: pushed.Layer.Size}))

	// Pushing the same content again gives the same digest.
	again, err := c.Push(t.Context(), reg.Ref("team/app:again"), src, opts)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(again.Digest).To(Equal(pushed.Digest))

	// The manifest is Flux's format.
	raw, err := remote.Get(mustRef(t, ref), remote.WithTransport(reg.Transport()), remote.WithAuth(basic(reg)))
	g.Expect(err).NotTo(HaveOccurred())
	m, err := gcrv1.ParseManifest(bytes.NewReader(raw.Manifest))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(m.MediaType).To(Equal(types.OCIManifestSchema1))
	g.Expect(string(m.Config.MediaType)).To(Equal(oci.FluxConfigMediaType))
	g.Expect(m.Layers).To(HaveLen(1))
	g.Expect(string(m.Layers[0].MediaType)).To(Equal(oci.FluxContentMediaType))
	g.Expect(m.Annotations).To(Equal(map[string]string{
		oci.AnnotationSource:   opts.Source,
		oci.AnnotationRevision: opts.Revision,
		oci.AnnotationCreated:  "2026-01-02T03:04:05Z",
		"team":                 "platform",
	}))

	// Pull by tag: byte-identical files, progress to the end.
	var pullProgress progressLog
	out := filepath.Join(t.TempDir(), "out")
	pulled, err := c.Pull(t.Context(), ref, out, oci.PullOptions{Progress: pullProgress.record})
	g.Expect(err).NotTo(HaveOccurred())
	want := readTree(t, src)
	delete(want, "docs/README.md")
	g.Expect(readTree(t, out)).To(Equal(want))
	g.Expect(pulled.Digest).To(Equal(pushed.Digest))
	g.Expect(pulled.Revision).To(Equal(pushed.Revision))
	g.Expect(pulled.Layer).To(Equal(pushed.Layer))
	g.Expect(pulled.ConfigMediaType).To(Equal(oci.FluxConfigMediaType))
	g.Expect(pulled.Annotations).To(HaveKeyWithValue(oci.AnnotationRevision, opts.Revision))
	g.Expect(pulled.Archive.Digest).To(Equal(pushed.Layer.Digest))
	pr := pullProgress.all()
	g.Expect(pr).NotTo(BeEmpty())
	for i := 1; i < len(pr); i++ {
		g.Expect(pr[i].Done).To(BeNumerically(">=", pr[i-1].Done))
	}
	g.Expect(pr[len(pr)-1]).To(Equal(oci.Progress{Done: pushed.Layer.Size, Total: pushed.Layer.Size}))

	// Pull by digest, with the oci:// prefix.
	byDigest := "oci://" + reg.Ref("team/app@"+pushed.Digest.String())
	out2 := filepath.Join(t.TempDir(), "out")
	pulled2, err := c.Pull(t.Context(), byDigest, out2, oci.PullOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(pulled2.Revision.String()).To(Equal(pushed.Digest.String()))
	g.Expect(readTree(t, out2)).To(Equal(want))

	// Fetch gives the layer itself.
	var layer bytes.Buffer
	_, err = c.Fetch(t.Context(), ref, &layer, oci.PullOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(digest.FromBytes(layer.Bytes())).To(Equal(pushed.Layer.Digest))

	// Resolve answers with the same digest.
	res, err := c.Resolve(t.Context(), ref)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Digest).To(Equal(pushed.Digest))
	g.Expect(res.Tag).To(Equal("v1.2.3"))
}

func TestPushWithoutCreatedIsContentAddressed(t *testing.T) {
	g := NewWithT(t)
	reg := newRegistry(t)
	c := newClient(t, reg)
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.yaml": "a: 1\n"})

	first, err := c.Push(t.Context(), reg.Ref("app:one"), src, oci.PushOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	// Touch the file: a new mtime must not change anything.
	later := time.Now().Add(time.Hour)
	g.Expect(os.Chtimes(filepath.Join(src, "a.yaml"), later, later)).To(Succeed())
	second, err := c.Push(t.Context(), reg.Ref("app:two"), src, oci.PushOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(second.Digest).To(Equal(first.Digest))

	// A prebuilt archive of the same tree is the same artifact.
	var buf bytes.Buffer
	_, err = archive.Build(t.Context(), src, &buf, archive.BuildOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	third, err := c.PushArchive(t.Context(), reg.Ref("app:three"), writeFile(t, buf.Bytes()), oci.PushOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(third.Digest).To(Equal(first.Digest))

	// A file that is not gzip is refused before any request.
	_, err = c.PushArchive(t.Context(), reg.Ref("app:bad"), writeFile(t, []byte("plain")), oci.PushOptions{})
	g.Expect(errors.Is(err, archive.ErrInvalidArchive)).To(BeTrue(), "%v", err)
}

func TestInsecureHTTP(t *testing.T) {
	g := NewWithT(t)
	reg, err := registry.New(t.Context())
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = reg.Close() })
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.yaml": "a: 1\n"})

	strict, err := oci.New()
	g.Expect(err).NotTo(HaveOccurred())
	_, err = strict.Push(t.Context(), reg.Ref("app:v1"), src, oci.PushOptions{})
	g.Expect(errors.Is(err, oci.ErrInsecureHTTP)).To(BeTrue(), "%v", err)
	_, err = strict.ListTags(t.Context(), reg.Ref("app"), oci.ListTagsOptions{})
	g.Expect(errors.Is(err, oci.ErrInsecureHTTP)).To(BeTrue(), "%v", err)

	lax, err := oci.New(oci.WithInsecureHTTP())
	g.Expect(err).NotTo(HaveOccurred())
	pushed, err := lax.Push(t.Context(), reg.Ref("app:v1"), src, oci.PushOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	out := filepath.Join(t.TempDir(), "out")
	pulled, err := lax.Pull(t.Context(), reg.Ref("app:v1"), out, oci.PullOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(pulled.Digest).To(Equal(pushed.Digest))

	// The strict client cannot pull it either, and writes nothing.
	base := t.TempDir()
	_, err = strict.Pull(t.Context(), reg.Ref("app:v1"), filepath.Join(base, "out"), oci.PullOptions{})
	g.Expect(errors.Is(err, oci.ErrInsecureHTTP)).To(BeTrue(), "%v", err)
	entries, _ := os.ReadDir(base)
	g.Expect(entries).To(BeEmpty())
}

func TestCredentials(t *testing.T) {
	reg := newRegistry(t)
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.yaml": "a: 1\n"})
	good := newClient(t, reg)
	_, err := good.Push(t.Context(), reg.Ref("app:v1"), src, oci.PushOptions{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("wrong password", func(t *testing.T) {
		g := NewWithT(t)
		c, err := oci.New(oci.WithRootCAs(reg.CertPool()), oci.WithAuth(&authn.Basic{Username: "sluice", Password: "wrong"}))
		g.Expect(err).NotTo(HaveOccurred())
		_, err = c.Push(t.Context(), reg.Ref("app:v2"), src, oci.PushOptions{})
		g.Expect(errors.Is(err, oci.ErrUnauthorized)).To(BeTrue(), "%v", err)
		g.Expect(err.Error()).NotTo(ContainSubstring("wrong"), "no secret in errors")
		_, err = c.Pull(t.Context(), reg.Ref("app:v1"), filepath.Join(t.TempDir(), "out"), oci.PullOptions{})
		g.Expect(errors.Is(err, oci.ErrUnauthorized)).To(BeTrue(), "%v", err)
	})
	t.Run("anonymous", func(t *testing.T) {
		g := NewWithT(t)
		c, err := oci.New(oci.WithRootCAs(reg.CertPool()))
		g.Expect(err).NotTo(HaveOccurred())
		_, err = c.ListTags(t.Context(), reg.Ref("app"), oci.ListTagsOptions{})
		g.Expect(errors.Is(err, oci.ErrUnauthorized)).To(BeTrue(), "%v", err)
	})
	t.Run("keychain", func(t *testing.T) {
		g := NewWithT(t)
		c, err := oci.New(oci.WithRootCAs(reg.CertPool()), oci.WithKeychain(staticKeychain{host: reg.Host(), auth: basic(reg)}))
		g.Expect(err).NotTo(HaveOccurred())
		_, err = c.Pull(t.Context(), reg.Ref("app:v1"), filepath.Join(t.TempDir(), "out"), oci.PullOptions{})
		g.Expect(err).NotTo(HaveOccurred())
	})
	t.Run("unknown CA", func(t *testing.T) {
		g := NewWithT(t)
		c, err := oci.New(oci.WithAuth(basic(reg)))
		g.Expect(err).NotTo(HaveOccurred())
		_, err = c.Resolve(t.Context(), reg.Ref("app:v1"))
		var unknown x509.UnknownAuthorityError
		g.Expect(errors.As(err, &unknown)).To(BeTrue(), "%v", err)
	})
	t.Run("custom transport with the CA", func(t *testing.T) {
		g := NewWithT(t)
		c, err := oci.New(oci.WithTransport(&http.Transport{}), oci.WithRootCAs(reg.CertPool()), oci.WithAuth(basic(reg)))
		g.Expect(err).NotTo(HaveOccurred())
		_, err = c.Resolve(t.Context(), reg.Ref("app:v1"))
		g.Expect(err).NotTo(HaveOccurred())
	})
}

// staticKeychain answers one authenticator for one registry host.
type staticKeychain struct {
	host string
	auth authn.Authenticator
}

func (k staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == k.host {
		return k.auth, nil
	}
	return authn.Anonymous, nil
}

func TestPullRefusesHostileArtifacts(t *testing.T) {
	reg := newRegistry(t)
	c := newClient(t, reg)
	outside := t.TempDir()
	tests := []struct {
		name string
		data []byte
		opts oci.PullOptions
		want error
	}{
		{"traversal", tarGz(t, tarEntry{hdr: tar.Header{Name: "../../evil", Typeflag: tar.TypeReg, Mode: 0o644}, body: "x"}),
			oci.PullOptions{}, archive.ErrPathTraversal},
		{"absolute path", tarGz(t, tarEntry{hdr: tar.Header{Name: filepath.Join(outside, "evil"), Typeflag: tar.TypeReg, Mode: 0o644}, body: "x"}),
			oci.PullOptions{}, archive.ErrAbsolutePath},
		{"symlink escape", tarGz(t,
			tarEntry{hdr: tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: outside}},
			tarEntry{hdr: tar.Header{Name: "link/evil", Typeflag: tar.TypeReg, Mode: 0o644}, body: "x"}),
			oci.PullOptions{}, archive.ErrSymlinkEscape},
		{"hardlink escape", tarGz(t, tarEntry{hdr: tar.Header{Name: "h", Typeflag: tar.TypeLink, Linkname: "../../../etc/passwd"}}),
			oci.PullOptions{}, archive.ErrHardlinkEscape},
		{"device", tarGz(t, tarEntry{hdr: tar.Header{Name: "null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3, Mode: 0o666}}),
			oci.PullOptions{}, archive.ErrUnsupportedType},
		{"too large", tarGz(t, tarEntry{hdr: tar.Header{Name: "big", Typeflag: tar.TypeReg, Mode: 0o644}, body: strings.Repeat("z", 4096)}),
			oci.PullOptions{MaxSize: 1024}, archive.ErrTooLarge},
		{"too many files", tarGz(t,
			tarEntry{hdr: tar.Header{Name: "a", Typeflag: tar.TypeReg, Mode: 0o644}, body: "a"},
			tarEntry{hdr: tar.Header{Name: "b", Typeflag: tar.TypeReg, Mode: 0o644}, body: "b"}),
			oci.PullOptions{MaxFiles: 1}, archive.ErrTooManyFiles},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			ref := reg.Ref("hostile:" + string(rune('a'+i)))
			_, err := c.PushArchive(t.Context(), ref, writeFile(t, tt.data), oci.PushOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			base := t.TempDir()
			_, err = c.Pull(t.Context(), ref, filepath.Join(base, "out"), tt.opts)
			g.Expect(errors.Is(err, tt.want)).To(BeTrue(), "got %v", err)
			var ee *archive.ExtractError
			g.Expect(errors.As(err, &ee)).To(BeTrue())
			entries, _ := os.ReadDir(base)
			g.Expect(entries).To(BeEmpty(), "nothing left in the target's parent")
			entries, _ = os.ReadDir(outside)
			g.Expect(entries).To(BeEmpty(), "nothing written outside")
		})
	}
}

func TestTagsCopyDeleteAndSemver(t *testing.T) {
	g := NewWithT(t)
	reg := newRegistry(t)
	c := newClient(t, reg)
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.yaml": "a: 1\n"})
	ctx := t.Context()

	pushed := map[string]digest.Digest{}
	for i, tag := range []string{"v1.0.0", "1.1.0", "v2.0.0-rc.1", "v2.0.0"} {
		writeTree(t, src, map[string]string{"version.txt": tag + strings.Repeat("!", i)})
		res, err := c.Push(ctx, reg.Ref("app:"+tag), src, oci.PushOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		pushed[tag] = res.Digest
	}
	hex := pushed["v1.0.0"].Encoded()
	for _, extra := range []string{"latest", "sha256-" + hex + ".sig", "sha256-" + hex + ".att", "sha256-" + hex + ".sbom", "sha256-" + hex, "build.att"} {
		d, err := c.Tag(ctx, reg.Ref("app:v1.0.0"), extra)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(d).To(Equal(pushed["v1.0.0"]))
	}
	repo := reg.Ref("app")

	tags, err := c.ListTags(ctx, repo, oci.ListTagsOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tags).To(Equal([]string{"1.1.0", "latest", "v1.0.0", "v2.0.0", "v2.0.0-rc.1"}))

	all, err := c.ListTags(ctx, repo, oci.ListTagsOptions{IncludeSignatureTags: true})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(all).To(HaveLen(10))

	tags, err = c.ListTags(ctx, repo, oci.ListTagsOptions{Semver: ">=1.0.0"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tags).To(Equal([]string{"v2.0.0", "1.1.0", "v1.0.0"}))

	tags, err = c.ListTags(ctx, repo, oci.ListTagsOptions{Semver: ">=2.0.0-0"})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tags).To(Equal([]string{"v2.0.0", "v2.0.0-rc.1"}))

	tags, err = c.ListTags(ctx, repo, oci.ListTagsOptions{Pattern: `^v\d`})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tags).To(Equal([]string{"v1.0.0", "v2.0.0", "v2.0.0-rc.1"}))

	res, err := c.ResolveSemver(ctx, repo, "^1.0", oci.ListTagsOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Tag).To(Equal("1.1.0"))
	g.Expect(res.Digest).To(Equal(pushed["1.1.0"]))
	g.Expect(res.Revision.String()).To(Equal("1.1.0@" + pushed["1.1.0"].String()))

	_, err = c.ResolveSemver(ctx, repo, ">=5.0.0", oci.ListTagsOptions{})
	g.Expect(errors.Is(err, oci.ErrNoMatchingTag)).To(BeTrue(), "%v", err)
	_, err = c.ResolveSemver(ctx, repo, "not a range", oci.ListTagsOptions{})
	g.Expect(errors.Is(err, version.ErrInvalidConstraint)).To(BeTrue(), "%v", err)
	_, err = c.ListTags(ctx, repo, oci.ListTagsOptions{Pattern: "("})
	g.Expect(errors.Is(err, oci.ErrInvalidOption)).To(BeTrue(), "%v", err)
	_, err = c.Tag(ctx, reg.Ref("app:v1.0.0"), "bad tag!")
	g.Expect(errors.Is(err, oci.ErrInvalidReference)).To(BeTrue(), "%v", err)

	// Copy to another repository, then pull the copy.
	d, err := c.Copy(ctx, reg.Ref("app:v2.0.0"), reg.Ref("mirror/app:v2.0.0"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(d).To(Equal(pushed["v2.0.0"]))
	out := filepath.Join(t.TempDir(), "out")
	_, err = c.Pull(ctx, reg.Ref("mirror/app:v2.0.0"), out, oci.PullOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(readTree(t, out)["version.txt"]).To(Equal("v2.0.0!!!"))

	// Delete by tag removes the manifest.
	g.Expect(c.Delete(ctx, reg.Ref("mirror/app:v2.0.0"))).To(Succeed())
	_, err = c.Resolve(ctx, reg.Ref("mirror/app:v2.0.0"))
	g.Expect(errors.Is(err, oci.ErrNotFound)).To(BeTrue(), "%v", err)
	_, err = c.Pull(ctx, reg.Ref("app:missing"), filepath.Join(t.TempDir(), "out"), oci.PullOptions{})
	g.Expect(errors.Is(err, oci.ErrNotFound)).To(BeTrue(), "%v", err)
	err = c.Delete(ctx, reg.Ref("app:missing"))
	g.Expect(errors.Is(err, oci.ErrNotFound)).To(BeTrue(), "%v", err)
}

// helmChart returns a chart archive the way `helm package` lays it out.
func helmChart(t *testing.T) []byte {
	return tarGz(t,
		tarEntry{hdr: tar.Header{Name: "podinfo/Chart.yaml", Typeflag: tar.TypeReg, Mode: 0o644}, body: "apiVersion: v2\nname: podinfo\nversion: 6.5.0\n"},
		tarEntry{hdr: tar.Header{Name: "podinfo/values.yaml", Typeflag: tar.TypeReg, Mode: 0o644}, body: "replicaCount: 1\n"},
		tarEntry{hdr: tar.Header{Name: "podinfo/templates/deployment.yaml", Typeflag: tar.TypeReg, Mode: 0o644}, body: "kind: Deployment\n"},
	)
}

func TestHelmChartAndIndex(t *testing.T) {
	g := NewWithT(t)
	reg := newRegistry(t)
	c := newClient(t, reg)
	ctx := t.Context()
	chart := helmChart(t)

	// Push the chart as Helm does, with go-containerregistry directly.
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, oci.HelmConfigMediaType)
	img, err := mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(chart, oci.HelmChartContentMediaType)})
	g.Expect(err).NotTo(HaveOccurred())
	ropts := []remote.Option{remote.WithTransport(reg.Transport()), remote.WithAuth(basic(reg)), remote.WithContext(ctx)}
	chartRef := reg.Ref("charts/podinfo:6.5.0")
	g.Expect(remote.Write(mustRef(t, chartRef), img, ropts...)).To(Succeed())

	out := filepath.Join(t.TempDir(), "chart")
	res, err := c.Pull(ctx, chartRef, out, oci.PullOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.ConfigMediaType).To(Equal(oci.HelmConfigMediaType))
	g.Expect(res.Layer.MediaType).To(Equal(oci.HelmChartContentMediaType))
	g.Expect(readTree(t, out)).To(HaveKeyWithValue("podinfo/Chart.yaml", "apiVersion: v2\nname: podinfo\nversion: 6.5.0\n"))

	var tgz bytes.Buffer
	_, err = c.Fetch(ctx, chartRef, &tgz, oci.PullOptions{MediaTypes: []string{oci.HelmChartContentMediaType}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(tgz.Bytes()).To(Equal(chart))

	// Only Flux content accepted: the chart has none.
	_, err = c.Pull(ctx, chartRef, filepath.Join(t.TempDir(), "x"), oci.PullOptions{MediaTypes: []string{oci.FluxContentMediaType}})
	g.Expect(errors.Is(err, oci.ErrNoMatchingLayer)).To(BeTrue(), "%v", err)

	// An index whose first manifest has no accepted layer and whose second
	// is the chart.
	other, err := mutate.Append(mutate.MediaType(empty.Image, types.OCIManifestSchema1),
		mutate.Addendum{Layer: static.NewLayer([]byte("not an archive"), "application/x-other")})
	g.Expect(err).NotTo(HaveOccurred())
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: other}, mutate.IndexAddendum{Add: img})
	idxRef := reg.Ref("charts/podinfo:index")
	g.Expect(remote.WriteIndex(mustRef(t, idxRef), idx, ropts...)).To(Succeed())
	idxDigest, err := idx.Digest()
	g.Expect(err).NotTo(HaveOccurred())
	imgDigest, err := img.Digest()
	g.Expect(err).NotTo(HaveOccurred())

	out2 := filepath.Join(t.TempDir(), "chart")
	res, err = c.Pull(ctx, idxRef, out2, oci.PullOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(res.Digest.String()).To(Equal(imgDigest.String()))
	g.Expect(res.Revision.String()).To(Equal("index@" + idxDigest.String()))
	g.Expect(readTree(t, out2)).To(HaveLen(3))

	// Copy of an index keeps its digest.
	d, err := c.Copy(ctx, idxRef, reg.Ref("mirror/podinfo:index"))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(d.String()).To(Equal(idxDigest.String()))
}

func TestRetries(t *testing.T) {
	var reached atomic.Int64
	reg, err := registry.New(t.Context(), registry.WithRequestHook(func(*http.Request) { reached.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a.yaml": strings.Repeat("a: 1\n", 10_000)})
	fast := oci.RetryPolicy{Attempts: 4, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond}

	t.Run("429 and 503 are retried", func(t *testing.T) {
		g := NewWithT(t)
		p := newFaultProxy(t, reg, 8)
		before := reached.Load()
		c, err := oci.New(oci.WithInsecureHTTP(), oci.WithRetry(fast))
		g.Expect(err).NotTo(HaveOccurred())
		ref := p.host() + "/retry/app:v1"
		pushed, err := c.Push(t.Context(), ref, src, oci.PushOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		out := filepath.Join(t.TempDir(), "out")
		_, err = c.Pull(t.Context(), ref, out, oci.PullOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(readTree(t, out)).To(Equal(readTree(t, src)))
		g.Expect(p.injected.Load()).To(Equal(int64(8)))
		// Every request but the failed ones reached the registry, once.
		g.Expect(reached.Load() - before).To(Equal(p.seen.Load() - p.injected.Load()))
		res, err := c.Resolve(t.Context(), ref)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(res.Digest).To(Equal(pushed.Digest))
	})
	t.Run("without retries the failure surfaces", func(t *testing.T) {
		g := NewWithT(t)
		p := newFaultProxy(t, reg, 1)
		c, err := oci.New(oci.WithInsecureHTTP(), oci.WithRetry(oci.RetryPolicy{Attempts: 1}))
		g.Expect(err).NotTo(HaveOccurred())
		_, err = c.ListTags(t.Context(), p.host()+"/retry/app", oci.ListTagsOptions{})
		g.Expect(err).To(HaveOccurred())
		g.Expect(err.Error()).To(ContainSubstring("503"))
	})
	t.Run("backoff is bounded by ctx", func(t *testing.T) {
		g := NewWithT(t)
		p := newFaultProxy(t, reg, 0)
		p.always.Store(true)
		c, err := oci.New(oci.WithInsecureHTTP(), oci.WithRetry(oci.RetryPolicy{Attempts: 100, MinBackoff: time.Second, MaxBackoff: time.Minute}))
		g.Expect(err).NotTo(HaveOccurred())
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err = c.Resolve(ctx, p.host()+"/retry/app:v1")
		g.Expect(errors.Is(err, context.DeadlineExceeded)).To(BeTrue(), "%v", err)
		g.Expect(time.Since(start)).To(BeNumerically("<", 5*time.Second))
	})
	t.Run("corrupt blob is rejected", func(t *testing.T) {
		g := NewWithT(t)
		p := newFaultProxy(t, reg, 0)
		c, err := oci.New(oci.WithInsecureHTTP())
		g.Expect(err).NotTo(HaveOccurred())
		ref := p.host() + "/retry/app:v1"
		_, err = c.Push(t.Context(), ref, src, oci.PushOptions{})
		g.Expect(err).NotTo(HaveOccurred())
		p.corrupt.Store(true)
		base := t.TempDir()
		_, err = c.Pull(t.Context(), ref, filepath.Join(base, "out"), oci.PullOptions{})
		g.Expect(err).To(HaveOccurred())
		g.Expect(errors.Is(err, version.ErrDigestMismatch) || errors.Is(err, archive.ErrInvalidArchive)).To(BeTrue(), "%v", err)
		entries, _ := os.ReadDir(base)
		g.Expect(entries).To(BeEmpty())
		// Fetch does not decompress: the digest check is what catches it.
		_, err = c.Fetch(t.Context(), ref, io.Discard, oci.PullOptions{})
		g.Expect(errors.Is(err, version.ErrDigestMismatch)).To(BeTrue(), "%v", err)
	})
}

func TestRequestsReachTheRegistry(t *testing.T) {
	g := NewWithT(t)
	var blobGets, manifestPuts atomic.Int64
	reg := newRegistry(t, registry.WithRequestHook(func(r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/"):
			blobGets.Add(1)
		case r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/"):
			manifestPuts.Add(1)
		}
	}))
	c := newClient(t, reg, oci.WithUserAgent("sluice-test/1.0"))
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a": "a"})
	_, err := c.Push(t.Context(), reg.Ref("app:v1"), src, oci.PushOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Pull(t.Context(), reg.Ref("app:v1"), filepath.Join(t.TempDir(), "out"), oci.PullOptions{})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(manifestPuts.Load()).To(Equal(int64(1)))
	g.Expect(blobGets.Load()).To(Equal(int64(1)), "the layer is downloaded once, hashed while extracted")
}

func TestCancellation(t *testing.T) {
	g := NewWithT(t)
	reg := newRegistry(t)
	c := newClient(t, reg)
	src := t.TempDir()
	writeTree(t, src, map[string]string{"a": "a"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Push(ctx, reg.Ref("app:v1"), src, oci.PushOptions{})
	g.Expect(errors.Is(err, context.Canceled)).To(BeTrue(), "%v", err)
	base := t.TempDir()
	_, err = c.Pull(ctx, reg.Ref("app:v1"), filepath.Join(base, "out"), oci.PullOptions{})
	g.Expect(errors.Is(err, context.Canceled)).To(BeTrue(), "%v", err)
	entries, _ := os.ReadDir(base)
	g.Expect(entries).To(BeEmpty())
}

func TestInvalidInput(t *testing.T) {
	g := NewWithT(t)
	_, err := oci.New(oci.WithAuth(authn.Anonymous), oci.WithKeychain(authn.DefaultKeychain))
	g.Expect(errors.Is(err, oci.ErrInvalidOption)).To(BeTrue(), "%v", err)
	_, err = oci.New(oci.WithTransport(roundTripperFunc(nil)), oci.WithRootCAs(x509.NewCertPool()))
	g.Expect(errors.Is(err, oci.ErrInvalidOption)).To(BeTrue(), "%v", err)
	_, err = oci.New(oci.WithRetry(oci.RetryPolicy{Attempts: -1}))
	g.Expect(errors.Is(err, oci.ErrInvalidOption)).To(BeTrue(), "%v", err)
	_, err = oci.New(oci.WithRetry(oci.RetryPolicy{MinBackoff: time.Second, MaxBackoff: time.Millisecond}))
	g.Expect(errors.Is(err, oci.ErrInvalidOption)).To(BeTrue(), "%v", err)

	c, err := oci.New()
	g.Expect(err).NotTo(HaveOccurred())
	for _, ref := range []string{"", "UPPER/case:tag", "host/repo:bad tag", "host/repo@sha256:short"} {
		_, err = c.Resolve(t.Context(), ref)
		g.Expect(errors.Is(err, oci.ErrInvalidReference)).To(BeTrue(), "%q: %v", ref, err)
	}
	_, err = c.ListTags(t.Context(), "bad repo", oci.ListTagsOptions{})
	g.Expect(errors.Is(err, oci.ErrInvalidReference)).To(BeTrue(), "%v", err)
	_, err = c.ResolveSemver(t.Context(), "example.com/repo", "", oci.ListTagsOptions{})
	g.Expect(errors.Is(err, oci.ErrInvalidOption)).To(BeTrue(), "%v", err)
}

// roundTripperFunc adapts a function to http.RoundTripper.
type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
