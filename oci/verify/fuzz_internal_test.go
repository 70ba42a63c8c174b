package verify

import (
	"strings"
	"testing"

	gcrv1 "github.com/google/go-containerregistry/pkg/v1"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
)

const seedDigest = "sha256:4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a"

const seedStatement = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"x","digest":{"sha256":"4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}`

func FuzzParseSimpleSigning(f *testing.F) {
	f.Add([]byte(`{"critical":{"identity":{"docker-reference":"r.example/app"},"image":{"docker-manifest-digest":"` + seedDigest + `"},"type":"cosign container image signature"},"optional":null}`))
	f.Add([]byte(`{"critical":{"image":{"docker-manifest-digest":"sha512:00"},"type":"cosign container image signature"}}`))
	f.Add([]byte(`{"critical":{"type":"atomic container signature"}}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseSimpleSigning(data)
		if err != nil {
			return
		}
		// A digest that parsed must round-trip.
		again, err := gcrv1.NewHash(h.String())
		if err != nil || again != h {
			t.Fatalf("digest %q does not round-trip: %v", h, err)
		}
	})
}

func FuzzParseStatement(f *testing.F) {
	f.Add([]byte(seedStatement))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","subject":[]}`))
	f.Add([]byte(`{"_type":"x"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := parseStatement(data)
		if err != nil {
			return
		}
		if !strings.HasPrefix(st.Type, inTotoStatementPrefix) || len(st.Subject) == 0 {
			t.Fatalf("accepted statement %+v", st)
		}
		h, _ := gcrv1.NewHash(seedDigest)
		_ = st.names(h)
		_ = st.subjects()
	})
}

func FuzzParseBundle(f *testing.F) {
	b, err := sgbundle.NewBundle(&protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: "k"}},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     []byte(seedStatement),
			PayloadType: inTotoPayloadType,
			Signatures:  []*protodsse.Signature{{Sig: []byte("not a real signature")}},
		}},
	})
	if err != nil {
		f.Fatal(err)
	}
	seed, err := b.MarshalJSON()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1","messageSignature":{}}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, st, err := parseBundle(data)
		if err != nil {
			return
		}
		if got == nil || got.GetDsseEnvelope() == nil {
			t.Fatal("accepted a bundle without a DSSE envelope")
		}
		if len(st.Subject) == 0 {
			t.Fatal("accepted a statement without subject")
		}
	})
}

func FuzzDecodeSignature(f *testing.F) {
	f.Add("MEUCIQDx")
	f.Add("")
	f.Add(" !! ")
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := decodeSignature(s)
		if err == nil && len(sig) == 0 {
			t.Fatal("accepted an empty signature")
		}
	})
}
