package jswaku

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/wakupm/wakupm/internal/nodejs"
)

// Script is driver.mjs.
//
//go:embed driver.mjs
var Script []byte

//go:embed package.json
var packageJSON []byte

// Packages returns the npm packages the driver needs, as exact specs
// ("@waku/enr@0.0.33"), from package.json. Node.js itself is not among
// them: nodejs.Install always adds it.
func Packages() ([]string, error) {
	var p struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(packageJSON, &p); err != nil {
		return nil, fmt.Errorf("jswaku: package.json: %w", err)
	}
	var specs []string
	for name, version := range p.Dependencies {
		specs = append(specs, name+"@"+version)
	}
	slices.Sort(specs)
	return specs, nil
}

// Install installs Node.js 22 and the driver's packages under cacheDir (""
// for the user cache, see nodejs.Install), stores the driver there and
// returns the command that starts it, for conformance.StartRemote or the
// runner's -driver flag.
func Install(ctx context.Context, cacheDir string) (command string, err error) {
	pkgs, err := Packages()
	if err != nil {
		return "", err
	}
	env, err := nodejs.Install(ctx, cacheDir, pkgs...)
	if err != nil {
		return "", err
	}
	return Command(env)
}

// Command stores the driver in an installed environment and returns the
// command that starts it.
func Command(env *nodejs.Env) (string, error) {
	path, err := env.WriteScript("conformance-driver.mjs", Script)
	if err != nil {
		return "", err
	}
	return shellQuote(env.Node) + " " + shellQuote(path), nil
}

// shellQuote quotes s for sh -c.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
