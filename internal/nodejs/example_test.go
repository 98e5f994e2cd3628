package nodejs_test

import (
	"context"
	"fmt"

	"github.com/wakupm/wakupm/internal/nodejs"
)

// Install Node 22 with js-waku, store a script where its imports resolve and
// run it. (No Output line: it needs the npm registry.)
func Example() {
	ctx := context.Background()
	env, err := nodejs.Install(ctx, "", "@waku/sdk@0.0.36")
	if err != nil {
		fmt.Println(err)
		return
	}
	script, err := env.WriteScript("hello.mjs", []byte(`import { createLightNode } from "@waku/sdk"; console.log(typeof createLightNode)`))
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := env.Command(ctx, script).Output()
	fmt.Println(string(out), err)
}
