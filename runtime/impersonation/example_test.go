package impersonation_test

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/client-go/rest"

	"github.com/sluice-dev/sluice/apis/meta"
	"github.com/sluice-dev/sluice/runtime/impersonation"
)

func ExampleImpersonator_Config() {
	// The controller's own config; with no kubeconfig Secret involved, no
	// I/O happens and no reader is needed.
	controller := &rest.Config{Host: "https://kubernetes.default.svc"}
	imp := impersonation.New(controller, nil, impersonation.WithDefaultServiceAccount("default"))

	cfg, err := imp.Config(context.Background(), "team-a", impersonation.ClientOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Impersonate.UserName)
	fmt.Println(cfg.Impersonate.Groups)
	// Output:
	// system:serviceaccount:team-a:default
	// [system:serviceaccounts system:serviceaccounts:team-a]
}

func ExampleClientOptions() {
	imp := impersonation.New(&rest.Config{Host: "https://kubernetes.default.svc"}, nil)

	// The API type objects carry. Its rules are the API's: the Secret's
	// name and the key are both required, so a reference without a key is
	// refused before anything is read.
	ref := &meta.KubeConfigReference{SecretRef: meta.SecretKeyReference{Name: "remote"}}
	_, err := imp.Config(context.Background(), "team-a", impersonation.ClientOptions{KubeConfig: ref})
	fmt.Println(errors.Is(err, impersonation.ErrInvalidKubeConfigReference))
	fmt.Println(err)
	// Output:
	// true
	// read kubeconfig from secret team-a/remote key "": invalid kubeconfig reference: empty key
}
