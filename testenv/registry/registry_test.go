package registry_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/testenv/registry"
)

// start runs a registry for the duration of the test.
func start(t *testing.T, opts ...registry.Option) *registry.Registry {
	t.Helper()
	reg, err := registry.New(t.Context(), opts...)
	if err != nil {
		t.Fatalf("start registry: %v", err)
	}
	t.Cleanup(func() {
		if err := reg.Close(); err != nil {
			t.Errorf("close registry: %v", err)
		}
	})
	return reg
}

// clientOptions are go-containerregistry options that reach reg with its
// transport and, when it has users, its first user's credentials.
func clientOptions(t *testing.T, reg *registry.Registry) []remote.Option {
	opts := []remote.Option{remote.WithContext(t.Context()), remote.WithTransport(reg.Transport())}
	if c := reg.Credentials(); c.Username != "" {
		opts = append(opts, remote.WithAuth(&authn.Basic{Username: c.Username, Password: c.Password}))
	}
	return opts
}

// repository parses reg.Ref(repo), as an insecure (http) registry when reg
// serves plain HTTP.
func repository(g Gomega, reg *registry.Registry, repo string) name.Repository {
	var opts []name.Option
	if !reg.TLS() {
		opts = append(opts, name.Insecure)
	}
	r, err := name.NewRepository(reg.Ref(repo), opts...)
	g.Expect(err).NotTo(HaveOccurred())
	return r
}

// statusCode returns the HTTP status of a go-containerregistry transport
// error, or 0 if err is not one.
func statusCode(err error) int {
	var terr *transport.Error
	if errors.As(err, &terr) {
		return terr.StatusCode
	}
	return 0
}

// modes are the front configurations every backend is tested with.
var modes = []struct {
	name string
	opts []registry.Option
}{
	{name: "plain http", opts: nil},
	{name: "tls with htpasswd", opts: []registry.Option{registry.WithTLS(), registry.WithUser("alice", "wonderland"), registry.WithUser("bob", "builder")}},
}

// backends are the implementations every mode is tested with.
var backends = []struct {
	name    string
	opts    []registry.Option
	backend registry.Backend
}{
	{name: "distribution", backend: registry.BackendDistribution},
	{name: "referrers api", opts: []registry.Option{registry.WithReferrersAPI()}, backend: registry.BackendGoContainerRegistry},
}

func TestPushPullListDelete(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		for _, m := range modes {
			t.Run(b.name+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				g := NewWithT(t)
				reg := start(t, append(append([]registry.Option{}, b.opts...), m.opts...)...)
				g.Expect(reg.Backend()).To(Equal(b.backend))
				opts := clientOptions(t, reg)
				repo := repository(g, reg, "team/app")

				img, err := random.Image(1024, 2)
				g.Expect(err).NotTo(HaveOccurred())
				want, err := img.Digest()
				g.Expect(err).NotTo(HaveOccurred())

				for _, tag := range []string{"v1", "v2"} {
					g.Expect(remote.Write(repo.Tag(tag), img, opts...)).To(Succeed())
				}

				got, err := remote.Image(repo.Tag("v1"), opts...)
				g.Expect(err).NotTo(HaveOccurred())
				gotDigest, err := got.Digest()
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(gotDigest).To(Equal(want))
				layers, err := got.Layers()
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(layers).To(HaveLen(2))
				for _, l := range layers {
					rc, err := l.Compressed() // reads the blob from the registry
					g.Expect(err).NotTo(HaveOccurred())
					_, err = io.Copy(io.Discard, rc)
					g.Expect(err).NotTo(HaveOccurred())
					g.Expect(rc.Close()).To(Succeed())
				}

				tags, err := remote.List(repo, opts...)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(tags).To(ConsistOf("v1", "v2"))

				byDigest := repo.Digest(want.String())
				g.Expect(remote.Delete(byDigest, opts...)).To(Succeed())
				_, err = remote.Get(byDigest, opts...)
				g.Expect(statusCode(err)).To(Equal(http.StatusNotFound), "get after delete: %v", err)
			})
		}
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			reg := start(t, append([]registry.Option{registry.WithTLS(), registry.WithUser("alice", "wonderland")}, b.opts...)...)
			g.Expect(reg.Credentials()).To(Equal(registry.Credentials{Username: "alice", Password: "wonderland"}))
			repo := repository(g, reg, "private/app")
			img, err := random.Image(256, 1)
			g.Expect(err).NotTo(HaveOccurred())
			base := []remote.Option{remote.WithContext(t.Context()), remote.WithTransport(reg.Transport())}

			for _, tc := range []struct {
				name string
				auth authn.Authenticator
			}{
				{name: "no credentials", auth: authn.Anonymous},
				{name: "wrong password", auth: &authn.Basic{Username: "alice", Password: "looking-glass"}},
				{name: "unknown user", auth: &authn.Basic{Username: "mallory", Password: "wonderland"}},
			} {
				opts := append(base[:len(base):len(base)], remote.WithAuth(tc.auth))
				err := remote.Write(repo.Tag("v1"), img, opts...)
				g.Expect(statusCode(err)).To(Equal(http.StatusUnauthorized), "%s: push: %v", tc.name, err)
				_, err = remote.List(repo, opts...)
				g.Expect(statusCode(err)).To(Equal(http.StatusUnauthorized), "%s: list: %v", tc.name, err)
			}

			// The raw answer: a Basic challenge for the realm, also on /v2/.
			client := &http.Client{Transport: reg.Transport()}
			for _, path := range []string{"/v2/", "/v2/private/app/tags/list"} {
				req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, reg.URL()+path, nil)
				g.Expect(err).NotTo(HaveOccurred())
				resp, err := client.Do(req)
				g.Expect(err).NotTo(HaveOccurred())
				body, err := io.ReadAll(resp.Body)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(resp.Body.Close()).To(Succeed())
				g.Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized), path)
				g.Expect(resp.Header.Get("WWW-Authenticate")).To(HavePrefix("Basic realm="), path)
				g.Expect(string(body)).To(ContainSubstring("UNAUTHORIZED"), path)

				req.SetBasicAuth("alice", "wonderland")
				resp, err = client.Do(req)
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(resp.Body.Close()).To(Succeed())
				g.Expect(resp.StatusCode).NotTo(Equal(http.StatusUnauthorized), path)
			}

			good := append(base[:len(base):len(base)], remote.WithAuth(&authn.Basic{Username: "alice", Password: "wonderland"}))
			g.Expect(remote.Write(repo.Tag("v1"), img, good...)).To(Succeed())
		})
	}
}

