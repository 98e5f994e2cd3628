package nodejs

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestInstalledNodeRunsAScript(t *testing.T) {
	if testing.Short() {
		t.Skip("installs Node.js from npm; skipped with -short")
	}
	env := Require(t)
	script, err := env.WriteScript("version.mjs", []byte("console.log(process.versions.node)\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := env.Command(ctx, script).Output()
	if err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
	if v := strings.TrimSpace(string(out)); !strings.HasPrefix(v, "22.") {
		t.Fatalf("node version = %q, want 22.x", v)
	}
}
