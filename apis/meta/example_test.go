package meta_test

import (
	"errors"
	"fmt"

	"github.com/sluice-dev/sluice/apis/meta"
)

func ExampleValidateRevision() {
	for _, rev := range []string{
		"main@sha1:4b825dc642cb6eb9a060e54bf8d69288fbee4904",
		"v1.0.0@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"main@sha1:4B825DC6",
		"main",
	} {
		fmt.Println(meta.ValidateRevision(rev))
	}
	// Output:
	// <nil>
	// <nil>
	// validate artifact revision "main@sha1:4B825DC6": sha1 wants 40 hex characters, got 8: invalid revision
	// validate artifact revision "main": want <algorithm>:<hex>: invalid revision
}

func ExampleArtifact_Validate() {
	a := &meta.Artifact{
		Revision: "main@sha1:4b825dc642cb6eb9a060e54bf8d69288fbee4904",
		Digest:   "sha1:4b825dc642cb6eb9a060e54bf8d69288fbee4904",
		URL:      "http://source-controller/gitrepository/default/app/latest.tar.gz",
		Path:     "gitrepository/default/app/latest.tar.gz",
	}
	err := a.Validate()
	var ae *meta.ArtifactError
	if errors.As(err, &ae) {
		fmt.Println(ae.Field, "->", ae.Reason)
	}
	fmt.Println(errors.Is(err, meta.ErrInvalidDigest))
	// Output:
	// digest -> sha1 is not allowed, use sha256, sha384 or sha512
	// true
}

func ExampleReconcileRequested() {
	var status meta.ReconcileRequestStatus
	annotations := map[string]string{meta.ReconcileRequestAnnotation: "2026-11-24T01:00:00Z"}

	// The first reconcile after the user annotated the object handles the
	// request and records its token.
	if token, ok := meta.ReconcileRequested(annotations, status.GetLastHandledReconcileRequest()); ok {
		fmt.Println("reconcile now, token", token)
		status.SetLastHandledReconcileRequest(token)
	}
	// Later reconciles see the same token and do nothing special.
	_, ok := meta.ReconcileRequested(annotations, status.GetLastHandledReconcileRequest())
	fmt.Println("still requested:", ok)
	// Output:
	// reconcile now, token 2026-11-24T01:00:00Z
	// still requested: false
}

func ExampleForceRequested() {
	annotations := map[string]string{
		meta.ReconcileRequestAnnotation: "t2",
		meta.ForceRequestAnnotation:     "t2",
	}
	_, force := meta.ForceRequested(annotations, "t1")
	fmt.Println("force:", force)

	// A later plain request leaves the old force token behind: no force.
	annotations[meta.ReconcileRequestAnnotation] = "t3"
	_, force = meta.ForceRequested(annotations, "t2")
	fmt.Println("force:", force)
	// Output:
	// force: true
	// force: false
}