func TestAuthenticationOverPlainHTTP(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	reg := start(t, registry.WithUser("alice", "wonderland"))
	g.Expect(reg.URL()).To(HavePrefix("http://"))
	repo := repository(g, reg, "app")
	img, err := random.Image(256, 1)
	g.Expect(err).NotTo(HaveOccurred())

	err = remote.Write(repo.Tag("v1"), img, remote.WithContext(t.Context()), remote.WithTransport(reg.Transport()))
	g.Expect(statusCode(err)).To(Equal(http.StatusUnauthorized), "anonymous push: %v", err)
	g.Expect(remote.Write(repo.Tag("v1"), img, clientOptions(t, reg)...)).To(Succeed())
}

func TestTLS(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	reg := start(t, registry.WithTLS())
	g.Expect(reg.TLS()).To(BeTrue())
	g.Expect(reg.URL()).To(Equal("https://" + reg.Host()))

	block, rest := pem.Decode(reg.CACertPEM())
	g.Expect(block).NotTo(BeNil())
	g.Expect(rest).To(BeEmpty())
	ca, err := x509.ParseCertificate(block.Bytes)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(ca.IsCA).To(BeTrue())
	g.Expect(ca.PublicKeyAlgorithm).To(Equal(x509.ECDSA))

	// The server certificate verifies for both SANs against every form of
	// the CA the registry hands out.
	pemPool := x509.NewCertPool()
	g.Expect(pemPool.AppendCertsFromPEM(reg.CACertPEM())).To(BeTrue())
	for _, serverName := range []string{"127.0.0.1", "localhost"} {
		for _, pool := range []*x509.CertPool{reg.CertPool(), reg.TLSConfig().RootCAs, pemPool} {
			conn, err := tls.Dial("tcp", reg.Host(), &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12})
			g.Expect(err).NotTo(HaveOccurred(), serverName)
			state := conn.ConnectionState()
			g.Expect(state.PeerCertificates[0].PublicKeyAlgorithm).To(Equal(x509.ECDSA))
			g.Expect(conn.Close()).To(Succeed())
		}
	}

	// A client that does not trust the CA is refused.
	_, err = tls.Dial("tcp", reg.Host(), &tls.Config{MinVersion: tls.VersionTLS12})
	var unknown x509.UnknownAuthorityError
	g.Expect(errors.As(err, &unknown)).To(BeTrue(), "dial without the ca: %v", err)

	// The ready transport works as is.
	client := &http.Client{Transport: reg.Transport()}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, reg.URL()+"/v2/", nil)
	g.Expect(err).NotTo(HaveOccurred())
	resp, err := client.Do(req)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(resp.Body.Close()).To(Succeed())
	g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
}

