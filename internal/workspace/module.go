package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// ModuleSuffix follows the tutorial's module path to make the workspace's:
// github.com/bgtasks/tutorial/learn. Being under the tutorial's path, the
// workspace may import the tutorial's internal packages.
const ModuleSuffix = "/learn"

// goMod is what go mod edit -json says of a go.mod.
type goMod struct {
	Module    struct{ Path string }
	Go        string
	Toolchain string
	Require   []struct{ Path, Version string }
	Replace   []struct {
		Old struct{ Path, Version string }
		New struct{ Path, Version string }
	}
}

// Prepare makes the workspace's folder and writes its go.mod and go.sum,
// derived from the repository's, wherever they differ from what they should
// be. They are the tutor's files, not the learner's: rewriting them on each
// use keeps them in step with the course and repairs any edit that broke
// them.
//
// The go.mod requires the tutorial's module and replaces it with the
// repository's folder, and lists the repository's requirements, all as
// indirect, at the same versions; go.sum is the repository's. So nothing
// needs downloading that building the tutor did not already download, and
// a check works offline.
func (w *Workspace) Prepare() error {
	mod, err := w.goMod()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return err
	}
	sum, err := os.ReadFile(filepath.Join(w.root, "go.sum"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for name, want := range map[string][]byte{"go.mod": mod, "go.sum": sum} {
		path := w.Path(name)
		if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, want) {
			continue
		}
		if err := writeFile(path, want); err != nil {
			return fmt.Errorf("writing %s: %w", w.Show(name), err)
		}
	}
	return nil
}

// Repair is Prepare for a workspace that exists; it makes none. The tutor
// calls it whenever it opens the workspace: a learner who deleted go.mod
// would otherwise see go test ./... at the repository's root take the
// lessons' folders for part of the tutorial's module, and fail on their
// half-done code.
func (w *Workspace) Repair() error {
	if fi, err := os.Stat(w.dir); err != nil || !fi.IsDir() {
		return nil
	}
	return w.Prepare()
}

// modCache keeps each workspace's go.mod by the repository's, so that
// Repair, called on every request of the site, costs two file reads.
var modCache sync.Map // modKey -> []byte

type modKey struct{ dir, rootMod string }

// goMod returns the workspace's go.mod.
func (w *Workspace) goMod() ([]byte, error) {
	rootMod, err := os.ReadFile(filepath.Join(w.root, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("reading the tutorial's go.mod: %w", err)
	}
	key := modKey{w.dir, string(rootMod)}
	if b, ok := modCache.Load(key); ok {
		return b.([]byte), nil
	}
	b, err := w.makeGoMod()
	if err != nil {
		return nil, err
	}
	modCache.Store(key, b)
	return b, nil
}

// makeGoMod derives the workspace's go.mod from the repository's.
func (w *Workspace) makeGoMod() ([]byte, error) {
	cmd := exec.Command("go", "mod", "edit", "-json", filepath.Join(w.root, "go.mod"))
	cmd.Dir = w.root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("reading the tutorial's go.mod: %v %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	var root goMod
	if err := json.Unmarshal(out, &root); err != nil {
		return nil, fmt.Errorf("reading the tutorial's go.mod: %w", err)
	}

	var b bytes.Buffer
	b.WriteString("// This file is the tutor's: it rewrites it from the tutorial's go.mod before\n")
	b.WriteString("// every check. Your code goes in the lessons' folders beside it.\n")
	fmt.Fprintf(&b, "module %s\n\ngo %s\n", root.Module.Path+ModuleSuffix, root.Go)
	if root.Toolchain != "" {
		fmt.Fprintf(&b, "\ntoolchain %s\n", root.Toolchain)
	}
	fmt.Fprintf(&b, "\nrequire %s v0.0.0\n", root.Module.Path)
	if len(root.Require) > 0 {
		b.WriteString("\nrequire (\n")
		for _, r := range root.Require {
			fmt.Fprintf(&b, "\t%s %s // indirect\n", r.Path, r.Version)
		}
		b.WriteString(")\n")
	}
	fmt.Fprintf(&b, "\nreplace %s => %s\n", root.Module.Path, modPath(w.relative(w.root)))
	for _, r := range root.Replace {
		old := r.Old.Path
		if r.Old.Version != "" {
			old += " " + r.Old.Version
		}
		repl := r.New.Path
		if r.New.Version != "" {
			repl += " " + r.New.Version
		} else if isLocal(repl) {
			// A folder named relative to the repository, named again
			// relative to the workspace.
			repl = modPath(w.relative(filepath.Join(w.root, filepath.FromSlash(repl))))
		}
		fmt.Fprintf(&b, "replace %s => %s\n", old, repl)
	}
	return b.Bytes(), nil
}

// relative names path from the workspace: relative if the path is in the
// same tree, which keeps the workspace working when the repository moves.
func (w *Workspace) relative(path string) string {
	rel, err := filepath.Rel(w.dir, path)
	if err != nil {
		return path
	}
	rel = filepath.ToSlash(rel)
	if rel != ".." && !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	return rel
}

func isLocal(p string) bool {
	return filepath.IsAbs(p) || p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../")
}

// modPath quotes p for a go.mod if it needs quotes.
func modPath(p string) string {
	if strings.ContainsAny(p, " \t\"'`\\") {
		return strconv.Quote(p)
	}
	return p
}
