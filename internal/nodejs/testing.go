package nodejs

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Require installs packages (see Install) for a test, or skips the test with
// the reason when npm is missing or the install fails (registry not
// reachable): the only case in which a js-waku test may skip.
func Require(t testing.TB, packages ...string) *Env {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skipf("nodejs: npm is not on PATH: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env, err := Install(ctx, os.Getenv("WAKUPM_NODEJS_CACHE"), packages...)
	if err != nil {
		t.Skipf("cannot install Node.js packages (is the npm registry reachable?): %v", err)
	}
	return env
}
