package codegen

import (
	"strings"
	"testing"
	"unicode/utf8"

	. "github.com/onsi/gomega"
)

func TestFirstDiff(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name                 string
		committed, generated string
		want                 string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"changed line", "a\nb\nc\n", "a\nB\nc\n", `line 2 column 1: committed "b", generated "B"`},
		{"changed in the middle", "name: foo\n", "name: bar\n", `line 1 column 7: committed "name: foo", generated "name: bar"`},
		{"committed shorter", "a", "a\nb", `line 2: the committed file ends, generated has "b"`},
		{"line added", "a\n", "a\nb\n", `line 2 column 1: committed "", generated "b"`},
		{"committed longer", "a\nb\nc", "a\nb", `line 3: committed has "c", the generated file ends`},
		{"no final newline", "a\nb", "a\nb\n", "the committed file lacks the final newline"},
		{"extra final newline", "a\n\n", "a\n", "the committed file ends with a newline the generated one lacks"},
		{"empty committed", "", "a\n", `line 1 column 1: committed "", generated "a"`},
		{"crlf", "a\r\n", "a\n", `line 1 column 2: committed "a\r", generated "a"`},
		{
			"long line cut around the difference",
			long + "A" + long + "\n", long + "B" + long + "\n",
			`line 1 column 101: committed "...` + strings.Repeat("x", 24) + "A" + strings.Repeat("x", 47) + `...", generated "...` + strings.Repeat("x", 24) + "B" + strings.Repeat("x", 47) + `..."`,
		},
		{"multi-byte runes are not split", "é1\n", "é2\n", `line 1 column 3: committed "é1", generated "é2"`},
		{"difference inside a rune", "é\n", "è\n", `line 1 column 1: committed "é", generated "è"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			NewWithT(t).Expect(firstDiff([]byte(tt.committed), []byte(tt.generated))).To(Equal(tt.want))
		})
	}
}

// FuzzFirstDiff checks that any two contents get a hint exactly when they
// differ, and that the hint is one line of valid UTF-8 for valid input.
func FuzzFirstDiff(f *testing.F) {
	f.Add([]byte("a\nb\n"), []byte("a\nc\n"))
	f.Add([]byte("a"), []byte("a\n"))
	f.Add([]byte(strings.Repeat("é", 80)), []byte(strings.Repeat("é", 79)+"e"))
	f.Add([]byte{0xff, '\n'}, []byte{0xfe})
	f.Fuzz(func(t *testing.T, committed, generated []byte) {
		hint := firstDiff(committed, generated)
		if (hint == "") != (string(committed) == string(generated)) {
			t.Fatalf("firstDiff(%q, %q) = %q", committed, generated, hint)
		}
		if strings.ContainsAny(hint, "\r\n") {
			t.Fatalf("hint %q spans lines", hint)
		}
		if utf8.Valid(committed) && utf8.Valid(generated) && !utf8.ValidString(hint) {
			t.Fatalf("hint %q is not valid UTF-8", hint)
		}
	})
}
