package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/gomega"
	"golang.org/x/crypto/bcrypt"
)

func TestHashPasswordIsHtpasswdBcrypt(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	hash, err := hashPassword("wonderland")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(hash).To(HavePrefix("$2y$04$"), "the prefix and cost htpasswd -B writes, at minimum cost")
	g.Expect(bcrypt.CompareHashAndPassword([]byte(hash), []byte("wonderland"))).To(Succeed())
	g.Expect(bcrypt.CompareHashAndPassword([]byte(hash), []byte("looking-glass"))).To(MatchError(bcrypt.ErrMismatchedHashAndPassword))
}

func TestWriteHTPasswd(t *testing.T) {
	t.Parallel()
	g := NewWithT(t)
	dir := t.TempDir()
	path, err := writeHTPasswd(t.Context(), dir, []Credentials{{"alice", "a"}, {"bob", "b"}})
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(path).To(Equal(filepath.Join(dir, htpasswdFile)))
	info, err := os.Stat(path)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(info.Mode().Perm()).To(Equal(os.FileMode(0o600)))
	data, err := os.ReadFile(path)
	g.Expect(err).NotTo(HaveOccurred())
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	g.Expect(lines).To(HaveLen(2))
	g.Expect(lines[0]).To(HavePrefix("alice:$2y$"))
	g.Expect(lines[1]).To(HavePrefix("bob:$2y$"))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = writeHTPasswd(ctx, dir, []Credentials{{"alice", "a"}})
	g.Expect(err).To(MatchError(context.Canceled))
}
