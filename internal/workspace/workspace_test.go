package workspace

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// starter writes a lesson's starter files in a folder of their own and
// returns their paths.
func starter(t *testing.T, files map[string]string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for name, content := range files {
		p := filepath.Join(dir, name)
		write(t, p, content)
		paths = append(paths, p)
	}
	return paths
}

// course makes a small repository: a module with a package, an internal
// package, and no requirements, so that building needs nothing downloaded.
func course(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	write(t, filepath.Join(root, "go.mod"), "module example.com/course\n\ngo 1.25\n")
	write(t, filepath.Join(root, "lib", "lib.go"), "package lib\n\nfunc Answer() int { return 42 }\n")
	write(t, filepath.Join(root, "internal", "secret", "secret.go"), "package secret\n\nconst Word = \"please\"\n")
	return root
}

func TestEnsureMakesTheFolderOnce(t *testing.T) {
	ws := newWorkspace(t, course(t), "")
	files := starter(t, map[string]string{"exercise.go": "package exercise\n// TODO\n", "notes_test.go": "package exercise\n"})
	made, err := ws.Ensure("01-basic", files)
	if err != nil || !made {
		t.Fatalf("Ensure = %v, %v; want the folder made", made, err)
	}
	if got := read(t, ws.Path("01-basic", "exercise.go")); got != "package exercise\n// TODO\n" {
		t.Errorf("exercise.go = %q", got)
	}
	if !ws.Exists("01-basic") || len(ws.Missing("01-basic", []string{"exercise.go", "notes_test.go"})) != 0 {
		t.Error("the starter's files are not all there")
	}

	// The learner's work is theirs: a second Ensure keeps it.
	write(t, ws.Path("01-basic", "exercise.go"), "package exercise\n// mine\n")
	if made, err := ws.Ensure("01-basic", files); err != nil || made {
		t.Fatalf("second Ensure = %v, %v; want the folder left alone", made, err)
	}
	if got := read(t, ws.Path("01-basic", "exercise.go")); got != "package exercise\n// mine\n" {
		t.Errorf("Ensure overwrote the learner's file: %q", got)
	}
	// No half-made folder is left behind.
	entries, _ := os.ReadDir(ws.Dir())
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestEnsureWhereAFileIs(t *testing.T) {
	ws := newWorkspace(t, course(t), "")
	if err := os.MkdirAll(ws.Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, ws.Path("01-basic"), "not a folder")
	_, err := ws.Ensure("01-basic", starter(t, map[string]string{"exercise.go": "package exercise\n"}))
	if err == nil || !strings.Contains(err.Error(), "learn/01-basic is a file") {
		t.Errorf("Ensure over a file: %v; want an error naming it", err)
	}
}

// Reset puts the starter back and keeps what it replaces, even a file
// where the folder should be.
func TestReset(t *testing.T) {
	ws := newWorkspace(t, course(t), "")
	files := starter(t, map[string]string{"exercise.go": "package exercise\n// TODO\n"})
	if _, err := ws.Ensure("01-basic", files); err != nil {
		t.Fatal(err)
	}
	write(t, ws.Path("01-basic", "exercise.go"), "package exercise\n// half typed")
	write(t, ws.Path("01-basic", "extra.go"), "package main\n")

	backup, err := ws.Reset("01-basic", files)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, ws.Path("01-basic", "exercise.go")); got != "package exercise\n// TODO\n" {
		t.Errorf("after Reset, exercise.go = %q", got)
	}
	if _, err := os.Stat(ws.Path("01-basic", "extra.go")); err == nil {
		t.Error("after Reset, extra.go is still in the exercise's folder")
	}
	if got := read(t, filepath.Join(backup, "exercise.go")); got != "package exercise\n// half typed" {
		t.Errorf("the backup's exercise.go = %q", got)
	}
	if !strings.HasPrefix(backup, ws.Path(".backup")) {
		t.Errorf("backup %s is not under .backup", backup)
	}

	// A second reset keeps the first backup.
	backup2, err := ws.Reset("01-basic", files)
	if err != nil || backup2 == backup {
		t.Fatalf("second Reset = %q, %v", backup2, err)
	}
	if _, err := os.Stat(filepath.Join(backup, "extra.go")); err != nil {
		t.Errorf("the second reset lost the first backup: %v", err)
	}

	// Nothing there at all: no backup.
	if err := os.RemoveAll(ws.Path("01-basic")); err != nil {
		t.Fatal(err)
	}
	if backup, err := ws.Reset("01-basic", files); err != nil || backup != "" {
		t.Errorf("Reset of a missing folder = %q, %v", backup, err)
	}
}

func TestOverlay(t *testing.T) {
	ws := newWorkspace(t, course(t), "")
	file, cleanup, err := ws.Overlay("01-basic", map[string]string{"check_test.go": "/course/check_test.go"})
	if err != nil {
		t.Fatal(err)
	}
	var o struct{ Replace map[string]string }
	if err := json.Unmarshal([]byte(read(t, file)), &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Replace) != 1 || o.Replace[ws.Path("01-basic", "check_test.go")] != "/course/check_test.go" {
		t.Errorf("overlay = %v", o.Replace)
	}
	cleanup()
	if _, err := os.Stat(file); err == nil {
		t.Error("cleanup left the overlay file")
	}
}

func TestShow(t *testing.T) {
	root := course(t)
	if got := newWorkspace(t, root, "").Show("01-basic", "exercise.go"); got != "learn/01-basic/exercise.go" {
		t.Errorf("Show in the default workspace = %q", got)
	}
	elsewhere := t.TempDir()
	if got := newWorkspace(t, root, elsewhere).Show("01-basic"); got != filepath.Join(elsewhere, "01-basic") {
		t.Errorf("Show in a workspace outside the repository = %q", got)
	}
	if _, err := New("", ""); err == nil {
		t.Error("New without a repository gave no error")
	}
}

func newWorkspace(t *testing.T, root, dir string) *Workspace {
	t.Helper()
	ws, err := New(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
