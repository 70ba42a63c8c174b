package gitserver

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	. "github.com/onsi/gomega"
)

func TestMissingGit(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	empty := t.TempDir()
	for _, pathEnv := range []string{empty, "", "relative/dir" + string(filepath.ListSeparator) + empty} {
		_, err := lookGit("git", pathEnv)
		g.Expect(err).To(MatchError(ErrGitNotFound), pathEnv)
		g.Expect(err).To(MatchError(ContainSubstring("git CLI not found in PATH")))
	}

	// A non-executable file named git is no git.
	g.Expect(os.WriteFile(filepath.Join(empty, "git"), []byte("#!/bin/sh\n"), 0o644)).To(Succeed())
	_, err := lookGit("git", empty)
	g.Expect(err).To(MatchError(ErrGitNotFound))
	g.Expect(os.Chmod(filepath.Join(empty, "git"), 0o755)).To(Succeed())
	g.Expect(lookGit("git", "/nonexistent"+string(filepath.ListSeparator)+empty)).To(Equal(filepath.Join(empty, "git")))

	_, err = New(t.Context(), WithGitBinary(filepath.Join(t.TempDir(), "git")))
	g.Expect(err).To(MatchError(ErrGitNotFound))
	_, err = New(t.Context(), WithGitBinary("git-that-does-not-exist"))
	g.Expect(err).To(MatchError(ErrGitNotFound))
}

func TestInvalidOptions(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]Option{
		"basic without password": WithBasicAuth("alice", ""),
		"basic without user":     WithBasicAuth("", "secret"),
		"empty token":            WithBearerToken(""),
		"nil hook":               WithRequestHook(nil),
		"empty git":              WithGitBinary(""),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(t.Context(), opt)
			NewWithT(t).Expect(err).To(MatchError(ErrInvalidOption))
		})
	}
}

func TestBeforeStart(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	root := filepath.Join(t.TempDir(), "repos")
	srv := newServer(t, WithRoot(root))
	g.Expect(srv.Root()).To(Equal(root))
	g.Expect(root).To(BeADirectory())
	g.Expect(srv.HTTPURL("a.git")).To(BeEmpty())
	g.Expect(srv.HTTPSURL("a.git")).To(BeEmpty())
	g.Expect(srv.SSHURL("a.git")).To(BeEmpty())
	g.Expect(srv.GitURL("a.git")).To(BeEmpty())
	g.Expect(srv.KnownHosts()).To(BeNil())
	g.Expect(srv.HostKey().Type()).To(Equal("ssh-ed25519"))
	g.Expect(srv.CACertPEM()).To(HavePrefix("-----BEGIN CERTIFICATE-----"))

	// Start methods are idempotent.
	g.Expect(srv.StartSSH(t.Context())).To(Succeed())
	url := srv.SSHURL("/a.git")
	g.Expect(url).To(MatchRegexp(`^ssh://git@127\.0\.0\.1:\d+/a\.git$`))
	g.Expect(srv.StartSSH(t.Context())).To(Succeed())
	g.Expect(srv.SSHURL("a.git")).To(Equal(url))
	g.Expect(string(srv.KnownHosts())).To(MatchRegexp(`^\[127\.0\.0\.1\]:\d+ ssh-ed25519 AAAA\S+\n$`))

	// WithRoot keeps the root on Close.
	g.Expect(srv.Close()).To(Succeed())
	g.Expect(root).To(BeADirectory())
}

func TestHTTPSClientTLSConfig(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	srv := newServer(t)
	_, err := srv.CreateRepo(t.Context(), "app.git", RepoOptions{Files: map[string]string{"f": "1"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(srv.StartHTTPS(t.Context())).To(Succeed())
	get := func(client *http.Client) (*http.Response, error) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.HTTPSURL("app.git")+"/info/refs?service=git-upload-pack", nil)
		g.Expect(err).NotTo(HaveOccurred())
		return client.Do(req)
	}
	resp, err := get(&http.Client{Transport: &http.Transport{TLSClientConfig: srv.ClientTLSConfig()}})
	g.Expect(err).NotTo(HaveOccurred())
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
	g.Expect(resp.Header.Get("Content-Type")).To(Equal("application/x-git-upload-pack-advertisement"))
	g.Expect(string(body)).To(ContainSubstring("refs/heads/main"))

	_, err = get(&http.Client{Transport: &http.Transport{}})
	var unknownCA x509.UnknownAuthorityError
	g.Expect(errors.As(err, &unknownCA)).To(BeTrue(), "%v", err)
}

func TestHTTPOutsideRoot(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	rec := &recorder{}
	srv := newServer(t, WithRequestHook(rec.hook))
	g.Expect(srv.StartHTTP(t.Context())).To(Succeed())
	addr := srv.httpEP.addr
	conn, err := net.Dial("tcp", addr)
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = conn.Close() }()
	_, err = io.WriteString(conn, "GET /../../etc/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n")
	g.Expect(err).NotTo(HaveOccurred())
	resp, err := io.ReadAll(conn)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(string(resp)).To(HavePrefix("HTTP/1.1 404"))
	g.Expect(rec.all()).To(Equal([]Request{{
		Protocol: ProtocolHTTP, Service: ServiceUploadPack, Repo: "../../etc", Method: http.MethodGet,
		Authenticated: true, Err: ErrOutsideRoot,
	}}))
}

