package toolbuild

import (
	"errors"
	"testing"

	. "github.com/onsi/gomega"
)

func TestTail(t *testing.T) {
	g := NewWithT(t)
	g.Expect(tail("a\nb\nc\n", 2)).To(Equal("b\nc\n"))
	g.Expect(tail("a", 5)).To(Equal("a\n"))
}

func TestDownloadFailureClassification(t *testing.T) {
	g := NewWithT(t)
	g.Expect(isDownloadFailure(`go: k8s.io/kubernetes@v1.37.2: Get "https://proxy.golang.org/...": dial tcp: lookup proxy.golang.org: no such host`)).To(BeTrue())
	g.Expect(isDownloadFailure("reading https://proxy.golang.org/x/@v/v1.zip: 403 Forbidden")).To(BeTrue())
	g.Expect(isDownloadFailure("./main.go:3:2: undefined: foo")).To(BeFalse())
}

func TestCommandFailure(t *testing.T) {
	g := NewWithT(t)
	exit := errors.New("exit status 1")
	err := CommandFailure("etcd", "go build", "go: downloading x\ndial tcp: i/o timeout\n", "/tmp/build.log", exit)
	g.Expect(err).To(MatchError(ErrModuleDownload))
	g.Expect(err).To(MatchError(exit))
	g.Expect(err.LogTail).To(HaveSuffix("(full log: /tmp/build.log)"))
	err = CommandFailure("etcd", "go build", "./main.go:3:2: undefined: foo\n", "/tmp/build.log", exit)
	g.Expect(err).To(MatchError(ErrBuildFailed))
	g.Expect(err.Step).To(Equal("go build"))
}
