// Package workspace keeps the learner's work apart from the course, as
// rustlings does. The course's files are tracked and never change as the
// learner works; the learner's copies of the exercises live in a folder of
// their own, learn/ in the repository by default, ignored by git.
//
// The workspace is a Go module of its own, DefaultModule, that requires and
// replaces the tutorial's module: an editor's gopls works in it, its packages
// may import the tutorial's (internal ones too, by the path prefix), and
// go test ./... at the repository's root never builds it, since a folder
// with its own go.mod is not part of the module around it. One module for
// every lesson, rather than one per lesson, keeps one go.mod to repair and
// one folder to open in an editor; each lesson is still its own package, so
// a broken lesson does not break another's check.
//
// The package knows files, not lessons: its callers say which starter files
// a lesson's folder is made from.
package workspace

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultDir is the workspace's folder in the repository, as pages and
// messages name it.
const DefaultDir = "learn"

// A Workspace is a learner's folder of exercises beside a course.
type Workspace struct {
	root string // the repository: the course, whose module the workspace's replaces
	dir  string // the workspace
}

// New returns the workspace in dir for the repository at root; dir "" means
// DefaultDir in root. Nothing is created until a folder is needed.
func New(root, dir string) (*Workspace, error) {
	if root == "" {
		return nil, errors.New("workspace: no repository")
	}
	if dir == "" {
		dir = filepath.Join(root, DefaultDir)
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return &Workspace{root: absRoot, dir: absDir}, nil
}

// Root is the repository's folder: the course.
func (w *Workspace) Root() string { return w.root }

// Dir is the workspace's folder.
func (w *Workspace) Dir() string { return w.dir }

// Path returns the absolute path of elem in the workspace.
func (w *Workspace) Path(elem ...string) string {
	return filepath.Join(append([]string{w.dir}, elem...)...)
}

// Show names a path in the workspace as a learner at the repository's root
// types it: learn/01-basic/exercise.go; an absolute path for a workspace
// outside the repository.
func (w *Workspace) Show(elem ...string) string {
	p := w.Path(elem...)
	if rel, err := filepath.Rel(w.root, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return p
}

// Exists reports whether the workspace has a folder called name.
func (w *Workspace) Exists(name string) bool {
	fi, err := os.Stat(w.Path(name))
	return err == nil && fi.IsDir()
}

// Missing returns which of files, by base name, folder name lacks.
func (w *Workspace) Missing(name string, files []string) []string {
	var missing []string
	for _, f := range files {
		if _, err := os.Stat(w.Path(name, filepath.Base(f))); err != nil {
			missing = append(missing, filepath.Base(f))
		}
	}
	return missing
}

// Ensure makes the folder name from the starter files (absolute paths), the
// first time it is needed, after Prepare. It reports whether it made it. A
// folder that exists is left as it is, whatever it holds: it is the
// learner's.
func (w *Workspace) Ensure(name string, starter []string) (made bool, err error) {
	if err := w.Prepare(); err != nil {
		return false, err
	}
	dst := w.Path(name)
	switch fi, err := os.Stat(dst); {
	case err == nil && fi.IsDir():
		return false, nil
	case err == nil:
		return false, fmt.Errorf("%s is a file; the exercise needs a folder there", w.Show(name))
	case !errors.Is(err, fs.ErrNotExist):
		return false, err
	}
	// Copy into a temporary folder, then rename it into place: a folder
	// that exists is always whole, even if the tutor is stopped midway or
	// two checks make it at once.
	tmp, err := os.MkdirTemp(w.dir, "."+name+".tmp-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	for _, src := range starter {
		if err := copyFile(src, filepath.Join(tmp, filepath.Base(src))); err != nil {
			return false, fmt.Errorf("copying the starter: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, dst); err != nil {
		if w.Exists(name) {
			return false, nil // made by another check meanwhile
		}
		return false, err
	}
	return true, nil
}

// Reset puts the starter back in the folder name. What the folder held is
// moved, whole, to a new folder under .backup (which go ./... patterns
// skip, as they skip every name starting with a dot), whose path it
// returns; "" if there was nothing to keep.
func (w *Workspace) Reset(name string, starter []string) (backup string, err error) {
	if err := w.Prepare(); err != nil {
		return "", err
	}
	if _, err := os.Lstat(w.Path(name)); err == nil {
		if err := os.MkdirAll(w.Path(".backup"), 0o755); err != nil {
			return "", err
		}
		// Two resets within one clock tick must not collide.
		dir, err := os.MkdirTemp(w.Path(".backup"), name+"-"+time.Now().Format("20060102-150405")+"-")
		if err != nil {
			return "", err
		}
		backup = filepath.Join(dir, name)
		if err := os.Rename(w.Path(name), backup); err != nil {
			return "", fmt.Errorf("keeping your files before the reset: %w", err)
		}
	}
	if _, err := w.Ensure(name, starter); err != nil {
		return backup, err
	}
	return backup, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeFile writes b to path in one step, through a temporary file in the
// same folder, so that a reader sees the old content or the new, never half.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
