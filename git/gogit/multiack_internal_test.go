package gogit

import (
	"bytes"
	"strconv"
	"testing"

	. "github.com/onsi/gomega"
)

func TestAddCapability(t *testing.T) {
	const want = "0032want 0123456789012345678901234567890123456789\n"
	tests := []struct {
		name, in, out string
	}{
		{name: "adds", in: "003cwant 0123456789012345678901234567890123456789 ofs-delta\n00000009done\n",
			out: "004fwant 0123456789012345678901234567890123456789 ofs-delta multi_ack_detailed\n00000009done\n"},
		{name: "no capabilities yet", in: want + "0000",
			out: "0045want 0123456789012345678901234567890123456789 multi_ack_detailed\n0000"},
		{name: "already there", in: "004fwant 0123456789012345678901234567890123456789 ofs-delta multi_ack_detailed\n0000",
			out: "004fwant 0123456789012345678901234567890123456789 ofs-delta multi_ack_detailed\n0000"},
		{name: "not a want", in: "0009done\n", out: "0009done\n"},
		{name: "short", in: "00", out: "00"},
		{name: "bad length", in: "zzzzwant x", out: "zzzzwant x"},
		{name: "length past end", in: "0fffwant x", out: "0fffwant x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			NewWithT(t).Expect(string(addCapability([]byte(tt.in), multiACKCapability))).To(Equal(tt.out))
		})
	}
}

func FuzzAddCapability(f *testing.F) {
	f.Add([]byte("003cwant 0123456789012345678901234567890123456789 ofs-delta\n0000"))
	f.Add([]byte("0009done\n"))
	f.Add([]byte("0009want \n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out := addCapability(in, multiACKCapability)
		if bytes.Equal(out, in) {
			return
		}
		n, err := strconv.ParseUint(string(out[:4]), 16, 16)
		if err != nil || int(n) > len(out) {
			t.Fatalf("bad pkt-line length in %q", out)
		}
		if !bytes.HasSuffix(out[:n], []byte(" "+multiACKCapability+"\n")) {
			t.Fatalf("capability not at the end of the first line: %q", out[:n])
		}
		if !bytes.HasSuffix(out, in[len(in)-(len(out)-int(n)):]) {
			t.Fatalf("rest of the request changed: %q -> %q", in, out)
		}
	})
}
