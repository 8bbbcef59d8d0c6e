package workspace

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goCmd runs the go command in dir, offline: whatever the workspace builds
// must already be in the module cache.
func goCmd(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The default workspace is a module inside the repository that the
// repository's go ./... leaves out, and whose packages import the course's
// packages, internal ones included.
func TestWorkspaceModule(t *testing.T) {
	root := course(t)
	ws := newWorkspace(t, root, "")
	if err := ws.Prepare(); err != nil {
		t.Fatal(err)
	}
	mod := read(t, ws.Path("go.mod"))
	for _, want := range []string{"module example.com/course/learn\n", "require example.com/course v0.0.0\n", "replace example.com/course => ..\n", "go 1.25\n"} {
		if !strings.Contains(mod, want) {
			t.Errorf("go.mod lacks %q:\n%s", want, mod)
		}
	}
	write(t, ws.Path("01-basic", "exercise.go"), `package exercise

import (
	"example.com/course/internal/secret"
	"example.com/course/lib"
)

var _, _ = lib.Answer(), secret.Word
`)
	if out, err := goCmd(t, ws.Dir(), "build", "./..."); err != nil {
		t.Fatalf("go build in the workspace: %v\n%s", err, out)
	}
	// A file that does not even parse, in the workspace, is not the
	// repository's concern.
	write(t, ws.Path("02-async", "broken.go"), "package exercise\nfunc (")
	out, err := goCmd(t, root, "list", "./...")
	if err != nil {
		t.Fatalf("go list ./... at the root: %v\n%s", err, out)
	}
	if strings.Contains(out, "learn") {
		t.Errorf("go list ./... at the root lists the workspace:\n%s", out)
	}
}

// The real course's workspace builds offline, with the tutorial's
// requirements and go.sum, from a folder outside the repository.
func TestWorkspaceOfTheTutorialBuildsOffline(t *testing.T) {
	root := repoRoot(t)
	ws := newWorkspace(t, root, t.TempDir())
	if err := ws.Prepare(); err != nil {
		t.Fatal(err)
	}
	if got, want := read(t, ws.Path("go.sum")), read(t, filepath.Join(root, "go.sum")); got != want {
		t.Error("the workspace's go.sum is not the repository's")
	}
	mod := read(t, ws.Path("go.mod"))
	if !strings.Contains(mod, "replace github.com/bgtasks/tutorial => "+filepath.ToSlash(root)) &&
		!strings.Contains(mod, "replace github.com/bgtasks/tutorial => ../") {
		t.Errorf("go.mod does not replace the tutorial with the repository:\n%s", mod)
	}
	write(t, ws.Path("01-basic", "exercise.go"), `package exercise

import (
	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/internal/check"
)

var _, _ = bgtasks.From, check.Run
`)
	if out, err := goCmd(t, ws.Dir(), "vet", "./..."); err != nil {
		t.Fatalf("go vet in the workspace, offline: %v\n%s", err, out)
	}
}

// go.mod and go.sum are the tutor's: Prepare repairs them, and leaves them
// untouched when they are right, so that an editor watching them does not
// reload for nothing.
func TestPrepareRepairs(t *testing.T) {
	ws := newWorkspace(t, course(t), "")
	if err := ws.Prepare(); err != nil {
		t.Fatal(err)
	}
	want := read(t, ws.Path("go.mod"))
	write(t, ws.Path("go.mod"), "module broken\n\ngarbage\n")
	if err := os.Remove(ws.Path("go.sum")); err != nil {
		t.Fatal(err)
	}
	if err := ws.Prepare(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, ws.Path("go.mod")); got != want {
		t.Errorf("go.mod after repair:\n%s\nwant\n%s", got, want)
	}
	if _, err := os.Stat(ws.Path("go.sum")); err != nil {
		t.Errorf("go.sum not restored: %v", err)
	}
	before, _ := os.Stat(ws.Path("go.mod"))
	if err := ws.Prepare(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(ws.Path("go.mod"))
	if !os.SameFile(before, after) {
		t.Error("Prepare rewrote a go.mod that was right")
	}
}

// repoRoot is the tutorial's repository, found from this package's folder.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err != nil || !strings.HasPrefix(string(b), "module github.com/bgtasks/tutorial\n") {
		t.Fatalf("no tutorial repository at %s", dir)
	}
	return dir
}

// A deleted go.mod would make the workspace part of the repository's
// module: Repair puts it back, and makes no workspace where there is none.
func TestRepair(t *testing.T) {
	root := course(t)
	ws := newWorkspace(t, root, "")
	if err := ws.Repair(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ws.Dir()); err == nil {
		t.Fatal("Repair made a workspace")
	}
	write(t, ws.Path("01-basic", "exercise.go"), "package exercise\nfunc (\n")
	if err := ws.Repair(); err != nil {
		t.Fatal(err)
	}
	if out, err := goCmd(t, root, "list", "./..."); err != nil || strings.Contains(out, "learn") {
		t.Errorf("go list ./... at the root after Repair: %v\n%s", err, out)
	}
}
