// Package checktest proves a lesson's exercise check by running it as the
// tutor does, with go test -tags check on the exercise's folder, and other
// code in the starter's place through a go build overlay, so that nothing
// on disk changes. A lesson's check tests prove it four ways:
//
//	func TestCheckVerdicts(t *testing.T) {
//		checktest.Starter(t, "01-basic", "step 1/6: POST /orders got no answer")
//		checktest.Solution(t, "01-basic")
//		checktest.Wrong(t, "01-basic")
//		checktest.Right(t, "01-basic")
//	}
//
// Each check is a go test process of its own, so they run as parallel
// subtests. A wrong solution is a whole-file replacement of the starter's
// Go file, kept in the lesson's check/testdata/wrong/NAME.go, whose first
// line, "// want: TEXT", holds part of what the learner must read. A
// right solution, in check/testdata/right/NAME.go, is written otherwise
// than the course's and must pass.
package checktest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/lessons"
)

// Exercise returns what the tutor checks for the lesson slug: the same as
// the tour's Lesson.Exercise, which a test of this package compares it to.
func Exercise(t testing.TB, slug string) check.Exercise {
	t.Helper()
	ex, err := exercise(slug)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

func exercise(slug string) (check.Exercise, error) {
	l, err := lessons.Find(slug)
	if err != nil {
		return check.Exercise{}, err
	}
	return check.Exercise{Lesson: l.Slug, Dir: l.Dir() + "/exercise", Race: l.Race}, nil
}

// Starter checks the exercise as shipped, in a parallel subtest: it must
// fail with a step, a message and a hint that the learner reads as holding
// want, and give no line of the solution away.
func Starter(t *testing.T, slug, want string) {
	t.Helper()
	t.Run("starter", func(t *testing.T) {
		t.Parallel()
		res := run(t, slug, nil)
		mustFail(t, slug, res, want)
		if res.Step == "" {
			t.Errorf("the starter fails without a step: the learner reads\n%s", Text(res))
		}
	})
}

// Solution checks the exercise with solution/*.go in the starter's place,
// in a parallel subtest: it must pass.
func Solution(t *testing.T, slug string) {
	t.Helper()
	t.Run("solution", func(t *testing.T) {
		t.Parallel()
		files := map[string][]byte{}
		pkg := regexp.MustCompile(`(?m)^package solution$`)
		for _, f := range goFiles(t, filepath.Join(lessonDir(t, slug), "solution")) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.Base(f)] = pkg.ReplaceAll(b, []byte("package exercise"))
		}
		if res := run(t, slug, files); !res.Passed {
			t.Errorf("the solution fails its check: the learner reads\n%s\ngo test said:\n%s", Text(res), res.Output)
		}
	})
}

// Wrong checks the exercise once per file in the lesson's
// check/testdata/wrong, each in a parallel subtest "wrong/NAME" with the
// file in place of the starter's Go file. Each must fail; the learner must
// read the text of its "// want: " line, and no line of the solution.
func Wrong(t *testing.T, slug string) {
	t.Helper()
	variants(t, slug, "wrong", func(t *testing.T, path string, b []byte, res check.Result) {
		want, ok := wantLine(b)
		if !ok {
			t.Fatalf("%s: the first line must be // want: TEXT", path)
		}
		mustFail(t, slug, res, want)
	})
}

// Right checks the exercise once per file in the lesson's
// check/testdata/right, each in a parallel subtest "right/NAME" with the
// file in place of the starter's Go file: solutions written otherwise than
// the course's, which the check must pass all the same.
func Right(t *testing.T, slug string) {
	t.Helper()
	variants(t, slug, "right", func(t *testing.T, _ string, _ []byte, res check.Result) {
		if !res.Passed {
			t.Errorf("a right solution fails its check: the learner reads\n%s\ngo test said:\n%s", Text(res), res.Output)
		}
	})
}