func TestPlainHTTPHasNoTLSMaterial(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	reg := start(t)
	g.Expect(reg.TLS()).To(BeFalse())
	g.Expect(reg.URL()).To(Equal("http://" + reg.Host()))
	g.Expect(reg.Host()).To(HavePrefix("127.0.0.1:"))
	g.Expect(reg.Ref("/team/app:v1")).To(Equal(reg.Host() + "/team/app:v1"))
	g.Expect(reg.CACertPEM()).To(BeNil())
	g.Expect(reg.CertPool()).To(BeNil())
	g.Expect(reg.TLSConfig()).To(BeNil())
	g.Expect(reg.Transport().TLSClientConfig).To(BeNil())
	g.Expect(reg.Credentials()).To(BeZero())
}

func TestFilesystemStoragePersistsAcrossRestart(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	dir := filepath.Join(t.TempDir(), "storage") // created by the registry

	img, err := random.Image(512, 2)
	g.Expect(err).NotTo(HaveOccurred())
	want, err := img.Digest()
	g.Expect(err).NotTo(HaveOccurred())

	first, err := registry.New(t.Context(), registry.WithFilesystemStorage(dir))
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(remote.Write(repository(g, first, "app").Tag("v1"), img, clientOptions(t, first)...)).To(Succeed())
	g.Expect(first.Close()).To(Succeed())

	second := start(t, registry.WithFilesystemStorage(dir))
	g.Expect(second.Host()).NotTo(BeEmpty())
	got, err := remote.Image(repository(g, second, "app").Tag("v1"), clientOptions(t, second)...)
	g.Expect(err).NotTo(HaveOccurred())
	gotDigest, err := got.Digest()
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(gotDigest).To(Equal(want))
	layers, err := got.Layers()
	g.Expect(err).NotTo(HaveOccurred())
	for _, l := range layers {
		rc, err := l.Compressed()
		g.Expect(err).NotTo(HaveOccurred())
		_, err = io.Copy(io.Discard, rc)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(rc.Close()).To(Succeed())
	}

	// In-memory storage, by contrast, starts empty.
	fresh := start(t)
	_, err = remote.Head(repository(g, fresh, "app").Tag("v1"), clientOptions(t, fresh)...)
	g.Expect(statusCode(err)).To(Equal(http.StatusNotFound), "head on a fresh registry: %v", err)
}

func TestReferrers(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			reg := start(t, append([]registry.Option{registry.WithTLS(), registry.WithUser("alice", "wonderland")}, b.opts...)...)
			opts := clientOptions(t, reg)
			repo := repository(g, reg, "signed/app")

			subject, err := random.Image(256, 1)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(remote.Write(repo.Tag("v1"), subject, opts...)).To(Succeed())
			subjectDesc, err := partial.Descriptor(subject)
			g.Expect(err).NotTo(HaveOccurred())

			artifact := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), "application/vnd.sluice.test.v1+json")
			artifact, ok := mutate.Subject(artifact, *subjectDesc).(gcrv1.Image)
			g.Expect(ok).To(BeTrue())
			artifactDigest, err := artifact.Digest()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(remote.Write(repo.Digest(artifactDigest.String()), artifact, opts...)).To(Succeed())

			// remote.Referrers finds the artifact either way: through the API,
			// or through the fallback tag go-containerregistry maintained.
			subjectRef := repo.Digest(subjectDesc.Digest.String())
			idx, err := remote.Referrers(subjectRef, opts...)
			g.Expect(err).NotTo(HaveOccurred())
			manifest, err := idx.IndexManifest()
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(manifest.Manifests).To(ContainElement(HaveField("Digest", artifactDigest)))

			// The raw endpoint tells the backends apart.
			client := &http.Client{Transport: reg.Transport()}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet,
				fmt.Sprintf("%s/v2/signed/app/referrers/%s", reg.URL(), subjectDesc.Digest), nil)
			g.Expect(err).NotTo(HaveOccurred())
			req.SetBasicAuth("alice", "wonderland")
			resp, err := client.Do(req)
			g.Expect(err).NotTo(HaveOccurred())
			body, err := io.ReadAll(resp.Body)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(resp.Body.Close()).To(Succeed())

			fallback := repo.Tag(strings.ReplaceAll(subjectDesc.Digest.String(), ":", "-"))
			_, fallbackErr := remote.Head(fallback, opts...)

			switch b.backend {
			case registry.BackendDistribution:
				g.Expect(resp.StatusCode).To(Equal(http.StatusNotFound))
				g.Expect(fallbackErr).NotTo(HaveOccurred(), "the fallback tag holds the referrers")
			case registry.BackendGoContainerRegistry:
				g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
				g.Expect(resp.Header.Get("Content-Type")).To(Equal(string(types.OCIImageIndex)))
				g.Expect(string(body)).To(ContainSubstring(artifactDigest.String()))
				g.Expect(statusCode(fallbackErr)).To(Equal(http.StatusNotFound), "no fallback tag with the api: %v", fallbackErr)
			}
		})
	}
}

