package gogit_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitea"
)

// TestPushReadOnlyDeployKeyGitea pushes with a read-only deploy key to a
// real Gitea 1.26.0 over its built-in SSH server (built from source on
// first use, cached after). Set SLUICE_SKIP_GITEA=1 to skip it.
func TestPushReadOnlyDeployKeyGitea(t *testing.T) {
	if os.Getenv("SLUICE_SKIP_GITEA") == "1" {
		t.Skip("SLUICE_SKIP_GITEA=1: not building or starting Gitea")
	}
	g := NewWithT(t)
	ctx := t.Context()
	srv, err := gitea.Start(ctx)
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })

	api := func(method, path string, body any) int {
		data, err := json.Marshal(body)
		g.Expect(err).NotTo(HaveOccurred())
		req, err := http.NewRequestWithContext(ctx, method, srv.URL()+"/api/v1"+path, bytes.NewReader(data))
		g.Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "token "+srv.Token())
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		g.Expect(err).NotTo(HaveOccurred())
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	g.Expect(api(http.MethodPost, "/user/repos", map[string]any{"name": "fleet", "auto_init": true, "default_branch": "main"})).To(Equal(http.StatusCreated))
	identity, signer := newKey(t)
	g.Expect(api(http.MethodPost, "/repos/"+srv.Username()+"/fleet/keys", map[string]any{
		"title": "sluice-dev", "key": string(ssh.MarshalAuthorizedKey(signer.PublicKey())), "read_only": true,
	})).To(Equal(http.StatusCreated))

	url := srv.SSHCloneURL(srv.Username(), "fleet")
	auth, err := git.NewAuthOptions(url, map[string][]byte{git.KeyIdentity: identity, git.KeyKnownHosts: srv.KnownHosts()})
	g.Expect(err).NotTo(HaveOccurred())
	c, err := gogit.NewClient(target(t), auth)
	g.Expect(err).NotTo(HaveOccurred())
	_, err = c.Clone(ctx, url, git.CloneOptions{})
	g.Expect(err).NotTo(HaveOccurred(), "a read-only key may read")
	_, err = c.Commit(ctx, git.CommitOptions{Message: "m", Author: bot, Files: map[string][]byte{"x": []byte("x")}})
	g.Expect(err).NotTo(HaveOccurred())

	err = c.Push(ctx, git.PushOptions{})
	t.Logf("push with a read-only deploy key: %v", err)
	g.Expect(err).To(MatchError(git.ErrAuthenticationFailed))
	g.Expect(err.Error()).To(ContainSubstring("is not authorized to write to " + srv.Username() + "/fleet."))
}
