package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var restURLLine = regexp.MustCompile(`(node-\d+) (owner|relay) of shard (\d+) \(and shard 32\): page (\S+)/ REST (\S+) `)

// TestCommunitiesCommand starts "qanode communities" with 4 nodes on 2
// community shards, checks the printed URLs answer, that each node is on
// shard 32 and its community's protected shard (owners can sign), that the
// keys file holds both key pairs, and that cancelling stops every node
// (goleak in TestMain checks that nothing is left running).
func TestCommunitiesCommand(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- runMain(ctx, []string{"communities", "-nodes", "4", "-communities", "2", "-first-shard", "300", "-keys-out", keys}, &out, &errOut)
	}()
	eventually(t, 20*time.Second, "the command prints that it runs", func() bool { return strings.Contains(out.String(), "running 4 nodes") })
	lines := restURLLine.FindAllStringSubmatch(out.String(), -1)
	if len(lines) != 4 {
		t.Fatalf("want 4 node lines, got:\n%s", out.String())
	}
	for i, l := range lines {
		wantShard, wantRole := []string{"300", "301"}[i%2], []string{"owner", "relay"}[i/2]
		if l[2] != wantRole || l[3] != wantShard || l[4] != l[5] {
			t.Errorf("line %q: want %s of shard %s, page and REST on one address", l[0], wantRole, wantShard)
		}
		var h healthJSON
		getJSON(t, l[5]+"/health", &h)
		if len(h.Shards) != 2 || h.Shards[0].Shard != 32 || h.Shards[1].Shard != 300+uint16(i%2) || !h.Shards[1].Protected ||
			h.Shards[1].CanSign != (i < 2) || h.Shards[0].Protected {
			t.Errorf("%s /health: %+v", l[1], h.Shards)
		}
		resp, err := http.Get(l[4] + "/")
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s page: %v %v", l[1], err, resp)
		} else {
			resp.Body.Close()
		}
	}
	eventually(t, 15*time.Second, "node-4 has node-2 (same community) in its mesh of shard 301", func() bool {
		var h healthJSON
		getJSON(t, lines[3][5]+"/health", &h)
		return h.Shards[1].MeshPeers >= 1
	})
	var comms []community
	raw, err := os.ReadFile(keys)
	if err != nil || json.Unmarshal(raw, &comms) != nil || len(comms) != 2 || comms[1].Shard != 301 || !strings.HasPrefix(comms[0].PrivateKey, "0x") {
		t.Errorf("keys file: %v %s", err, raw)
	}
	if fi, err := os.Stat(keys); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("keys file mode %v, want 0600", fi.Mode().Perm())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the command did not stop within 15 s of the cancellation")
	}
	if !strings.Contains(out.String(), "stopping 4 nodes") {
		t.Errorf("output: %s", out.String())
	}
}

// TestCommunitiesFlagsRefused checks the command refuses impossible sets.
func TestCommunitiesFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-nodes", "1", "-communities", "2"},
		{"-communities", "0"},
		{"-first-shard", "30", "-communities", "4"},
		{"-first-shard", "1023", "-communities", "2"},
		{"-nodes", "101"},
		{"extra"},
	} {
		var errOut bytes.Buffer
		if code := runMain(context.Background(), append([]string{"communities"}, args...), io.Discard, &errOut); code != 2 || errOut.Len() == 0 {
			t.Errorf("communities %v: exit %d, stderr %q; want 2 with a message", args, code, errOut.String())
		}
	}
}
