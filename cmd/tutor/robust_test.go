package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
	"github.com/bgtasks/tutorial/lessons"
	"github.com/bgtasks/tutorial/site"
)

// marker is in every file a learner's state adds, so that a page showing
// the learner's code, rather than the course's, is caught.
const marker = "LEARNER-MARKER"

// A learnerState puts one lesson's folder in a state a learner may leave it
// in; ok is the check's verdict on it.
type learnerState struct {
	name  string
	ok    bool
	setup func(t *testing.T, ws *workspace.Workspace, l tour.Lesson)
}

var learnerStates = []learnerState{
	{"solved", true, func(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {
		solveAll(t, ws, l)
	}},
	{"half-typed", false, func(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {
		f := editedFile(t, ws, l)
		b := readFile(t, f)
		writeFile(t, f, append(b[:len(b)/2:len(b)/2], "\n// "+marker+" typing...\n"...))
	}},
	{"syntax error", false, func(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {
		f := editedFile(t, ws, l)
		writeFile(t, f, append(readFile(t, f), "\nfunc ( // "+marker+"\n"...))
	}},
	{"deleted", false, func(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {
		prepare(t, ws, l)
		for _, name := range l.Starter() {
			if err := os.Remove(ws.Path(l.Slug, name)); err != nil {
				t.Fatal(err)
			}
		}
	}},
	{"an extra file", false, func(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {
		prepare(t, ws, l)
		writeFile(t, ws.Path(l.Slug, "notes.go"), []byte("package main // "+marker+"\n"))
	}},
	{"the folder missing", false, func(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {}},
}

// TestLearnerCannotBreakTheTutorial puts a copy of the repository's
// learn/ in every state a learner may leave it in (each lesson solved,
// half-typed, not compiling, deleted, with an extra file, missing; go.mod
// garbled and deleted, go.sum deleted, the record of progress garbled, no
// learn/ at all), and proves that nothing of the tutorial breaks: go ./...
// at the root leaves learn/ out, every page answers 200 from the embedded
// course, search and the record answer, list and build succeed, and every
// check gives a verdict in the learner's terms.
func TestLearnerCannotBreakTheTutorial(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the repository and runs every check")
	}
	repo := copyRepository(t)
	t.Chdir(repo)
	t.Setenv(learnEnv, "") // the default: learn/ in the copy
	ws, err := workspace.New(repo, "")
	if err != nil {
		t.Fatal(err)
	}
	all := tour.All()

	t.Run("no learn folder", func(t *testing.T) {
		assertGoListLeavesOut(t, repo)
		assertSiteServes(t, repo)
		assertCommand(t, 0, "list")
	})

	// Two rounds give each lesson two states, and every state to some
	// lesson while there are at least len(learnerStates)-1 lessons.
	for round := range 2 {
		t.Run(fmt.Sprintf("round %d", round+1), func(t *testing.T) {
			if err := os.RemoveAll(ws.Dir()); err != nil {
				t.Fatal(err)
			}
			want := map[string]learnerState{}
			for i, l := range all {
				s := learnerStates[(i+round)%len(learnerStates)]
				s.setup(t, ws, l)
				want[l.Slug] = s
				t.Logf("%s: %s", l.Slug, s.name)
			}
			writeFile(t, ws.Path(workspace.ProgressFile), []byte("{"+marker))
			if round == 0 {
				// A garbled go.mod still marks learn/ as a module of its
				// own: go ./... at the root leaves it out before the tutor
				// has repaired anything.
				writeFile(t, ws.Path("go.mod"), []byte("module "+marker+"\n\nnonsense\n"))
				assertGoListLeavesOut(t, repo)
			} else {
				// A deleted go.mod does not: the tutor puts it back the
				// next time it opens the workspace, whatever the command.
				for _, f := range []string{"go.mod", "go.sum"} {
					if err := os.Remove(ws.Path(f)); err != nil {
						t.Fatal(err)
					}
				}
			}
			assertSiteServes(t, repo)
			assertCommand(t, 0, "list")
			assertGoListLeavesOut(t, repo)

			code, out := runTutor(t, "check", "all")
			if code != 1 {
				t.Errorf("check all: exit %d, want 1:\n%s", code, out)
			}
			for _, l := range all {
				line := regexp.MustCompile(`(?m)^\[\d+/\d+\] ` + l.Slug + ` \.\.\. (\S+)`).FindStringSubmatch(out)
				wantWord := "FAIL"
				if want[l.Slug].ok {
					wantWord = "ok"
				}
				if line == nil || line[1] != wantWord {
					t.Errorf("%s, %s: check says %q, want %s", l.Slug, want[l.Slug].name, line, wantWord)
				}
			}
			if strings.Contains(out, "... error") {
				t.Errorf("a check could not run:\n%s", out)
			}
			if !regexp.MustCompile(`(?m)^  learn/\d\d-[a-z]+/\S+\.go:\d+:\d+: `).MatchString(out) {
				t.Errorf("no compile error names the learner's file as learn/NN-slug/x.go:L:C:\n%s", out)
			}
			if round == 1 {
				assertCommand(t, 0, "build", "-o", t.TempDir())
			}
		})
	}
}

func prepare(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {
	t.Helper()
	if _, err := l.Prepare(ws); err != nil {
		t.Fatal(err)
	}
}

// editedFile returns the first file the learner edits for l, after making
// the folder.
func editedFile(t *testing.T, ws *workspace.Workspace, l tour.Lesson) string {
	t.Helper()
	prepare(t, ws, l)
	return ws.Path(l.Slug, filepath.Base(l.LearnerFiles(nil)[0]))
}

// solveAll fills l's folder with the solution's code, file for file, as a
// learner who solved it would have it: the solution's files, each in
// package exercise, and solution.go as exercise.go.
func solveAll(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {
	t.Helper()
	prepare(t, ws, l)
	for _, name := range l.Starter() {
		if err := os.Remove(ws.Path(l.Slug, name)); err != nil {
			t.Fatal(err)
		}
	}
	pkg := regexp.MustCompile(`(?m)^package solution$`)
	solution, _ := filepath.Glob(filepath.Join(ws.Root(), filepath.FromSlash(l.Dir()), "solution", "*.go"))
	for _, f := range solution {
		name := filepath.Base(f)
		switch name {
		case "check_test.go":
			continue // the solution's own; the learner's check is the course's
		case "solution.go":
			name = "exercise.go"
		}
		writeFile(t, ws.Path(l.Slug, name), pkg.ReplaceAll(readFile(t, f), []byte("package exercise")))
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runTutor(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(context.Background(), args, &out, &out)
	return code, out.String()
}

func assertCommand(t *testing.T, want int, args ...string) {
	t.Helper()
	if code, out := runTutor(t, args...); code != want {
		t.Errorf("%s: exit %d, want %d:\n%s", strings.Join(args, " "), code, want, out)
	}
}

// assertGoListLeavesOut proves that go test ./... at the root would build
// nothing of the workspace: go list ./... is the set of packages it builds,
// and it succeeds.
func assertGoListLeavesOut(t *testing.T, repo string) {
	t.Helper()
	cmd := exec.Command("go", "list", "./...")
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list ./... at the root: %v\n%s", err, out)
	}
	if strings.Contains(string(out), lessons.Module+"/learn") {
		t.Errorf("go list ./... at the root lists the workspace:\n%s", out)
	}
}

// assertSiteServes starts the site on the repository and fetches every
// page, the search index, the record of progress and the scripts.
func assertSiteServes(t *testing.T, repo string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- site.Serve(ctx, site.Options{Addr: "127.0.0.1:0", Root: repo, Ready: func(u string) { urls <- u }}, io.Discard)
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		cancel()
		t.Fatalf("Serve: %v", err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	paths := []string{"", "search.json", "api/progress", "static/progress.js"}
	for _, l := range tour.All() {
		paths = append(paths, "lessons/"+l.Slug+"/")
	}
	for _, p := range paths {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET /%s: %s %s", p, resp.Status, b)
		}
		if p != "api/progress" && bytes.Contains(b, []byte(marker)) {
			t.Errorf("GET /%s shows the learner's files", p)
		}
	}
	http.DefaultClient.CloseIdleConnections()
}

// copyRepository copies the repository's files, without .git and learn/,
// to a temporary folder.
func copyRepository(t *testing.T) string {
	t.Helper()
	src, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "tutorial")
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() && (rel == ".git" || rel == workspace.DefaultDir) {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
