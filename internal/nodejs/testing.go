package nodejs

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Require installs packages (see Install) for a test, or skips the test with
// the reason when npm is missing or the registry cannot be reached. With
// CI=true a failed install fails the test instead: CI reaches npm, so a
// skip there would hide a broken suite.
func Require(t testing.TB, packages ...string) *Env {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		skipOrFail(t, "npm is not on PATH: %v", err)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	env, err := Install(ctx, os.Getenv("WAKUPM_NODEJS_CACHE"), packages...)
	if err != nil {
		skipOrFail(t, "cannot install Node.js packages (is the npm registry reachable?): %v", err)
		return nil
	}
	return env
}

func skipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}
