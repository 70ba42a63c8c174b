package gitea_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/testenv/gitea"
)

// skipUnlessGitea skips when SLUICE_SKIP_GITEA=1; otherwise the test builds
// Gitea on first use (about 7 minutes cold).
func skipUnlessGitea(t *testing.T) {
	t.Helper()
	if os.Getenv("SLUICE_SKIP_GITEA") == "1" {
		t.Skip("SLUICE_SKIP_GITEA=1: not building or starting Gitea")
	}
}

func getJSON(t *testing.T, req *http.Request, into any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if into != nil && resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

func TestStart(t *testing.T) {
	skipUnlessGitea(t)
	g := NewWithT(t)
	srv, err := gitea.Start(t.Context(), gitea.WithLogOutput(t.Output()))
	g.Expect(err).NotTo(HaveOccurred())
	t.Cleanup(func() { _ = srv.Close() })

	g.Expect(srv.URL()).To(HavePrefix("http://127.0.0.1:"))
	g.Expect(srv.Username()).To(Equal("sluice"))

	// The API answers with the version the binary was built with.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/api/v1/version", nil)
	var version struct{ Version string }
	g.Expect(getJSON(t, req, &version)).To(Equal(http.StatusOK))
	g.Expect(version.Version).To(Equal("1.26.0"))

	// The token authenticates as the administrator.
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/api/v1/user", nil)
	req.Header.Set("Authorization", "token "+srv.Token())
	var me struct {
		Login   string `json:"login"`
		IsAdmin bool   `json:"is_admin"`
	}
	g.Expect(getJSON(t, req, &me)).To(Equal(http.StatusOK))
	g.Expect(me.Login).To(Equal("sluice"))
	g.Expect(me.IsAdmin).To(BeTrue())

	// So does the password, and a wrong token does not.
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/api/v1/user", nil)
	req.SetBasicAuth(srv.Username(), srv.Password())
	g.Expect(getJSON(t, req, nil)).To(Equal(http.StatusOK))
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+"/api/v1/user", nil)
	req.Header.Set("Authorization", "token 0000000000000000000000000000000000000000")
	g.Expect(getJSON(t, req, nil)).To(Equal(http.StatusUnauthorized))

	// The SSH server presents the host key we gave it: the handshake
	// passes and only authentication fails.
	g.Expect(string(srv.KnownHosts())).To(HavePrefix("[127.0.0.1]:"))
	_, err = ssh.Dial("tcp", srv.SSHAddr(), &ssh.ClientConfig{
		User:            "git",
		HostKeyCallback: ssh.FixedHostKey(srv.HostKey()),
		Timeout:         10 * time.Second,
	})
	g.Expect(err).To(MatchError(ContainSubstring("unable to authenticate")))
	g.Expect(srv.SSHCloneURL("o", "r")).To(Equal("ssh://git@" + srv.SSHAddr() + "/o/r.git"))
	g.Expect(srv.HTTPCloneURL("o", "r")).To(Equal(srv.URL() + "/o/r.git"))

	// Close stops the server and removes its folder; it is idempotent.
	dir := srv.Dir()
	g.Expect(srv.Close()).To(Succeed())
	g.Expect(srv.Close()).To(Succeed())
	g.Expect(dir).NotTo(BeADirectory())
	_, err = net.DialTimeout("tcp", srv.HTTPAddr(), time.Second)
	g.Expect(err).To(HaveOccurred())
}

func TestStartInvalidOptions(t *testing.T) {
	for name, opt := range map[string]gitea.Option{
		"empty user":     gitea.WithAdmin("", "password1"),
		"user with /":    gitea.WithAdmin("a/b", "password1"),
		"short password": gitea.WithAdmin("bob", "short"),
		"nil log output": gitea.WithLogOutput(nil),
	} {
		t.Run(name, func(t *testing.T) {
			g := NewWithT(t)
			_, err := gitea.Start(t.Context(), gitea.WithBinary("/nonexistent/gitea"), opt)
			g.Expect(err).To(MatchError(gitea.ErrInvalidOption))
		})
	}
}

