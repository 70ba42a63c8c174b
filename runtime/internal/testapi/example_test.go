package testapi_test

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/sluice-dev/sluice/runtime/internal/testapi"
)

func ExampleAddToScheme() {
	s := runtime.NewScheme()
	if err := testapi.AddToScheme(s); err != nil {
		fmt.Println(err)
		return
	}
	gvks, _, err := s.ObjectKinds(&testapi.Widget{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(gvks[0])
	// Output:
	// test.sluice.dev/v1alpha1, Kind=Widget
}
