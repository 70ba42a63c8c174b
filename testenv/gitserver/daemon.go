package gitserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// daemonEndpoint is a running git daemon behind a TCP relay. The relay owns
// the public port: it reads the request line of each connection, reports it
// to the request hooks, and forwards the bytes unchanged to git daemon,
// which serves or refuses the request itself.
type daemonEndpoint struct {
	listener
	proc     *daemonProcess
	internal string // git daemon's own address
}

// daemonProcess is a git daemon leading its own process group.
type daemonProcess struct {
	cmd    *exec.Cmd
	stderr *tailBuffer
	exited chan struct{} // closed once cmd.Wait returned
}

// errDaemonExited means git daemon stopped while starting, typically because
// another process took its port.
var errDaemonExited = errors.New("git daemon exited")

// StartGitDaemon serves the repositories over git:// with a real git daemon
// (every repository exported, pushes enabled unless WithReadOnly), in its own
// process group, on 127.0.0.1 and a free port; see GitURL. It waits until the
// daemon accepts connections, for as long as ctx allows: ctx bounds the
// start only, the daemon runs until Close. A second call does nothing.
// git:// has no authentication: the auth options do not apply.
//
// It returns ErrClosed after Close, or the error of ctx when the daemon did
// not become ready in time.
func (s *Server) StartGitDaemon(ctx context.Context) error {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	s.mu.RLock()
	closed, running := s.closed, s.daemonEP != nil
	s.mu.RUnlock()
	if closed {
		return fmt.Errorf("start git daemon: %w", ErrClosed)
	}
	if running {
		return nil
	}

	var (
		proc     *daemonProcess
		internal string
		err      error
	)
	// Another process may take the free port between its discovery and the
	// daemon's bind: retry with a new one.
	for range 5 {
		proc, internal, err = s.spawnDaemon(ctx)
		if err == nil || !errors.Is(err, errDaemonExited) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("start git daemon: %w", err)
	}
	ln, err := listenLocal(ctx)
	if err != nil {
		_ = proc.kill()
		return fmt.Errorf("start git daemon: %w", err)
	}
	ep := &daemonEndpoint{listener: newListener(ln), proc: proc, internal: internal}
	ep.serve(s.opts.log.WithValues("protocol", ProtocolGit), func(c net.Conn) { s.relayGit(ep, c) })
	s.mu.Lock()
	s.daemonEP = ep
	s.mu.Unlock()
	s.opts.log.V(1).Info("started", "protocol", ProtocolGit, "addr", ep.addr, "daemon", internal)
	return nil
}

// spawnDaemon starts git daemon on a free port and waits until it accepts
// connections.
func (s *Server) spawnDaemon(ctx context.Context) (*daemonProcess, string, error) {
	port, err := freePort(ctx)
	if err != nil {
		return nil, "", err
	}
	args := []string{"daemon", "--reuseaddr", "--export-all", "--informative-errors",
		"--listen=127.0.0.1", "--port=" + strconv.Itoa(port), "--base-path=" + s.root}
	if !s.opts.readOnly {
		args = append(args, "--enable=receive-pack")
	}
	args = append(args, s.root)
	// Not CommandContext: ctx bounds the start, not the daemon's life.
	cmd := exec.Command(s.git, args...)
	cmd.Dir = s.root
	cmd.Env = s.serveEnv
	if err := setProcessGroup(cmd); err != nil {
		return nil, "", err
	}
	proc := &daemonProcess{cmd: cmd, stderr: &tailBuffer{max: 4096}, exited: make(chan struct{})}
	// Children inherit these descriptors: stdout is /dev/null, and stderr's
	// pipe closes once the whole group is killed; WaitDelay bounds the rest.
	cmd.Stderr = io.MultiWriter(proc.stderr, logWriter{log: s.opts.log, msg: "git daemon stderr"})
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("run git daemon: %w", err)
	}
	go func() {
		_ = cmd.Wait()
		close(proc.exited)
	}()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := proc.waitReady(ctx, addr); err != nil {
		_ = proc.kill()
		return nil, "", err
	}
	return proc, addr, nil
}