func TestStartFailsWithBrokenBinary(t *testing.T) {
	g := NewWithT(t)
	bin := filepath.Join(t.TempDir(), "gitea")
	g.Expect(os.WriteFile(bin, []byte("#!/bin/sh\necho 'database is locked' >&2\nexit 3\n"), 0o700)).To(Succeed())
	_, err := gitea.Start(t.Context(), gitea.WithBinary(bin), gitea.WithAdmin("bob", "secret-password"))
	g.Expect(err).To(MatchError(gitea.ErrStartFailed))
	g.Expect(err.Error()).To(ContainSubstring("migrate"))
	g.Expect(err.Error()).To(ContainSubstring("database is locked"))
	g.Expect(err.Error()).NotTo(ContainSubstring("secret-password"))
}

func TestStartFailsWhenWebExits(t *testing.T) {
	g := NewWithT(t)
	bin := filepath.Join(t.TempDir(), "gitea")
	// Every setup command succeeds, the token looks right, web exits.
	script := `#!/bin/sh
case "$*" in
*generate-access-token*) echo 0123456789abcdef0123456789abcdef01234567 ;;
*" web"*) echo 'listen: address already in use' >&2; exit 1 ;;
esac
`
	g.Expect(os.WriteFile(bin, []byte(script), 0o700)).To(Succeed())
	_, err := gitea.Start(t.Context(), gitea.WithBinary(bin))
	g.Expect(err).To(MatchError(gitea.ErrStartFailed))
	g.Expect(err.Error()).To(ContainSubstring("address already in use"))
}

func TestBinaryRejectsBadVersion(t *testing.T) {
	g := NewWithT(t)
	_, err := gitea.Binary(t.Context(), gitea.BuildOptions{Version: "1.26.0", CacheDir: t.TempDir()})
	g.Expect(err).To(MatchError(ContainSubstring("want a release")))
}

func TestBinaryBuildErrors(t *testing.T) {
	t.Run("no go command", func(t *testing.T) {
		g := NewWithT(t)
		_, err := gitea.Binary(t.Context(), gitea.BuildOptions{CacheDir: t.TempDir(), GoCommand: "/nonexistent/go", Progress: io.Discard})
		var be *gitea.BuildError
		g.Expect(errors.As(err, &be)).To(BeTrue())
		g.Expect(be.Binary).To(Equal("gitea"))
		g.Expect(err).To(MatchError(gitea.ErrGoNotFound))
	})
	t.Run("module download refused", func(t *testing.T) {
		g := NewWithT(t)
		cache := t.TempDir()
		_, err := gitea.Binary(t.Context(), gitea.BuildOptions{
			Version: "v1.26.999", CacheDir: cache, Progress: io.Discard,
			Env: []string{"GOPROXY=off"},
		})
		g.Expect(err).To(MatchError(gitea.ErrModuleDownload))
		entries, _ := os.ReadDir(cache)
		for _, e := range entries {
			g.Expect(e.Name()).NotTo(HavePrefix("."), "temporary folder left behind")
			g.Expect(e.IsDir()).To(BeFalse(), "incomplete cache folder left behind")
		}
	})
	t.Run("build fails", func(t *testing.T) {
		g := NewWithT(t)
		fakeGo := filepath.Join(t.TempDir(), "go")
		g.Expect(os.WriteFile(fakeGo, []byte("#!/bin/sh\necho 'cgo: C compiler \"gcc\" not found' >&2\nexit 1\n"), 0o700)).To(Succeed())
		_, err := gitea.Binary(t.Context(), gitea.BuildOptions{CacheDir: t.TempDir(), GoCommand: fakeGo, Progress: io.Discard})
		g.Expect(err).To(MatchError(gitea.ErrBuildFailed))
		g.Expect(strings.Contains(err.Error(), "C compiler")).To(BeTrue())
	})
}