// variants runs the check once per Go file in the lesson's
// check/testdata/DIR, in place of the starter's Go file, and hands judge
// the result.
func variants(t *testing.T, slug, dir string, judge func(t *testing.T, path string, b []byte, res check.Result)) {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(lessonDir(t, slug), "check", "testdata", dir, "*.go"))
	if len(paths) == 0 {
		t.Fatalf("%s has no solutions in check/testdata/%s", slug, dir)
	}
	starter := goFiles(t, filepath.Join(lessonDir(t, slug), "exercise"))
	if len(starter) != 1 {
		t.Fatalf("%s's starter has %d Go files; a solution in testdata replaces the one", slug, len(starter))
	}
	t.Run(dir, func(t *testing.T) {
		t.Parallel()
		for _, path := range paths {
			t.Run(strings.TrimSuffix(filepath.Base(path), ".go"), func(t *testing.T) {
				t.Parallel()
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				judge(t, path, b, run(t, slug, map[string][]byte{filepath.Base(starter[0]): b}))
			})
		}
	})
}

// Text is what the tutor prints for a failed check: the step and message,
// then the hint.
func Text(res check.Result) string {
	msg := res.Message
	if res.Step != "" {
		msg = "step " + res.Step + ": " + msg
	}
	if res.Hint != "" {
		msg += "\nhint: " + res.Hint
	}
	return msg
}

// mustFail fails t unless res is a failure whose text holds want and none of
// the solution's lines.
func mustFail(t *testing.T, slug string, res check.Result, want string) {
	t.Helper()
	text := Text(res)
	switch {
	case res.Passed:
		t.Errorf("the check passes; want a failure that says %q", want)
		return
	case !strings.Contains(text, want):
		t.Errorf("the learner reads\n%s\nwant it to say %q\ngo test said:\n%s", text, want, res.Output)
	case res.Step != "" && res.Hint == "":
		t.Errorf("the learner reads\n%s\nwith no hint", text)
	}
	if leak := AnswerOf(t, slug).In(text); leak != "" {
		t.Errorf("the learner reads\n%s\nwhich gives away the solution's %q", text, leak)
	}
}

// run checks slug's exercise with files, by name, in place of the
// starter's Go files; with no files, the starter as shipped.
func run(t *testing.T, slug string, files map[string][]byte) check.Result {
	t.Helper()
	ex := Exercise(t, slug)
	root := root(t)
	if files != nil {
		ex.Overlay = overlay(t, filepath.Join(root, filepath.FromSlash(ex.Dir)), files)
	}
	res, err := check.Run(context.Background(), root, ex)
	if err != nil {
		t.Fatalf("the check could not run: %v", err)
	}
	return res
}

// overlay writes a go build -overlay file under which the exercise folder
// holds files instead of its Go files; its tests stay.
func overlay(t *testing.T, exerciseDir string, files map[string][]byte) string {
	t.Helper()
	tmp := t.TempDir()
	replace := map[string]string{}
	for _, f := range goFiles(t, exerciseDir) {
		replace[f] = "" // deleted, unless files has one of that name
	}
	for name, b := range files {
		moved := filepath.Join(tmp, name)
		if err := os.WriteFile(moved, b, 0o644); err != nil {
			t.Fatal(err)
		}
		replace[filepath.Join(exerciseDir, name)] = moved
	}
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantLine reads a wrong solution's first line, "// want: TEXT".
func wantLine(src []byte) (string, bool) {
	sc := bufio.NewScanner(strings.NewReader(string(src)))
	if !sc.Scan() {
		return "", false
	}
	want, ok := strings.CutPrefix(sc.Text(), "// want: ")
	return strings.TrimSpace(want), ok && strings.TrimSpace(want) != ""
}

// goFiles returns dir's Go files, tests left out.
func goFiles(t testing.TB, dir string) []string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(all, func(f string) bool { return strings.HasSuffix(f, "_test.go") })
}

func root(t testing.TB) string {
	t.Helper()
	root, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func lessonDir(t testing.TB, slug string) string {
	t.Helper()
	l, err := lessons.Find(slug)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root(t), filepath.FromSlash(l.Dir()))
}
