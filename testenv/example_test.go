package testenv_test

import (
	"context"
	"fmt"

	"github.com/sluice-dev/sluice/testenv"
)

// Assets gives a folder usable as KUBEBUILDER_ASSETS by any envtest user;
// the first call on a machine builds the binaries.
func ExampleAssets() {
	dir, err := testenv.Assets(context.Background(), testenv.AssetsOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("KUBEBUILDER_ASSETS=" + dir)
}
