package gogit_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/gogit"
	"github.com/sluice-dev/sluice/testenv/gitserver"
)

func TestCloneProgress(t *testing.T) {
	f := newFixture(t)
	g := NewWithT(t)
	content := map[string]string{}
	for i := range 60 {
		content[fmt.Sprintf("dir%d/file%d.txt", i%10, i)] = strings.Repeat(fmt.Sprintf("line %d\n", i), 20)
	}
	head, err := f.srv.CreateRepo(t.Context(), "big.git", gitserver.RepoOptions{Files: content})
	g.Expect(err).NotTo(HaveOccurred())

	for _, tc := range []struct {
		name string
		url  string
		auth *git.AuthOptions
		ref  git.CheckoutReference
	}{
		{name: "http clone", url: f.srv.HTTPURL("big.git")},
		{name: "ssh fetch of a commit", url: f.srv.SSHURL("big.git"), auth: f.sshAuth(t), ref: git.CheckoutReference{Commit: head}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			var reports []git.Progress
			var text bytes.Buffer
			c, err := gogit.NewClient(target(t), tc.auth,
				gogit.WithProgress(func(p git.Progress) { reports = append(reports, p) }),
				gogit.WithProgressWriter(&text))
			g.Expect(err).NotTo(HaveOccurred())
			_, err = c.Clone(t.Context(), tc.url, git.CloneOptions{Reference: tc.ref})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(text.String()).To(ContainSubstring("objects"))
			g.Expect(reports).NotTo(BeEmpty())
			var done []string
			for _, p := range reports {
				g.Expect(p.Phase).NotTo(BeEmpty())
				if p.Done {
					done = append(done, p.Phase)
				}
			}
			g.Expect(done).To(ContainElement("Counting objects"))
			last := reports[len(reports)-1]
			g.Expect(last.Done).To(BeTrue())
			if last.Total > 0 {
				g.Expect(last.Percent()).To(Equal(100))
			}
		})
	}
}
