package nodejs

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// WriteScript stores src as Dir/scripts/name, where its imports of the
// installed packages resolve, and returns its path. Tests of several
// packages may write the same name: the content is replaced atomically.
func (e *Env) WriteScript(name string, src []byte) (string, error) {
	dir := filepath.Join(e.Dir, "scripts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("nodejs: script dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, name+".*")
	if err != nil {
		return "", fmt.Errorf("nodejs: write script %s: %w", name, err)
	}
	if _, err := tmp.Write(src); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", fmt.Errorf("nodejs: write script %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("nodejs: write script %s: %w", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("nodejs: write script %s: %w", name, err)
	}
	return path, nil
}

// Command returns a command that runs script with Node 22; the caller owns
// its stdin, stdout, stderr and lifetime (ctx kills it).
func (e *Env) Command(ctx context.Context, script string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, e.Node, append([]string{script}, args...)...)
	cmd.Dir = e.Dir
	return cmd
}
