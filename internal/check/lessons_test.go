package check_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/lessons"
)

// Each lesson's check, run the way the tutor runs it, fails on the starter
// with a step, a message and a hint, and passes once the exercise holds the
// solution's code.
func TestRunLessons(t *testing.T) {
	root, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lessons.All() {
		t.Run(l.Slug, func(t *testing.T) {
			t.Parallel()
			if _, err := os.Stat(filepath.Join(root, l.Dir(), "exercise", "check_test.go")); err != nil {
				t.Skipf("%s has no exercise/check_test.go yet", l.Slug)
			}
			t.Run("starter fails", func(t *testing.T) {
				t.Parallel()
				res, err := check.Run(context.Background(), root, l)
				if err != nil {
					t.Fatal(err)
				}
				if res.Passed || res.Step == "" || res.Message == "" || res.Hint == "" {
					t.Errorf("starter: passed %v, step %q, message %q, hint %q; want a failure with all three\n%s",
						res.Passed, res.Step, res.Message, res.Hint, res.Output)
				}
				if res.Lesson != l.Slug || res.Took <= 0 {
					t.Errorf("Lesson %q, Took %v", res.Lesson, res.Took)
				}
			})
			t.Run("solution passes", func(t *testing.T) {
				t.Parallel()
				copyRoot := withSolution(t, root, l)
				res, err := check.Run(context.Background(), copyRoot, l)
				if err != nil {
					t.Fatal(err)
				}
				if !res.Passed {
					t.Errorf("solution: step %q: %s\n%s", res.Step, res.Message, res.Output)
				}
			})
		})
	}
}

// A check that cannot run at all is an error, not a failed exercise.
func TestRunWithoutExercise(t *testing.T) {
	l, err := lessons.Find("1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := check.Run(context.Background(), t.TempDir(), l); err == nil || !strings.Contains(err.Error(), "no exercise folder") {
		t.Errorf("Run in an empty folder: %v; want an error naming the missing exercise folder", err)
	}
}

// withSolution copies the module's code to a new folder and replaces the
// copy's exercise with the solution, as a learner who solved it would have.
func withSolution(t *testing.T, root string, l lessons.Lesson) string {
	t.Helper()
	dst := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", "bgtasks", "internal", "lessons"} {
		copyTree(t, filepath.Join(root, name), filepath.Join(dst, name))
	}
	exercise := filepath.Join(dst, l.Dir(), "exercise")
	old, _ := filepath.Glob(filepath.Join(exercise, "*.go"))
	for _, f := range old {
		if !strings.HasSuffix(f, "_test.go") {
			os.Remove(f)
		}
	}
	solved, _ := filepath.Glob(filepath.Join(root, l.Dir(), "solution", "*.go"))
	pkg := regexp.MustCompile(`(?m)^package solution$`)
	for _, f := range solved {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = pkg.ReplaceAll(b, []byte("package exercise"))
		if err := os.WriteFile(filepath.Join(exercise, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