func TestConcurrentRegistries(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	// Started together: Distribution must tolerate several apps in one
	// process (no duplicate global registration).
	regs := make([]*registry.Registry, 3)
	errs := make([]error, len(regs))
	var wg sync.WaitGroup
	for i := range regs {
		wg.Go(func() {
			var opts []registry.Option
			if i == 2 {
				opts = append(opts, registry.WithReferrersAPI())
			}
			regs[i], errs[i] = registry.New(t.Context(), opts...)
		})
	}
	wg.Wait()
	for i, reg := range regs {
		g.Expect(errs[i]).NotTo(HaveOccurred())
		t.Cleanup(func() { _ = reg.Close() })
	}
	g.Expect(regs[0].Host()).NotTo(Equal(regs[1].Host()))

	imgs := make([]gcrv1.Image, len(regs))
	tags := make([]name.Tag, len(regs))
	for i, reg := range regs {
		imgs[i] = randomImage(g, 512, 1)
		tags[i] = repository(g, reg, "app").Tag("v1")
	}
	pushErrs := make([]error, len(regs))
	for i, reg := range regs {
		opts := clientOptions(t, reg)
		wg.Go(func() { pushErrs[i] = remote.Write(tags[i], imgs[i], opts...) })
	}
	wg.Wait()
	for i, reg := range regs {
		g.Expect(pushErrs[i]).NotTo(HaveOccurred())
		got, err := remote.Head(tags[i], clientOptions(t, reg)...)
		g.Expect(err).NotTo(HaveOccurred())
		want, err := imgs[i].Digest()
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(got.Digest).To(Equal(want), "each registry keeps its own content")
	}
}

func TestCloseFreesPort(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			reg, err := registry.New(t.Context(), append([]registry.Option{registry.WithTLS(), registry.WithUser("alice", "wonderland")}, b.opts...)...)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(remote.Write(repository(g, reg, "app").Tag("v1"), randomImage(g, 128, 1), clientOptions(t, reg)...)).To(Succeed())

			g.Expect(reg.Close()).To(Succeed())
			g.Expect(reg.Close()).To(Succeed(), "close is idempotent")

			_, err = (&http.Client{Transport: reg.Transport()}).Get(reg.URL() + "/v2/")
			g.Expect(err).To(HaveOccurred(), "nothing serves after close")

			ln, err := net.Listen("tcp", reg.Host())
			g.Expect(err).NotTo(HaveOccurred(), "the port is free again")
			g.Expect(ln.Close()).To(Succeed())
			g.Expect(reg.Host()).NotTo(BeEmpty(), "accessors keep answering")
		})
	}
}

