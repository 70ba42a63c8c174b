package gogit_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
)

// bot is the author of the commits the writer tests make.
var bot = git.Signature{Name: "Sluice Bot", Email: "bot@sluice.invalid"}

// gitEnv is an environment for the git CLI isolated from the host's
// configuration, plus extra.
func gitEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "GNUPGHOME=") {
			env = append(env, kv)
		}
	}
	env = append(env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "LC_ALL=C")
	return append(env, extra...)
}

// runGit runs the git CLI in dir and returns its combined output and error.
func runGit(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...) // #nosec G204 -- test command.
	cmd.Dir = dir
	cmd.Env = gitEnv(env...)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// mustGit runs the git CLI and fails the test when it fails.
func mustGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := runGit(t, dir, nil, args...)
	NewWithT(t).Expect(err).NotTo(HaveOccurred(), out)
	return out
}

// serverGit runs git on a bare repository of the fixture's server.
func (f *fixture) serverGit(t *testing.T, repo string, args ...string) string {
	t.Helper()
	return mustGit(t, filepath.Join(f.srv.Root(), repo), args...)
}

// writeFile writes a file of a worktree.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	g := NewWithT(t)
	full := filepath.Join(dir, filepath.FromSlash(name))
	g.Expect(os.MkdirAll(filepath.Dir(full), 0o750)).To(Succeed())
	g.Expect(os.WriteFile(full, []byte(content), 0o600)).To(Succeed())
}

// changedFiles lists the paths a commit changed, as git prints them.
func changedFiles(t *testing.T, dir, rev string) []string {
	t.Helper()
	out := mustGit(t, dir, "show", "--pretty=format:", "--name-status", rev)
	var files []string
	for line := range strings.SplitSeq(out, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			files = append(files, strings.Join(strings.Fields(line), " "))
		}
	}
	return files
}

// installHook installs an executable hook script in a bare repository of
// the server.
func (f *fixture) installHook(t *testing.T, repo, hook, script string) {
	t.Helper()
	p := filepath.Join(f.srv.Root(), repo, "hooks", hook)
	// #nosec G306 -- a hook must be executable.
	NewWithT(t).Expect(os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o700)).To(Succeed())
}

// hasLine reports whether b holds the line s.
func hasLine(b []byte, s string) bool {
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		if string(line) == s {
			return true
		}
	}
	return false
}
