package signature_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/git/signature"
)

func Example() {
	// A fixed SSH key, as a Secret would hold it.
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	block, _ := ssh.MarshalPrivateKey(priv, "")
	pub, _ := ssh.NewPublicKey(priv.Public())

	// Sign a commit payload and put the signature in its gpgsig header.
	signer, err := signature.NewSigner(git.SigningKey{PrivateKey: pem.EncodeToMemory(block)})
	if err != nil {
		panic(err)
	}
	payload := "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
		"author Bot <bot@example.com> 1704067200 +0000\n" +
		"committer Bot <bot@example.com> 1704067200 +0000\n\nrelease\n"
	sig, _ := signer.Sign(strings.NewReader(payload))
	header, message, _ := strings.Cut(payload, "\n\n")
	commit := header + "\ngpgsig " + strings.ReplaceAll(strings.TrimSpace(string(sig)), "\n", "\n ") + "\n\n" + message

	// Verify it against an allowed-signers list.
	v, err := signature.NewVerifier(signature.TrustedKeys{
		AllowedSigners: []byte("bot@example.com namespaces=\"git\" " + string(ssh.MarshalAuthorizedKey(pub))),
	})
	if err != nil {
		panic(err)
	}
	verified, err := v.VerifyCommit([]byte(commit))
	fmt.Println(verified.Format, verified.Signer, verified.KeyID == signer.KeyID(), err)

	_, err = v.VerifyCommit([]byte(strings.Replace(commit, "release", "backdoor", 1)))
	fmt.Println(errors.Is(err, git.ErrInvalidSignature))
	_, err = v.VerifyCommit([]byte(payload))
	fmt.Println(errors.Is(err, git.ErrNoSignature))
	// Output:
	// ssh bot@example.com true <nil>
	// true
	// true
}
