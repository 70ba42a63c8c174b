package acl_test

import (
	"fmt"

	"github.com/sluice-dev/sluice/apis/acl"
)

func ExampleAccessFrom_Selects() {
	access := &acl.AccessFrom{NamespaceSelectors: []acl.NamespaceSelector{
		{MatchLabels: map[string]string{"team": "payments"}},
	}}
	fmt.Println(access.Selects(map[string]string{"team": "payments", "env": "prod"}))
	fmt.Println(access.Selects(map[string]string{"team": "search"}))

	var none *acl.AccessFrom
	fmt.Println(none.Selects(map[string]string{"team": "payments"}))

	all := &acl.AccessFrom{NamespaceSelectors: []acl.NamespaceSelector{{}}}
	fmt.Println(all.Selects(nil))
	// Output:
	// true
	// false
	// false
	// true
}
