package layers_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/wakupm/wakupm"

// pure lists the pure core packages: each may import only the standard
// library and the other packages of this list, so that a node on another
// libp2p version (go-waku and status-go pin go-libp2p v0.39.1 and a fork of
// go-libp2p-pubsub v0.13) can drive the cores through a shell of its own.
var pure = []string{
	"peerid",
	"protocols",
	"shardmesh",
	"slots",
	"peermanager/book",
	"peermanager/relay",
	"peermanager/selection",
}

type listed struct {
	ImportPath string
	Standard   bool
	Deps       []string
	DepsErrors []struct{ Err string }
	Error      *struct{ Err string }
}

// goList runs `go list -deps -json` on the packages and returns every package
// it printed, dependencies included.
func goList(t *testing.T, pkgs ...string) map[string]listed {
	t.Helper()
	return goListFlags(t, nil, pkgs...)
}

func goListFlags(t *testing.T, flags []string, pkgs ...string) map[string]listed {
	t.Helper()
	statSources(t)
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the layering tests run go list: put the go command on PATH: %v", err)
	}
	args := append([]string{"list", "-deps", "-json=ImportPath,Standard,Deps,Error,DepsErrors"}, flags...)
	args = append(args, pkgs...)
	cmd := exec.Command(gobin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(pkgs, " "), err, stderr.String())
	}
	all := make(map[string]listed)
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		all[p.ImportPath] = p
	}
	return all
}

func full(rel string) string { return module + "/" + rel }

func TestPureCoresImportOnlyStdAndPureCores(t *testing.T) {
	var args []string
	allowed := make(map[string]bool)
	for _, p := range pure {
		args = append(args, full(p))
		allowed[full(p)] = true
	}
	all := goList(t, args...)
	for _, p := range pure {
		pkg, ok := all[full(p)]
		if !ok {
			t.Fatalf("go list did not report %s", full(p))
		}
		var bad []string
		for _, d := range pkg.Deps {
			if dep := all[d]; dep.Standard || allowed[d] {
				continue
			}
			bad = append(bad, d)
		}
		if len(bad) > 0 {
			t.Errorf("pure package %s depends on %d non-pure packages (only the standard library and %v are allowed):\n  %s",
				p, len(bad), pure, strings.Join(bad, "\n  "))
		}
	}
}

// A light client that imports only the selector shell must not link the
// relay manager, discv5 or Prometheus (the layering issue's acceptance).
func TestSelectorShellLinksNoRelayDiscoveryOrPrometheus(t *testing.T) {
	sel := full("peermanager/selector")
	all := goList(t, sel)
	forbidden := []string{
		full("peermanager"),                // the relay Manager shell
		full("peermanager/relay"),          // the relay core
		full("peermanager/discovery"),      // discv5 and peer-exchange adapters
		"github.com/ethereum/go-ethereum/", // enrpeer.AddENR is apart for this
		"github.com/prometheus/",
		"github.com/libp2p/go-libp2p-pubsub",
	}
	deps := all[sel].Deps
	for _, f := range forbidden {
		exact := !strings.HasSuffix(f, "/")
		if slices.ContainsFunc(deps, func(d string) bool {
			if exact {
				return d == f
			}
			return strings.HasPrefix(d, f)
		}) {
			t.Errorf("%s links %s", sel, f)
		}
	}
}

// The own-shell test drives the Tracker and the relay Core as a node on
// another libp2p would: it and everything it links, tests included, must be
// pure (rule 5 of the layering issue).
func TestOwnShellTestLinksNoNetworkStack(t *testing.T) {
	own := full("internal/ownshell")
	allowed := make(map[string]bool)
	for _, p := range pure {
		allowed[full(p)] = true
	}
	all := goListFlags(t, []string{"-test"}, own)
	for path, p := range all {
		if p.Standard || allowed[path] || strings.HasPrefix(path, own) {
			continue
		}
		t.Errorf("%s's test links %s", own, path)
	}
}

// statSources stats every Go file of the module, so that go test's result
// cache (which records the files a test stats or opens) reruns these tests
// when any import anywhere changes; go list's own reads are not recorded.
func statSources(t *testing.T) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The examples' network decoders live in packages of their own so that CI
// fuzzes them without an instrumented build of the libp2p tree (minutes on
// 2 cores): they and their tests must not link libp2p.
func TestExampleDecodersLinkNoLibp2p(t *testing.T) {
	for _, rel := range []string{"examples/qanode/restbody", "examples/lightclient/pushwire"} {
		for path := range goListFlags(t, []string{"-test"}, full(rel)) {
			if strings.HasPrefix(path, "github.com/libp2p/") {
				t.Errorf("%s or its test links %s", rel, path)
			}
		}
	}
}
