package acl_test

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/sluice-dev/sluice/runtime/acl"
)

func ExampleAuthorizer_Authorize() {
	// With the lockdown on, no I/O happens and no reader is needed.
	authz := acl.New(acl.WithNoCrossNamespaceRefs())
	target := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "shared", Name: "registry"}}

	fmt.Println(authz.Authorize(context.Background(), nil, "shared", target, nil))

	err := authz.Authorize(context.Background(), nil, "team-a", target, nil)
	var denied *acl.AccessDeniedError
	if errors.As(err, &denied) {
		fmt.Println(denied.Reason, errors.Is(err, acl.ErrAccessDenied))
	}
	// Output:
	// <nil>
	// CrossNamespaceRefsDisabled true
}
