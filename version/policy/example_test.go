package policy_test

import (
	"errors"
	"fmt"

	"github.com/sluice-dev/sluice/version/policy"
)

func Example() {
	tags := []string{"v1.2.0", "v1.10.0", "v2.0.0-rc.1", "latest", "v1.9.3"}
	p, err := policy.New(policy.Options{Range: "^1.2"})
	if err != nil {
		fmt.Println(err)
		return
	}
	tag, err := p.Latest(tags)
	fmt.Println(tag, err)
	// Output: v1.10.0 <nil>
}

func ExampleNew_numerical() {
	tags := []string{"main-3f2a9c1-1718000000", "main-9b0c2d4-1718000300", "main-77aa001-999", "v1.0.0"}
	p, err := policy.New(policy.Options{
		Kind:    policy.Numerical,
		Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`,
		Extract: "$ts",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tag, err := p.Latest(tags)
	fmt.Println(tag, err)
	// Output: main-9b0c2d4-1718000300 <nil>
}

func ExampleNew_missingGroup() {
	_, err := policy.New(policy.Options{
		Kind:    policy.Numerical,
		Pattern: `^main-[a-f0-9]+-(?P<ts>[0-9]+)$`,
		Extract: "$timestamp",
	})
	var mg *policy.MissingGroupError
	fmt.Println(errors.As(err, &mg), errors.Is(err, policy.ErrInvalidPolicy))
	fmt.Println(err)
	// Output:
	// true true
	// new policy: invalid image policy: extract "$timestamp": pattern "^main-[a-f0-9]+-(?P<ts>[0-9]+)$" has no group "timestamp"
}

func ExamplePolicy_Latest_noMatch() {
	p, err := policy.New(policy.Options{Kind: policy.Alphabetical, Order: policy.Descending, Pattern: `^release-`})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = p.Latest([]string{"latest", "main"})
	fmt.Println(errors.Is(err, policy.ErrNoMatch))
	fmt.Println(err)
	// Output:
	// true
	// latest of 2 tags by alphabetical desc, pattern "^release-": no tag matches the policy
}