func TestRequestHook(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			var first, second atomic.Int64
			var mu sync.Mutex
			var paths []string
			reg := start(t, append([]registry.Option{
				registry.WithUser("alice", "wonderland"),
				registry.WithRequestHook(func(r *http.Request) {
					first.Add(1)
					mu.Lock()
					defer mu.Unlock()
					paths = append(paths, r.URL.Path)
				}),
				registry.WithRequestHook(func(*http.Request) { second.Add(1) }),
			}, b.opts...)...)

			// Unauthenticated requests are counted too: hooks run before auth.
			resp, err := (&http.Client{Transport: reg.Transport()}).Get(reg.URL() + "/v2/")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(resp.Body.Close()).To(Succeed())
			g.Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
			g.Expect(first.Load()).To(BeEquivalentTo(1))

			g.Expect(remote.Write(repository(g, reg, "app").Tag("v1"), randomImage(g, 128, 1), clientOptions(t, reg)...)).To(Succeed())
			g.Expect(first.Load()).To(BeNumerically(">", 1))
			g.Expect(second.Load()).To(Equal(first.Load()))
			mu.Lock()
			defer mu.Unlock()
			g.Expect(paths).To(HaveEach(HavePrefix("/v2/")))
			g.Expect(paths).To(ContainElement("/v2/app/manifests/v1"))
		})
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestLogOutput checks that the backends log to the writer they are given,
// which is also how Distribution is kept off logrus' standard logger: the
// per-registry logger reached it through the context.
func TestLogOutput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []registry.Option
		want string
	}{
		{name: "distribution", want: "response completed"},
		{name: "referrers api", opts: []registry.Option{registry.WithReferrersAPI()}, want: "/v2/app/manifests/v1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			var out syncBuffer
			reg, err := registry.New(t.Context(), append([]registry.Option{registry.WithLogOutput(&out)}, tc.opts...)...)
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(remote.Write(repository(g, reg, "app").Tag("v1"), randomImage(g, 128, 1), clientOptions(t, reg)...)).To(Succeed())
			g.Expect(reg.Close()).To(Succeed())
			g.Expect(out.String()).To(ContainSubstring(tc.want))
		})
	}
}

func TestNewInvalidOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []registry.Option
		want string
	}{
		{name: "empty user name", opts: []registry.Option{registry.WithUser("", "pw")}, want: "empty user name"},
		{name: "colon in user name", opts: []registry.Option{registry.WithUser("a:b", "pw")}, want: `"a:b"`},
		{name: "newline in password", opts: []registry.Option{registry.WithUser("alice", "a\nb")}, want: "line break"},
		{name: "duplicate user", opts: []registry.Option{registry.WithUser("alice", "1"), registry.WithUser("alice", "2")}, want: "duplicate user"},
		{name: "empty storage dir", opts: []registry.Option{registry.WithFilesystemStorage("")}, want: "empty directory"},
		{name: "referrers with filesystem", opts: []registry.Option{registry.WithReferrersAPI(), registry.WithFilesystemStorage(t.TempDir())}, want: "cannot be combined"},
		{name: "nil hook", opts: []registry.Option{registry.WithRequestHook(nil)}, want: "nil hook"},
		{name: "nil log output", opts: []registry.Option{registry.WithLogOutput(nil)}, want: "nil writer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := NewWithT(t)
			reg, err := registry.New(t.Context(), tc.opts...)
			g.Expect(reg).To(BeNil())
			g.Expect(err).To(MatchError(registry.ErrInvalidOption))
			g.Expect(err.Error()).To(HavePrefix("new registry: "))
			g.Expect(err.Error()).To(ContainSubstring(tc.want))
		})
	}
}

func TestNewCanceledContext(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	reg, err := registry.New(ctx, registry.WithUser("alice", "wonderland"))
	g.Expect(reg).To(BeNil())
	g.Expect(err).To(MatchError(context.Canceled))
}

func TestNewStorageDirIsAFile(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	file := filepath.Join(t.TempDir(), "file")
	g.Expect(os.WriteFile(file, nil, 0o600)).To(Succeed())
	reg, err := registry.New(t.Context(), registry.WithFilesystemStorage(filepath.Join(file, "storage")))
	g.Expect(reg).To(BeNil())
	g.Expect(err).To(MatchError(ContainSubstring("create storage directory")))
	g.Expect(err).NotTo(MatchError(registry.ErrInvalidOption))
}

func TestRegistryOutlivesStartContext(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	ctx, cancel := context.WithCancel(t.Context())
	reg := func() *registry.Registry {
		defer cancel()
		reg, err := registry.New(ctx)
		g.Expect(err).NotTo(HaveOccurred())
		return reg
	}()
	t.Cleanup(func() { _ = reg.Close() })
	g.Expect(remote.Write(repository(g, reg, "app").Tag("v1"), randomImage(g, 128, 1), clientOptions(t, reg)...)).To(Succeed())
}

func TestBackendString(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	g.Expect(registry.BackendDistribution.String()).To(Equal("distribution"))
	g.Expect(registry.BackendGoContainerRegistry.String()).To(Equal("go-containerregistry"))
	g.Expect(registry.Backend(42).String()).To(Equal("Backend(42)"))
}

// randomImage returns a random image of layers layers of size bytes each.
func randomImage(g Gomega, size, layers int64) gcrv1.Image {
	img, err := random.Image(size, layers)
	g.Expect(err).NotTo(HaveOccurred())
	return img
}