// TestRequestHook counts the requests of each protocol.
func TestRequestHook(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	h := newHarness(t, WithRequestHook(rec.hook))
	for _, proto := range allProtocols() {
		t.Run(proto.String(), func(t *testing.T) {
			g := NewWithT(t)
			repo := "hook-" + proto.String() + ".git"
			seedRepo(t, h.srv, repo)
			env := h.cliEnv(t, proto)
			dir := t.TempDir()
			mustGit(t, h.home, "", env, "clone", "--quiet", h.url(proto, repo), dir)
			mustGit(t, h.home, dir, nil, "commit", "--quiet", "--allow-empty", "-m", "x")
			mustGit(t, h.home, dir, env, "push", "--quiet", "origin", "HEAD:main")

			of := func(s Service) []Request {
				return rec.matching(func(r Request) bool { return r.Repo == repo && r.Service == s })
			}
			for _, r := range rec.matching(func(r Request) bool { return r.Repo == repo }) {
				g.Expect(r.Protocol).To(Equal(proto))
				g.Expect(r.Authenticated).To(BeTrue())
				g.Expect(r.Err).NotTo(HaveOccurred())
			}
			switch proto {
			case ProtocolHTTP, ProtocolHTTPS:
				// One ref advertisement per operation, then POSTs.
				for _, s := range []Service{ServiceUploadPack, ServiceReceivePack} {
					var gets, posts int
					for _, r := range of(s) {
						switch r.Method {
						case http.MethodGet:
							gets++
						case http.MethodPost:
							posts++
						}
					}
					g.Expect(gets).To(Equal(1), s.String())
					g.Expect(posts).To(BeNumerically(">=", 1), s.String())
				}
			default:
				g.Expect(of(ServiceUploadPack)).To(HaveLen(1))
				g.Expect(of(ServiceReceivePack)).To(HaveLen(1))
			}
			if proto == ProtocolSSH {
				g.Expect(of(ServiceUploadPack)[0].User).To(Equal("git"))
			}
		})
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	srv, err := New(t.Context())
	g.Expect(err).NotTo(HaveOccurred())
	root := srv.Root()
	_, err = srv.CreateRepo(t.Context(), "app.git", RepoOptions{Files: map[string]string{"f": "1"}})
	g.Expect(err).NotTo(HaveOccurred())
	ctx := t.Context()
	g.Expect(srv.StartHTTP(ctx)).To(Succeed())
	g.Expect(srv.StartHTTPS(ctx)).To(Succeed())
	g.Expect(srv.StartSSH(ctx)).To(Succeed())
	g.Expect(srv.StartGitDaemon(ctx)).To(Succeed())

	daemon := srv.daemonEP
	pgid := daemon.proc.cmd.Process.Pid
	addrs := []string{srv.httpEP.addr, srv.httpsEP.addr, srv.sshEP.addr, daemon.addr, daemon.internal}
	// An idle connection keeps a forked git daemon child alive: the group
	// kill must reach it too.
	idle, err := net.Dial("tcp", daemon.internal)
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = idle.Close() }()
	relayed, err := net.Dial("tcp", daemon.addr)
	g.Expect(err).NotTo(HaveOccurred())
	defer func() { _ = relayed.Close() }()
	g.Eventually(func() int { return len(liveGroupMembers(t, pgid)) }).Should(BeNumerically(">=", 2), "daemon and its child")

	g.Expect(srv.Close()).To(Succeed())
	g.Eventually(func() []int { return liveGroupMembers(t, pgid) }, 5*time.Second).Should(BeEmpty())
	for _, addr := range addrs {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		g.Expect(err).To(HaveOccurred(), addr)
	}
	g.Expect(root).NotTo(BeAnExistingFile())
	_ = relayed.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = relayed.Read(make([]byte, 1))
	g.Expect(err).To(MatchError(io.EOF))

	g.Expect(srv.Close()).To(Succeed(), "idempotent")
	for _, start := range []func(context.Context) error{srv.StartHTTP, srv.StartHTTPS, srv.StartSSH, srv.StartGitDaemon} {
		g.Expect(start(ctx)).To(MatchError(ErrClosed))
	}
	_, err = srv.CreateRepo(ctx, "new.git", RepoOptions{})
	g.Expect(err).To(MatchError(ErrClosed))
	_, err = srv.Commit(ctx, "app.git", CommitOptions{})
	g.Expect(err).To(MatchError(ErrClosed))
}

func TestStartGitDaemonContext(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	srv := newServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err := srv.StartGitDaemon(ctx)
	g.Expect(err).To(MatchError(context.Canceled))
	g.Expect(srv.GitURL("a.git")).To(BeEmpty())
	// A later start with a live context works.
	g.Expect(srv.StartGitDaemon(t.Context())).To(Succeed())
	g.Expect(srv.GitURL("a.git")).To(MatchRegexp(`^git://127\.0\.0\.1:\d+/a\.git$`))
}

// liveGroupMembers lists the processes of a process group that are neither
// gone nor zombies, from /proc.
func liveGroupMembers(t *testing.T, pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skip("no /proc to inspect processes")
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 2 && fields[2] == strconv.Itoa(pgid) && fields[0] != "Z" {
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestWithLogger(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	var (
		mu    sync.Mutex
		lines []string
	)
	log := funcr.New(func(_, args string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, args)
	}, funcr.Options{Verbosity: 1})
	h := newHarness(t, WithLogger(log))
	seedRepo(t, h.srv, "app.git")
	mustGit(t, h.home, "", nil, "ls-remote", h.srv.GitURL("app.git"))
	mu.Lock()
	defer mu.Unlock()
	g.Expect(lines).To(ContainElement(And(ContainSubstring(`"msg"="git request"`), ContainSubstring(`"protocol"="git"`))))
	g.Expect(lines).To(ContainElement(ContainSubstring(`"msg"="started"`)))
}
