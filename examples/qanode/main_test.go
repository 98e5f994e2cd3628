package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/wakupm/wakupm/shardmesh/protected"
)

func TestFlagsRefused(t *testing.T) {
	key, _ := protected.GenerateKey()
	other, _ := protected.GenerateKey()
	for _, args := range [][]string{
		{"-shard", "1024"},
		{"-shard", "x"},
		{"-cluster", "70000"},
		{"-listen", "not-a-multiaddr"},
		{"-peer", "/ip4/127.0.0.1/tcp/1"},
		{"-protected-shard", "32"},
		{"-protected-shard", "32:0x1234"},
		{"-shard-signing-key", "32:zz"},
		{"-protected-shard", "32:" + key.Public().Hex(), "-shard-signing-key", "32:" + other.Hex()},
		{"-protected-shard-previous", "32:" + key.Public().Hex()},
		{"-protected-shard-previous", "32:" + key.Public().Hex() + ":0s"},
		{"-protected-shard-previous", "32:" + key.Public().Hex() + ":25h"},
		{"-protected-shard-previous", "32:0x1234:10m"},
		{"-protected-shard-previous", "32:" + key.Public().Hex() + ":10m"}, // no current key
		{"-protected-shard", "32:" + key.Public().Hex(), "-protected-shard-previous", "32:" + key.Public().Hex() + ":10m"},
		{"-max-connections", "0"},
		{"-nodekey", "0x12", "-rest", "127.0.0.1:0", "-listen", "/ip4/127.0.0.1/tcp/0"},
		{"extra"},
	} {
		var stderr bytes.Buffer
		if code := runMain(context.Background(), args, io.Discard, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, stderr.String())
		}
	}
	var stderr bytes.Buffer
	if code := runMain(context.Background(), []string{"-max-connections", "10", "-rest", "127.0.0.1:0"}, io.Discard, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "raise maxConns") {
		t.Errorf("budget too small: exit %d, %q", code, stderr.String())
	}
}

func TestGenKey(t *testing.T) {
	var out bytes.Buffer
	if code := runMain(context.Background(), []string{"-genkey"}, &out, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var kp map[string]string
	if err := json.Unmarshal(out.Bytes(), &kp); err != nil {
		t.Fatal(err)
	}
	priv, err := protected.ParsePrivateKey(kp["privateKey"])
	if err != nil {
		t.Fatal(err)
	}
	if priv.Public().Hex() != kp["publicKey"] {
		t.Fatalf("public key %s does not match the private key", kp["publicKey"])
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var restLine = regexp.MustCompile(`REST API on (http://\S+)`)

// TestRunUntilCancelled runs the command in-process with flags for every
// startup option, reads the REST address it prints, checks the flags took
// effect, then cancels it (what SIGINT does in main) and expects exit 0.
func TestRunUntilCancelled(t *testing.T) {
	key, _ := protected.GenerateKey()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout syncBuffer
	done := make(chan int, 1)
	nodeKey := strings.Repeat("01", 32)
	go func() {
		done <- runMain(ctx, []string{"-listen", "/ip4/127.0.0.1/tcp/0", "-rest", "127.0.0.1:0", "-cluster", "16",
			"-shard", "32", "-shard", "64", "-shard-signing-key", "32:" + key.Hex(), "-log-level", "warn",
			"-nodekey", nodeKey}, &stdout, io.Discard)
	}()
	var base string
	eventually(t, 10*time.Second, "REST address printed", func() bool {
		m := restLine.FindStringSubmatch(stdout.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	var info infoJSON
	getJSON(t, base+"/info", &info)
	if want := peerIDOf(t, nodeKey); info.PeerID != want || info.Cluster != 16 {
		t.Fatalf("info %+v; want peer id %s from -nodekey", info, want)
	}
	var health healthJSON
	getJSON(t, base+"/health", &health)
	if len(health.Shards) != 2 || !health.Shards[0].CanSign || health.Shards[1].Protected || health.NodeHealth != "unhealthy" {
		t.Fatalf("health: %+v", health)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop within 10 s of cancellation")
	}
	if !strings.Contains(stdout.String(), "listening on /ip4/127.0.0.1/tcp/") {
		t.Fatalf("stdout: %s", stdout.String())
	}
}

func peerIDOf(t *testing.T, hexKey string) string {
	t.Helper()
	key, err := identity(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return id.String()
}

func getJSON(t *testing.T, url string, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// TestSIGINT runs the command as a process and interrupts it: it must shut
// down cleanly and exit 0.
func TestSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runMainEnv+"=-listen /ip4/127.0.0.1/tcp/0 -rest 127.0.0.1:0 -shard 32")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var base string
	timeout := time.After(20 * time.Second)
	for base == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("exited before serving: %s", stderr.String())
			}
			if m := restLine.FindStringSubmatch(l); m != nil {
				base = m[1]
			}
		case <-timeout:
			t.Fatalf("no REST address within 20 s: %s", stderr.String())
		}
	}
	var info infoJSON
	getJSON(t, base+"/info", &info)
	if len(info.Shards) != 1 || info.Shards[0] != 32 {
		t.Fatalf("info: %+v", info)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	for range lines { // drain until the process closes stdout
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("exit after SIGINT: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still running 10 s after SIGINT")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Fatalf("stderr: %s", stderr.String())
	}
}
