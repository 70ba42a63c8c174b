package signature

import (
	"bytes"
	"crypto/sha1" // #nosec G505 -- SHA-1 is Git's object id, not a security check here.
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/sluice-dev/sluice/git"
	"github.com/sluice-dev/sluice/version"
)

// signedObject is a Git object split into what was signed and its
// signature.
type signedObject struct {
	kind      string
	hash      git.Hash
	payload   []byte
	signature []byte // nil when the object is unsigned
	when      time.Time
}

// Armour headers that start a signature, and their formats.
var signatureMarkers = []struct {
	prefix string
	format git.SignatureFormat
}{
	{"-----BEGIN PGP SIGNATURE-----", git.SignatureOpenPGP},
	{"-----BEGIN PGP MESSAGE-----", git.SignatureOpenPGP},
	{"-----BEGIN SSH SIGNATURE-----", git.SignatureSSH},
	{"-----BEGIN SIGNED MESSAGE-----", git.SignatureX509},
}

// formatOf returns the format of an armoured signature, or "" when no
// marker starts it.
func formatOf(sig []byte) git.SignatureFormat {
	for _, m := range signatureMarkers {
		if bytes.HasPrefix(sig, []byte(m.prefix)) {
			return m.format
		}
	}
	return ""
}

// objectHash returns the object id of a raw object of the given kind.
func objectHash(kind string, alg digest.Algorithm, raw []byte) git.Hash {
	header := kind + " " + strconv.Itoa(len(raw)) + "\x00"
	var sum []byte
	if alg == version.SHA256 {
		h := sha256.New()
		h.Write([]byte(header))
		h.Write(raw)
		sum = h.Sum(nil)
	} else {
		h := sha1.New() // #nosec G401 -- Git's SHA-1 object id.
		h.Write([]byte(header))
		h.Write(raw)
		sum = h.Sum(nil)
	}
	return git.Hash{Algorithm: alg, Hex: hex.EncodeToString(sum)}
}

// firstLineHash reads the algorithm from the id on the first line of an
// object, which must start with prefix ("tree " or "object ").
func firstLineHash(raw []byte, prefix string) (digest.Algorithm, error) {
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	id, ok := bytes.CutPrefix(line, []byte(prefix))
	if !ok {
		return "", errors.New("object does not start with " + prefix)
	}
	h, err := git.ParseHash(string(id))
	if err != nil {
		return "", err
	}
	return h.Algorithm, nil
}

// splitCommit separates a raw commit into the payload Git signs (the commit
// without any gpgsig header) and the signature of the header that belongs to
// the commit's object format: "gpgsig" for SHA-1, "gpgsig-sha256" for
// SHA-256.
func splitCommit(raw []byte) (signedObject, error) {
	alg, err := firstLineHash(raw, "tree ")
	if err != nil {
		return signedObject{}, err
	}
	want := "gpgsig"
	if alg == version.SHA256 {
		want = "gpgsig-sha256"
	}
	obj := signedObject{kind: "commit", hash: objectHash("commit", alg, raw)}
	payload := make([]byte, 0, len(raw))
	var sig []byte
	inSig, skip := false, false
	rest := raw
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		rest = rest[len(line):]
		if len(bytes.TrimSuffix(line, []byte("\n"))) == 0 {
			// End of the headers: the message follows, unsigned content.
			payload = append(payload, line...)
			payload = append(payload, rest...)
			break
		}
		if line[0] == ' ' && (inSig || skip) {
			if inSig {
				sig = append(sig, line[1:]...)
			}
			continue
		}
		inSig, skip = false, false
		key, value, _ := bytes.Cut(line, []byte(" "))
		switch {
		case string(key) == want:
			if sig != nil {
				return signedObject{}, errors.New("commit has two " + want + " headers")
			}
			inSig = true
			sig = append([]byte{}, value...)
		case bytes.HasPrefix(key, []byte("gpgsig")):
			skip = true
		default:
			if string(key) == "committer" {
				obj.when = signatureTime(value)
			}
			payload = append(payload, line...)
		}
	}
	obj.payload = payload
	if sig != nil && !bytes.HasSuffix(sig, []byte("\n")) {
		sig = append(sig, '\n')
	}
	obj.signature = sig
	return obj, nil
}

// splitTag separates a raw annotated tag into the payload (everything before
// the signature) and the armoured signature that ends its message, found as
// the last line that starts a signature.
func splitTag(raw []byte) (signedObject, error) {
	alg, err := firstLineHash(raw, "object ")
	if err != nil {
		return signedObject{}, err
	}
	obj := signedObject{kind: "tag", hash: objectHash("tag", alg, raw)}
	headers, _, _ := bytes.Cut(raw, []byte("\n\n"))
	for line := range bytes.SplitSeq(headers, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("tagger ")); ok {
			obj.when = signatureTime(v)
		}
	}
	start := -1
	for off := 0; off < len(raw); {
		if formatOf(raw[off:]) != "" {
			start = off
		}
		i := bytes.IndexByte(raw[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	if start < 0 {
		obj.payload = raw
		return obj, nil
	}
	obj.payload, obj.signature = raw[:start], raw[start:]
	return obj, nil
}

// signatureTime reads the time of an identity line value,
// "Name <email> 1700000000 +0100", or returns the zero time.
func signatureTime(v []byte) time.Time {
	v = bytes.TrimSuffix(v, []byte("\n"))
	i := bytes.LastIndexByte(v, '>')
	if i < 0 {
		return time.Time{}
	}
	fields := bytes.Fields(v[i+1:])
	if len(fields) < 1 {
		return time.Time{}
	}
	sec, err := strconv.ParseInt(string(fields[0]), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
