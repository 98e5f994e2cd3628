package jswaku_test

import (
	"fmt"

	"github.com/wakupm/wakupm/rfc/conformance/jswaku"
)

// The published js-waku packages the driver runs.
func ExamplePackages() {
	pkgs, err := jswaku.Packages()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range pkgs {
		fmt.Println(p)
	}
	// Output:
	// @waku/core@0.0.40
	// @waku/enr@0.0.33
	// @waku/proto@0.0.15
	// @waku/utils@0.0.27
}