// waitReady polls addr until it accepts a connection, the daemon exits or
// ctx ends.
func (p *daemonProcess) waitReady(ctx context.Context, addr string) error {
	var d net.Dialer
	for {
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := d.DialContext(dctx, "tcp", addr)
		cancel()
		if err == nil {
			return c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for git daemon on %s: %w", addr, ctx.Err())
		case <-p.exited:
			return fmt.Errorf("%w: %s", errDaemonExited, p.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// kill kills the daemon's process group and waits for the daemon.
func (p *daemonProcess) kill() error {
	err := killProcessGroup(p.cmd.Process.Pid)
	<-p.exited
	if err != nil {
		return fmt.Errorf("kill git daemon: %w", err)
	}
	return nil
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(ctx context.Context) (int, error) {
	ln, err := listenLocal(ctx)
	if err != nil {
		return 0, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	return port, nil
}

func (ep *daemonEndpoint) close() error {
	_ = ep.ln.Close()
	ep.conns.closeAll()
	ep.wg.Wait()
	return ep.proc.kill()
}

// relayGit reports the request of one git:// connection and relays it to
// git daemon.
func (s *Server) relayGit(ep *daemonEndpoint, c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(handshakeTimeout))
	first, payload, err := readPktLine(c)
	if err != nil {
		s.opts.log.V(1).Info("git:// request unreadable", "error", err.Error())
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	s.notify(s.gitRequest(payload))

	var d net.Dialer
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	up, err := d.DialContext(ctx, "tcp", ep.internal)
	cancel()
	if err != nil {
		s.opts.log.Error(err, "dial git daemon")
		return
	}
	if !ep.conns.add(up) {
		return
	}
	defer ep.conns.remove(up)
	defer func() { _ = up.Close() }()
	if _, err := up.Write(first); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(up, c)
		closeWrite(up)
	}()
	_, _ = io.Copy(c, up)
	closeWrite(c)
	<-done
}

// gitRequest describes a git:// request line, such as
// "git-upload-pack /app.git\x00host=127.0.0.1\x00".
func (s *Server) gitRequest(payload []byte) Request {
	req := Request{Protocol: ProtocolGit, Authenticated: true}
	line, _, _ := strings.Cut(string(payload), "\x00")
	name, repo, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
	req.Service = parseService(name)
	rel, _, err := s.localRepo(repo)
	switch {
	case req.Service == ServiceUnknown:
		req.Repo = repo
		req.Err = ErrUnsupportedCommand
	case err != nil:
		req.Repo = repo
		req.Err = ErrOutsideRoot
	case s.opts.readOnly && req.Service == ServiceReceivePack:
		req.Repo = rel
		req.Err = ErrReadOnly
	default:
		req.Repo = rel
	}
	return req
}

// readPktLine reads one pkt-line: four hex digits giving the length of the
// line, themselves included, then the payload. It returns the raw line and
// its payload.
func readPktLine(r io.Reader) ([]byte, []byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, nil, fmt.Errorf("read pkt-line length: %w", err)
	}
	n, err := strconv.ParseUint(string(head[:]), 16, 16)
	if err != nil || n < 4 || n > 65520 {
		return nil, nil, fmt.Errorf("bad pkt-line length %q", head[:])
	}
	line := make([]byte, n)
	copy(line, head[:])
	if _, err := io.ReadFull(r, line[4:]); err != nil {
		return nil, nil, fmt.Errorf("read pkt-line: %w", err)
	}
	return line, line[4:], nil
}

// closeWrite half-closes a TCP connection, or closes any other.
func closeWrite(c net.Conn) {
	if tc, ok := c.(interface{ CloseWrite() error }); ok {
		_ = tc.CloseWrite()
		return
	}
	_ = c.Close()
}
