package tour_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
	"github.com/bgtasks/tutorial/lessons"
)

// learnerWorkspace is a workspace for the real course in a temporary
// folder, so that no test touches a learner's learn/.
func learnerWorkspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	root, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.New(root, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// solutionCode is l's solution as the learner's exercise.go would hold it.
func solutionCode(t *testing.T, ws *workspace.Workspace, l tour.Lesson) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ws.Root(), filepath.FromSlash(l.Dir()), "solution", "solution.go"))
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`(?m)^package solution$`).ReplaceAll(b, []byte("package exercise"))
}

// The learner's copy is the starter without the check; the files to edit
// are those of it with a TODO, named as a learner at the root types them.
func TestStarterAndLearnerFiles(t *testing.T) {
	for _, l := range tour.All() {
		starter := l.Starter()
		if len(starter) == 0 || slices.Contains(starter, "check_test.go") {
			t.Errorf("%s: starter %q; want its Go files without the check", l.Slug, starter)
		}
		files := l.LearnerFiles(nil)
		if len(files) == 0 {
			t.Errorf("%s: no file to edit", l.Slug)
		}
		for _, f := range files {
			name, ok := strings.CutPrefix(f, "learn/"+l.Slug+"/")
			if !ok || !slices.Contains(starter, name) {
				t.Errorf("%s: file to edit %q is not learn/%s/ and a starter file", l.Slug, f, l.Slug)
			}
			b, err := fs.ReadFile(lessons.Files(), l.Slug+"/exercise/"+name)
			if err != nil || !strings.Contains(string(b), "TODO") {
				t.Errorf("%s: %s has no TODO: %v", l.Slug, name, err)
			}
		}
	}
}

// The learner's copy is made from the starter the first time it is
// checked, fails as the starter does, and passes with the solution's code;
// a check_test.go of the learner's own cannot make it pass.
func TestCheckLearnersCopy(t *testing.T) {
	ws := learnerWorkspace(t)
	l, err := tour.Find("01")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := l.Check(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || res.Step == "" || !ws.Exists(l.Slug) {
		t.Errorf("the fresh copy: passed %v, step %q, folder made %v; want the starter's failure", res.Passed, res.Step, ws.Exists(l.Slug))
	}

	write(t, ws.Path(l.Slug, "check_test.go"), "//go:build check\n\npackage exercise\n\nimport \"testing\"\n\nfunc TestCheck(t *testing.T) {}\n")
	if res, err := l.Check(ctx, ws); err != nil || res.Passed {
		t.Errorf("with the learner's own check_test.go: passed %v, %v; want the course's check, failing", res.Passed, err)
	}

	write(t, ws.Path(l.Slug, "exercise.go"), string(solutionCode(t, ws, l)))
	if res, err := l.Check(ctx, ws); err != nil || !res.Passed {
		t.Errorf("with the solution: %v, %v: %s", res.Passed, err, res.Message)
	}
}

// Each way a learner's folder goes wrong fails the check with a message
// that names the learner's file and says what to do.
func TestCheckLearnersMistakes(t *testing.T) {
	l, err := tour.Find("01")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, ws *workspace.Workspace, solution []byte)
		want  []string // substrings of the message; "FILE" is the learner's exercise.go
	}{
		{"syntax error", func(t *testing.T, ws *workspace.Workspace, solution []byte) {
			write(t, ws.Path(l.Slug, "exercise.go"), string(solution)+"\nfunc (\n")
		}, []string{"your code does not compile:\nFILE:"}},
		{"missing import", func(t *testing.T, ws *workspace.Workspace, solution []byte) {
			code := strings.Replace(string(solution), "\t\"github.com/bgtasks/tutorial/bgtasks\"\n", "", 1)
			write(t, ws.Path(l.Slug, "exercise.go"), code)
		}, []string{"FILE:", ": undefined: bgtasks", `bgtasks is a package: add import "github.com/bgtasks/tutorial/bgtasks" to FILE.`}},
		{"file deleted", func(t *testing.T, ws *workspace.Workspace, solution []byte) {
			if err := os.Remove(ws.Path(l.Slug, "exercise.go")); err != nil {
				t.Fatal(err)
			}
		}, []string{"\nlessons/01-basic/exercise/check_test.go:", "The check calls NewApp, which your code does not define", "has no exercise.go: the starter had it."}},
		{"extra file of another package", func(t *testing.T, ws *workspace.Workspace, solution []byte) {
			write(t, ws.Path(l.Slug, "notes.go"), "package main\n")
		}, []string{`must begin with "package exercise": notes.go says package main.`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := learnerWorkspace(t)
			if _, err := l.Prepare(ws); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, ws, solutionCode(t, ws, l))
			res, err := l.Check(context.Background(), ws)
			if err != nil {
				t.Fatalf("the check could not run: %v", err)
			}
			if res.Passed {
				t.Fatal("the check passed")
			}
			for _, want := range tt.want {
				want = strings.ReplaceAll(want, "FILE", ws.Show(l.Slug, "exercise.go"))
				if !strings.Contains(res.Message, want) {
					t.Errorf("the message lacks %q:\n%s", want, res.Message)
				}
			}
		})
	}
}

// Reset puts the starter back and says where the learner's files went.
func TestResetLearnersCopy(t *testing.T) {
	ws := learnerWorkspace(t)
	l, err := tour.Find("02")
	if err != nil {
		t.Fatal(err)
	}
	if backup, err := l.Reset(ws); err != nil || backup != "" {
		t.Fatalf("Reset of nothing = %q, %v", backup, err)
	}
	write(t, ws.Path(l.Slug, "exercise.go"), "package exercise // mine\n")
	backup, err := l.Reset(ws)
	if err != nil {
		t.Fatal(err)
	}
	starter, err := os.ReadFile(filepath.Join(ws.Root(), filepath.FromSlash(l.Dir()), "exercise", "exercise.go"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(ws.Path(l.Slug, "exercise.go")); string(got) != string(starter) {
		t.Error("Reset did not put the starter back")
	}
	if kept, _ := os.ReadFile(filepath.Join(backup, "exercise.go")); string(kept) != "package exercise // mine\n" {
		t.Errorf("the learner's file is not at %s", backup)
	}
}

// The record keeps what a check said, or why it could not run.
func TestVerdict(t *testing.T) {
	v := tour.Verdict(check.Result{Step: "2/5", Message: "no task", Hint: "add one"}, nil, time.Time{})
	if v.Passed || v.Step != "2/5" || v.Message != "no task" || v.Error != "" {
		t.Errorf("Verdict of a failure = %+v", v)
	}
	if v := tour.Verdict(check.Result{}, errors.New("no go command"), time.Time{}); v.Error != "no go command" || v.Passed {
		t.Errorf("Verdict of an error = %+v", v)
	}
}
