package version_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sluice-dev/sluice/version"
)

func Example() {
	tags := []string{"v1.10.0", "v1.2.0", "latest", "v2.0.0-rc.1", "v1.9.3", "v2.0.0"}
	c, err := version.ParseConstraint(">=1.2.0 <2.0.0")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range version.SortTags(tags, version.TagOptions{Constraint: &c, Descending: true}) {
		fmt.Println(v.Original())
	}
	// Output:
	// v1.10.0
	// v1.9.3
	// v1.2.0
}

func ExampleParse() {
	v, err := version.Parse("v2025.02.03-rc.01")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Original(), v.String(), v.Major(), v.Prerelease())
	_, err = version.Parse("1.2.3.4")
	fmt.Println(err)
	// Output:
	// v2025.02.03-rc.01 2025.2.3-rc.1 2025 rc.01
	// parse "1.2.3.4": invalid version: more than three numeric segments at offset 5 ('.') (expected [v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD] with decimal MAJOR, MINOR, PATCH)
}

func ExampleParseStrict() {
	_, err := version.ParseStrict("v1.2.3")
	fmt.Println(errors.Is(err, version.ErrInvalidVersion))
	v, err := version.ParseStrict("1.2.3-beta.2+exp.sha.5114f85")
	fmt.Println(v, err)
	// Output:
	// true
	// 1.2.3-beta.2+exp.sha.5114f85 <nil>
}

func ExampleParseConstraint() {
	c, err := version.ParseConstraint("^1.2 || ~3.1.4")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Canonical())
	for _, s := range []string{"1.9.0", "2.0.0", "3.1.9", "1.3.0-rc.1"} {
		v, _ := version.Parse(s)
		fmt.Println(s, c.Check(v))
	}
	// Output:
	// >=1.2.0 <2.0.0 || >=3.1.4 <3.2.0
	// 1.9.0 true
	// 2.0.0 false
	// 3.1.9 true
	// 1.3.0-rc.1 false
}

func ExampleParseConstraint_error() {
	_, err := version.ParseConstraint(">=1.2 <")
	var pe *version.ParseError
	fmt.Println(errors.Is(err, version.ErrInvalidConstraint), errors.As(err, &pe), pe.Input)
	// Output: true true >=1.2 <
}

func ExampleSort() {
	var vs []version.Version
	for _, s := range []string{"1.0.0+b", "v1.0.0", "1.0.0-rc.1", "1.0.0", "1.0.0+a"} {
		v, _ := version.Parse(s)
		vs = append(vs, v)
	}
	version.Sort(vs)
	for _, v := range vs {
		fmt.Print(v.Original(), " ")
	}
	fmt.Println()
	// Output: 1.0.0-rc.1 1.0.0 v1.0.0 1.0.0+a 1.0.0+b
}

func ExampleParseRevision() {
	r, err := version.ParseRevision("refs/pull/1/head@sha1:0123456789abcdef0123456789abcdef01234567")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Pointer, r.Algorithm, r.Hex)
	_, err = version.ParseRevision("main/0123456789abcdef0123456789abcdef01234567")
	fmt.Println(errors.Is(err, version.ErrInvalidRevision))
	// Output:
	// refs/pull/1/head sha1 0123456789abcdef0123456789abcdef01234567
	// true
}

func ExampleConvertLegacyRevision() {
	for _, s := range []string{
		"main/0123456789abcdef0123456789abcdef01234567",
		"0123456789abcdef0123456789abcdef01234567",
		"main@sha1:0123456789abcdef0123456789abcdef01234567",
	} {
		out, err := version.ConvertLegacyRevision(s)
		fmt.Println(out, err)
	}
	// Output:
	// main@sha1:0123456789abcdef0123456789abcdef01234567 <nil>
	// sha1:0123456789abcdef0123456789abcdef01234567 <nil>
	// main@sha1:0123456789abcdef0123456789abcdef01234567 <nil>
}

func ExampleRevisionChanged() {
	changed, err := version.RevisionChanged(
		"main/0123456789abcdef0123456789abcdef01234567",        // stored by an older controller
		"v1.0.0@sha1:0123456789abcdef0123456789abcdef01234567", // same commit, reached by a tag
	)
	fmt.Println(changed, err)
	// Output: false <nil>
}

func ExampleNewVerifyingReader() {
	const expected = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // "hello"
	r, err := version.NewVerifyingReader(strings.NewReader("hellO"), expected)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = io.Copy(io.Discard, r)
	var mismatch *version.DigestMismatchError
	fmt.Println(errors.Is(err, version.ErrDigestMismatch), errors.As(err, &mismatch))
	fmt.Println(mismatch.Actual)
	// Output:
	// true true
	// sha256:04a6f55face2f46be8c23f627d539827615851e10751b63ec59db6d2c706b770
}

func ExampleNewDigestingWriter() {
	w, err := version.NewDigestingWriter(nil, version.SHA256)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = io.WriteString(w, "hello")
	fmt.Println(w.Digest(), w.Size())
	// Output: sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 5
}

func ExampleInfo_UserAgent() {
	info := version.Info{Version: "v1.2.3", Commit: "abc1234def5678", Platform: "linux/amd64"}
	fmt.Println(info.UserAgent("source-controller"))
	// Output: source-controller/v1.2.3 (linux/amd64) commit/abc1234
}
