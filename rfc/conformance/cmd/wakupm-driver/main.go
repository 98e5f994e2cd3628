// Command wakupm-driver serves the conformance driver protocol
// (rfc/conformance/PROTOCOL.md) on its standard input and output for the
// built-in profiles: wakupm, rfc and the nwaku, go-waku and js-waku
// presets. It owns no policy: it forwards requests to the pure cores.
package main

import (
	"fmt"
	"os"

	"github.com/wakupm/wakupm/rfc/conformance"
)

func main() {
	if err := conformance.BuiltinServer().Serve(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wakupm-driver:", err)
		os.Exit(1)
	}
}
