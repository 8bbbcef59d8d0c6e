package check

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// appPackage is the package whose notification.go each run replaces with a
// copy of the app: the package the learner's test builds the app from.
const appPackage = "github.com/bgtasks/tutorial/lessons/05-testing"

// An overlay is a go build -overlay file's Replace map: each path names
// the file whose content the build uses instead, or "" for a file deleted.
type overlay map[string]string

// outerOverlay returns the overlay the go command that built this test was
// given through GOFLAGS, or nil. A check run under an overlay (the solution
// in the starter's place, say) must run the learner's test as built there:
// its own go test runs read the files on disk unless they are given the
// same overlay. An overlay given on the command line cannot be seen here.
func outerOverlay() (overlay, error) {
	var file string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if v, ok := strings.CutPrefix(strings.TrimLeft(f, "-"), "overlay="); ok {
			file = v
		}
	}
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the overlay in GOFLAGS: %w", err)
	}
	var o struct{ Replace overlay }
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("reading the overlay in GOFLAGS: %s: %w", file, err)
	}
	return o.Replace, nil
}

// with returns a copy of o with more's entries added.
func (o overlay) with(more overlay) overlay {
	out := overlay{}
	for k, v := range o {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// write saves o as an overlay file in dir and returns its path.
func (o overlay) write(dir, name string) (string, error) {
	b, err := json.Marshal(struct{ Replace overlay }{o})
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, b, 0o644)
}

// read returns the content of path as a build under o sees it.
func (o overlay) read(path string) ([]byte, error) {
	if to, ok := o[path]; ok {
		if to == "" {
			return nil, os.ErrNotExist
		}
		return os.ReadFile(to)
	}
	return os.ReadFile(path)
}

// packageDir returns the folder of the package at importPath as go, run in
// dir, resolves it: the learner's copy of the exercise lives in a module of
// its own, which replaces the tutorial's with a folder.
func packageDir(ctx context.Context, dir, importPath string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-f", "{{.Dir}}", importPath)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list %s: %v: %s", importPath, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return strings.TrimSpace(string(out)), nil
}
