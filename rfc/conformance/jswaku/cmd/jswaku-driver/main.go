// Command jswaku-driver installs Node.js 22 and the pinned js-waku packages
// (first run: about 30 s, from npm) and runs the js-waku conformance driver
// on standard input and output, so that the runner can play the suite
// against js-waku's own code:
//
//	go run ./rfc/conformance/cmd/conformance -driver "$(go run ./rfc/conformance/jswaku/cmd/jswaku-driver -print-command)"
//
// -print-command installs, prints the command that starts the driver and
// exits; the runner then starts node directly, within the protocol's 10 s
// hello timeout even on the first run. Without it the command replaces
// itself with the driver.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/wakupm/wakupm/rfc/conformance/jswaku"
)

func main() {
	printCommand := flag.Bool("print-command", false, "install, print the driver's command line and exit")
	cache := flag.String("cache", os.Getenv("WAKUPM_NODEJS_CACHE"), "install directory (default: the user cache directory)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	command, err := jswaku.Install(ctx, *cache)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "jswaku-driver:", err)
		os.Exit(1)
	}
	if *printCommand {
		fmt.Println(command)
		return
	}
	sh, err := exec.LookPath("sh")
	if err == nil {
		err = syscall.Exec(sh, []string{"sh", "-c", "exec " + command}, os.Environ())
	}
	fmt.Fprintln(os.Stderr, "jswaku-driver:", err)
	os.Exit(1)
}
