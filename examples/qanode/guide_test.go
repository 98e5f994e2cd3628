package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// guideBlock matches a fenced sh block of a guide.
var guideBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// guideScript is the sh blocks of a guide, in order, as one bash script;
// each block starts with an echo of a marker so that a failure names its
// block.
func guideScript(doc string) (string, int) {
	var b strings.Builder
	b.WriteString("set -euo pipefail\n")
	blocks := guideBlock.FindAllStringSubmatch(doc, -1)
	for i, m := range blocks {
		fmt.Fprintf(&b, "echo '--- block %d'\n%s", i+1, m[1])
	}
	return b.String(), len(blocks)
}

// needTool finds a command-line tool, installing its Debian package when
// it is missing and the test runs as root; "" when it cannot be had.
func needTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if _, err := exec.LookPath("apt-get"); err == nil && os.Geteuid() == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "apt-get", "install", "-y", "--no-install-recommends", name).CombinedOutput(); err != nil {
			t.Logf("apt-get install %s: %v\n%s", name, err, lastLines(string(out), 5))
		}
	}
	p, _ := exec.LookPath(name)
	return p
}

// freePorts returns n TCP ports that were free on 127.0.0.1 a moment ago.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// TestCommunityGuide runs every sh block of COMMUNITY.md, as written, in
// one bash shell from the repository's root: it only replaces the guide's
// ports and /tmp/community with free ones. The guide builds qanode, makes
// the owner's key pair, starts two protected relays, the owner's node and
// a third node, publishes, sends an unsigned and a replayed message, reads
// health and bandwidth, rotates the key with a window where the old key is
// still accepted, shows the leaked key refused after it, and stops the
// nodes; the test checks the outputs the guide shows.
func TestCommunityGuide(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short: builds qanode and runs four nodes")
	}
	for _, tool := range []string{"bash", "curl", "jq", "base64"} {
		if needTool(t, tool) == "" {
			t.Skipf("skipping: %s is not installed and could not be installed", tool)
		}
	}
	doc, err := os.ReadFile("COMMUNITY.md")
	if err != nil {
		t.Fatal(err)
	}
	script, blocks := guideScript(string(doc))
	if blocks < 10 {
		t.Fatalf("COMMUNITY.md has %d sh blocks, want the 8 steps (3 blocks in step 7)", blocks)
	}
	dir := t.TempDir()
	script = strings.ReplaceAll(script, "/tmp/community", dir)
	ports := freePorts(t, 8)
	for i, old := range []string{"8651", "8652", "8653", "8654", "60011", "60012", "60013", "60014"} {
		script = strings.ReplaceAll(script, old, strconv.Itoa(ports[i]))
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := runGuide(t, root, script, 120*time.Second)
	for _, want := range []string{
		`"signed": true`,
		`{"payload":"welcome to the community","from":"16Uiu2`,
		`{"accepted":1,"rejected":{"bad_meta_length":1},"ignored":{"replay":1}}`,
		`{"shard":200,"health":"`,
		`"protected":true,"canSign":false`,
		`{"data":`,
		`"previousKeyAcceptedUntil": "20`,
		`{"canSign":true,"publicKey":"0x04`,
		"\"old key, within the window\"\n\"new key\"\n",
		`{"accepted":3,"acceptedPreviousKey":1}`,
		`{"accepted":3,"acceptedPreviousKey":1,"rejected":{"bad_meta_length":1,"bad_signature":1}}` + "\n2\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the guide's output lacks %s", want)
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(out), fmt.Sprintf("--- block %d\n4", blocks)) {
		t.Errorf("the guide's last block: want the 4 nodes shut down cleanly")
	}
}

// runGuide runs script with bash in dir, in its own process group (killed
// whole on timeout or failure, so that no node outlives the test), and
// returns its output.
func runGuide(t *testing.T, dir, script string, timeout time.Duration) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // nodes left by a failed block
	}
	t.Logf("the guide's output:\n%s", out.String())
	if err != nil {
		t.Fatalf("the guide's commands failed: %v", err)
	}
	return out.String()
}
