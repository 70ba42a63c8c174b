package provider_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/git/provider"
	"github.com/sluice-dev/sluice/testenv/gitea"
)

// sshKey returns a new ed25519 key as an OpenSSH private key and an
// authorized_keys line.
func sshKey(t *testing.T, comment string) (private, public []byte) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := bytes.TrimSpace(ssh.MarshalAuthorizedKey(sshPub))
	return pem.EncodeToMemory(block), append(line, []byte(" "+comment)...)
}

// giteaAPI calls Gitea's REST API with the admin token and decodes the
// answer into out (when not nil), returning the status code.
func giteaAPI(t *testing.T, srv *gitea.Server, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+"/api/v1"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// TestGitea runs the bootstrap flow against a real Gitea 1.26.0, built
// from source on first use (slow the first time). Set SLUICE_SKIP_GITEA=1
// to skip it.
func TestGitea(t *testing.T) {
	if os.Getenv("SLUICE_SKIP_GITEA") == "1" {
		t.Skip("SLUICE_SKIP_GITEA=1: not building or starting Gitea")
	}
	g := NewWithT(t)
	srv, err := gitea.Start(t.Context())
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })

	// The token must not go over plain http unless allowed.
	_, err = provider.New(t.Context(), provider.KindGitea, srv.URL(), srv.Token())
	g.Expect(err).To(MatchError(provider.ErrInsecureHTTP))

	c, err := provider.New(t.Context(), provider.KindGitea, srv.URL(), srv.Token(), provider.WithInsecureHTTP())
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(giteaAPI(t, srv, http.MethodPost, "/orgs", map[string]any{"username": "fleet", "visibility": "public"}, nil)).To(Equal(http.StatusCreated))

	userRepo := provider.RepositoryRef{Name: "personal", Personal: true}
	orgRepo := provider.RepositoryRef{Owner: "fleet", Name: "infra"}

	t.Run("user repository is created, then reconciled", func(t *testing.T) {
		g := NewWithT(t)
		repo, err := c.EnsureRepository(t.Context(), userRepo, provider.RepositoryOptions{Description: "mine"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionCreated))
		g.Expect(repo.Ref.Owner).To(Equal(srv.Username()))
		g.Expect(repo.Visibility).To(Equal(provider.VisibilityPrivate))
		g.Expect(repo.DefaultBranch).To(Equal("main"))
		g.Expect(repo.HTTPURL).To(Equal(srv.HTTPCloneURL(srv.Username(), "personal")))

		repo, err = c.EnsureRepository(t.Context(), userRepo, provider.RepositoryOptions{Description: "mine"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionUnchanged))

		repo, err = c.EnsureRepository(t.Context(), userRepo, provider.RepositoryOptions{Description: "still mine", Visibility: provider.VisibilityPublic})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionUpdated))
		var got struct {
			Description string `json:"description"`
			Private     bool   `json:"private"`
		}
		g.Expect(giteaAPI(t, srv, http.MethodGet, "/repos/"+srv.Username()+"/personal", nil, &got)).To(Equal(http.StatusOK))
		g.Expect(got.Description).To(Equal("still mine"))
		g.Expect(got.Private).To(BeFalse())
	})

	t.Run("organization repository is created with its default branch", func(t *testing.T) {
		g := NewWithT(t)
		repo, err := c.EnsureRepository(t.Context(), orgRepo, provider.RepositoryOptions{
			Description: "fleet config", DefaultBranch: "main", AutoInit: true,
		})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(repo.Action).To(Equal(provider.ActionCreated))
		g.Expect(repo.SSHURL).NotTo(BeEmpty())
		var got struct {
			DefaultBranch string `json:"default_branch"`
			Private       bool   `json:"private"`
			Empty         bool   `json:"empty"`
			Owner         struct {
				Login string `json:"login"`
			} `json:"owner"`
		}
		g.Expect(giteaAPI(t, srv, http.MethodGet, "/repos/fleet/infra", nil, &got)).To(Equal(http.StatusOK))
		g.Expect(got.Owner.Login).To(Equal("fleet"))
		g.Expect(got.DefaultBranch).To(Equal("main"))
		g.Expect(got.Private).To(BeTrue())
		g.Expect(got.Empty).To(BeFalse())
	})

	privateKey, publicKey := sshKey(t, "first")
	t.Run("deploy key is added, kept, then rotated", func(t *testing.T) {
		g := NewWithT(t)
		_, firstPub := sshKey(t, "old")
		dk, err := c.EnsureDeployKey(t.Context(), orgRepo, provider.DeployKeyOptions{Title: "sluice", PublicKey: firstPub})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(dk.Action).To(Equal(provider.ActionCreated))
		g.Expect(dk.ReadOnly).To(BeTrue())

		dk, err = c.EnsureDeployKey(t.Context(), orgRepo, provider.DeployKeyOptions{Title: "sluice", PublicKey: firstPub})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(dk.Action).To(Equal(provider.ActionUnchanged))

		// Rotate to a new key with write access.
		dk, err = c.EnsureDeployKey(t.Context(), orgRepo, provider.DeployKeyOptions{Title: "sluice", PublicKey: publicKey, ReadWrite: true})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(dk.Action).To(Equal(provider.ActionRotated))
		var keys []struct {
			Title    string `json:"title"`
			Key      string `json:"key"`
			ReadOnly bool   `json:"read_only"`
		}
		g.Expect(giteaAPI(t, srv, http.MethodGet, "/repos/fleet/infra/keys", nil, &keys)).To(Equal(http.StatusOK))
		g.Expect(keys).To(HaveLen(1))
		g.Expect(keys[0].Title).To(Equal("sluice"))
		g.Expect(keys[0].ReadOnly).To(BeFalse())
		g.Expect(string(publicKey)).To(HavePrefix(strings.TrimSpace(keys[0].Key)))
	})

	t.Run("signed commit pushed with the deploy key, then a pull request", func(t *testing.T) {
		g := NewWithT(t)
		url := srv.SSHCloneURL("fleet", "infra")
		auth, err := git.NewAuthOptions(url, map[string][]byte{
			git.KeyIdentity:   privateKey,
			git.KeyKnownHosts: srv.KnownHosts(),
		})
		g.Expect(err).NotTo(HaveOccurred())
		wc, err := gogit.NewClient(filepath.Join(t.TempDir(), "infra"), auth)
		g.Expect(err).NotTo(HaveOccurred())
		_, err = wc.Clone(t.Context(), url, git.CloneOptions{Reference: git.CheckoutReference{Branch: "main"}, FullHistory: true})
		g.Expect(err).NotTo(HaveOccurred())
		_, err = wc.SwitchBranch(t.Context(), "sluice/bootstrap", git.SwitchBranchOptions{NoFetch: true})
		g.Expect(err).NotTo(HaveOccurred())
		signingKey, _ := sshKey(t, "signer")
		commit, err := wc.Commit(t.Context(), git.CommitOptions{
			Message:    "add cluster config\n",
			Author:     git.Signature{Name: "Sluice", Email: "sluice@sluice.test", When: time.Now()},
			Files:      map[string][]byte{"clusters/dev/sync.yaml": []byte("kind: Sync\n")},
			SigningKey: &git.SigningKey{PrivateKey: signingKey},
		})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(wc.Push(t.Context(), git.PushOptions{})).To(Succeed())

		// Gitea has the commit, with its SSH signature: read the object
		// back with the git CLI over HTTP.
		check := t.TempDir()
		cloneURL := strings.Replace(srv.HTTPCloneURL("fleet", "infra"), "http://", "http://"+srv.Username()+":"+srv.Password()+"@", 1)
		out, err := exec.CommandContext(t.Context(), "git", "clone", "--quiet", "--branch", "sluice/bootstrap", cloneURL, check).CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), string(out))
		out, err = exec.CommandContext(t.Context(), "git", "-C", check, "cat-file", "commit", commit.Hash.Hex).CombinedOutput()
		g.Expect(err).NotTo(HaveOccurred(), string(out))
		g.Expect(string(out)).To(ContainSubstring("-----BEGIN SSH SIGNATURE-----"))

		pr, err := c.OpenPullRequest(t.Context(), orgRepo, provider.PullRequestOptions{
			Title: "Bootstrap dev", Description: "Adds the dev cluster.", Head: "sluice/bootstrap",
		})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(pr.Action).To(Equal(provider.ActionCreated))
		g.Expect(pr.Number).To(BeNumerically(">", 0))
		g.Expect(pr.URL).To(HavePrefix(srv.URL() + "/fleet/infra/pulls/"))
		var apiPR struct {
			Base struct {
				Ref string `json:"ref"`
			} `json:"base"`
			Head struct {
				SHA string `json:"sha"`
			} `json:"head"`
		}
		g.Expect(giteaAPI(t, srv, http.MethodGet, "/repos/fleet/infra/pulls/"+itoa(pr.Number), nil, &apiPR)).To(Equal(http.StatusOK))
		g.Expect(apiPR.Base.Ref).To(Equal("main"))
		g.Expect(apiPR.Head.SHA).To(Equal(commit.Hash.Hex))

		again, err := c.OpenPullRequest(t.Context(), orgRepo, provider.PullRequestOptions{Title: "Bootstrap dev", Head: "sluice/bootstrap"})
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(again.Action).To(Equal(provider.ActionUnchanged))
		g.Expect(again.Number).To(Equal(pr.Number))
	})

	t.Run("errors", func(t *testing.T) {
		g := NewWithT(t)
		// Gitea's client checks the token while New reads the version.
		_, err := provider.New(t.Context(), provider.KindGitea, srv.URL(), "0123456789abcdef0123456789abcdef01234567", provider.WithInsecureHTTP())
		g.Expect(err).To(MatchError(provider.ErrUnauthorized))
		g.Expect(err.Error()).NotTo(ContainSubstring("0123456789abcdef0123456789abcdef01234567"))

		_, err = c.EnsureRepository(t.Context(), provider.RepositoryRef{Owner: "no-such-org", Name: "x"}, provider.RepositoryOptions{})
		g.Expect(err).To(MatchError(provider.ErrNotFound))
		var perr *provider.Error
		g.Expect(err).To(BeAssignableToTypeOf(perr))
		g.Expect(err.Error()).To(HavePrefix("ensure repository no-such-org/x on gitea: "))
		g.Expect(err.Error()).NotTo(ContainSubstring(srv.Token()))

		_, err = c.EnsureDeployKey(t.Context(), provider.RepositoryRef{Owner: "fleet", Name: "missing"}, provider.DeployKeyOptions{Title: "k", PublicKey: publicKey})
		g.Expect(err).To(MatchError(provider.ErrNotFound))

		// Only the token's own user gets new personal repositories.
		_, err = c.EnsureRepository(t.Context(), provider.RepositoryRef{Owner: "someone-else", Name: "x", Personal: true}, provider.RepositoryOptions{})
		g.Expect(err).To(Or(MatchError(provider.ErrInvalidOptions), MatchError(provider.ErrNotFound)))

		_, err = c.OpenPullRequest(t.Context(), orgRepo, provider.PullRequestOptions{Title: "x", Head: "no-such-branch"})
		g.Expect(err).To(HaveOccurred())
	})
}
