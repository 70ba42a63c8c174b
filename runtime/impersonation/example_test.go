package impersonation_test

import (
	"context"
	"fmt"

	"k8s.io/client-go/rest"

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
