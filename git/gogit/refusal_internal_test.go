package gogit

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	. "github.com/onsi/gomega"
)

func TestServerMessage(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{name: "gitea", in: "error:\nerror: Deploy Key: 1:sluice-dev is not authorized to write to sluice/fleet.\nerror:\nGitea: detail\n",
			want: "error: Deploy Key: 1:sluice-dev is not authorized to write to sluice/fleet.; Gitea: detail"},
		{name: "banner lines dropped", in: "remote: ====\r\nremote: \x1b[1mread only\x1b[0m\r\nremote:\n", want: "remote: [1mread only[0m"},
		{name: "tabs and blanks", in: "\n\t fatal:\tno\t\n  \n", want: "fatal: no"},
		{name: "empty", in: "error:\nremote: ===\n", want: ""},
		{name: "bounded", in: strings.Repeat("é", 400), want: strings.Repeat("é", 256) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			NewWithT(t).Expect(serverMessage(tt.in)).To(Equal(tt.want))
		})
	}
}

func TestShellQuote(t *testing.T) {
	g := NewWithT(t)
	g.Expect(shellQuote("/sluice/fleet.git")).To(Equal(`'/sluice/fleet.git'`))
	g.Expect(shellQuote("it's!")).To(Equal(`'it'\''s'\!''`))
}

func FuzzServerMessage(f *testing.F) {
	f.Add("error:\nerror: Deploy Key: 1:k is not authorized to write to o/r.\nerror:\n")
	f.Add("remote: =====\nremote: \x1b[31mno\n")
	f.Add(strings.Repeat("\xff\xfe", 600))
	f.Fuzz(func(t *testing.T, in string) {
		out := serverMessage(in)
		if len(out) > maxRefusalMessage+len("...") {
			t.Fatalf("message of %d bytes", len(out))
		}
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		if i := strings.IndexFunc(out, func(r rune) bool { return !unicode.IsPrint(r) }); i >= 0 {
			t.Fatalf("unprintable character in %q", out)
		}
	})
}
