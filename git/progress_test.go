package git_test

import (
	"fmt"
	"testing"

	. "github.com/onsi/gomega"

	"github.com/sluice-dev/sluice/git"
)

func TestParseProgress(t *testing.T) {
	tests := []struct {
		line    string
		want    git.Progress
		ok      bool
		percent int
	}{
		{line: "Enumerating objects: 12\r", want: git.Progress{Phase: "Enumerating objects", Current: 12}, ok: true, percent: -1},
		{line: "Enumerating objects: 12, done.\n", want: git.Progress{Phase: "Enumerating objects", Current: 12, Done: true}, ok: true, percent: -1},
		{line: "Counting objects:  50% (5/10)\r", want: git.Progress{Phase: "Counting objects", Current: 5, Total: 10}, ok: true, percent: 50},
		{line: "remote: Compressing objects: 100% (3/3), done.", want: git.Progress{Phase: "Compressing objects", Current: 3, Total: 3, Done: true}, ok: true, percent: 100},
		{line: "Receiving objects: 100% (30/30), 1.20 KiB | 1.20 MiB/s, done.", want: git.Progress{Phase: "Receiving objects", Current: 30, Total: 30, Done: true}, ok: true, percent: 100},
		{line: "Total 3 (delta 0), reused 0 (delta 0), pack-reused 0"},
		{line: ""},
		{line: "Counting objects: lots"},
		{line: "Counting objects: 5% (1/x)"},
		{line: "Counting objects: 500% (1/2"},
		{line: ": 12"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			g := NewWithT(t)
			p, ok := git.ParseProgress(tt.line)
			g.Expect(ok).To(Equal(tt.ok))
			g.Expect(p).To(Equal(tt.want))
			if ok {
				g.Expect(p.Percent()).To(Equal(tt.percent))
			}
		})
	}
}

func FuzzParseProgress(f *testing.F) {
	for _, s := range []string{"Counting objects:  50% (5/10)\r", "Enumerating objects: 12, done.", "remote: Total 3 (delta 0)", "a: 1% (2/1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		p, ok := git.ParseProgress(line)
		if !ok {
			if p != (git.Progress{}) {
				t.Fatalf("not progress but %+v", p)
			}
			return
		}
		if p.Phase == "" || p.Current < 0 || p.Total < 0 {
			t.Fatalf("bad progress %+v from %q", p, line)
		}
		if pc := p.Percent(); pc < -1 || pc > 100 {
			t.Fatalf("percent %d out of range", pc)
		}
	})
}

func ExampleParseProgress() {
	p, _ := git.ParseProgress("remote: Counting objects:  40% (4/10)\r")
	fmt.Printf("%s %d%%\n", p.Phase, p.Percent())
	// Output: Counting objects 40%
}
