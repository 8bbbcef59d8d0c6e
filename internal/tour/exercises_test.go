package tour_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

// Each lesson's check, run the way the tutor runs it, fails on the starter
// with a step, a message and a hint, and passes once the exercise holds the
// solution's code.
//
// The ten checks run at once, whatever -parallel says: each mostly waits
// for its go test process.
func TestRunLessons(t *testing.T) {
	root, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		res check.Result
		err error
	}
	all := tour.All()
	starters := make([]outcome, len(all))
	solutions := make([]outcome, len(all))
	var wg sync.WaitGroup
	for i, l := range all {
		if _, err := os.Stat(filepath.Join(root, l.Dir(), "exercise", "check_test.go")); err != nil {
			t.Errorf("%s has no exercise/check_test.go: the tutor cannot check it", l.Slug)
			continue
		}
		overlay := solutionOverlay(t, root, l)
		wg.Go(func() {
			res, err := check.Run(context.Background(), root, l.Exercise())
			starters[i] = outcome{res, err}
		})
		wg.Go(func() {
			res, err := check.Run(context.Background(), root, withOverlay(l.Exercise(), overlay))
			solutions[i] = outcome{res, err}
		})
	}
	wg.Wait()

	for i, l := range all {
		if res, err := starters[i].res, starters[i].err; err != nil {
			t.Errorf("%s starter: %v", l.Slug, err)
		} else if res.Passed || res.Step == "" || res.Message == "" || res.Hint == "" || res.Lesson != l.Slug || res.Took <= 0 {
			t.Errorf("%s starter: passed %v, step %q, message %q, hint %q, lesson %q, took %v; want a failure with a step, message and hint\n%s",
				l.Slug, res.Passed, res.Step, res.Message, res.Hint, res.Lesson, res.Took, res.Output)
		}
		if res, err := solutions[i].res, solutions[i].err; err != nil {
			t.Errorf("%s solution: %v", l.Slug, err)
		} else if !res.Passed {
			t.Errorf("%s solution: step %q: %s\n%s", l.Slug, res.Step, res.Message, res.Output)
		}
	}
}

// A check that cannot run at all is an error, not a failed exercise.
func TestRunWithoutExercise(t *testing.T) {
	l, err := tour.Find("1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := check.Run(context.Background(), t.TempDir(), l.Exercise()); err == nil || !strings.Contains(err.Error(), "no exercise folder") {
		t.Errorf("Run in an empty folder: %v; want an error naming the missing exercise folder", err)
	}
}

// solutionOverlay writes a go build -overlay file under which l's exercise
// holds the solution's code, as a learner who solved it would have, and the
// files on disk stay as they are.
func solutionOverlay(t *testing.T, root string, l tour.Lesson) string {
	t.Helper()
	solved, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(l.Dir()), "solution", "*.go"))
	pkg := regexp.MustCompile(`(?m)^package solution$`)
	files := map[string][]byte{}
	for _, f := range solved {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(f)] = pkg.ReplaceAll(b, []byte("package exercise"))
	}
	return exerciseOverlay(t, root, l, files)
}

// exerciseOverlay writes a go build -overlay file under which l's exercise
// holds files, by name, in place of the starter's code; its tests stay.
func exerciseOverlay(t *testing.T, root string, l tour.Lesson, files map[string][]byte) string {
	t.Helper()
	tmp := t.TempDir()
	exercise := filepath.Join(root, filepath.FromSlash(l.Dir()), "exercise")
	replace := map[string]string{}
	starter, _ := filepath.Glob(filepath.Join(exercise, "*.go"))
	for _, f := range starter {
		if !strings.HasSuffix(f, "_test.go") {
			replace[f] = "" // deleted, unless files has one of that name
		}
	}
	for name, b := range files {
		moved := filepath.Join(tmp, name)
		write(t, moved, string(b))
		replace[filepath.Join(exercise, name)] = moved
	}
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(tmp, "overlay.json")
	write(t, overlay, string(b))
	return overlay
}

// Code that does not compile fails the check with the compiler's words.
func TestRunCompileError(t *testing.T) {
	root, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	l, err := tour.Find("1")
	if err != nil {
		t.Fatal(err)
	}
	overlay := exerciseOverlay(t, root, l, map[string][]byte{
		"broken.go": []byte("package exercise\n\nfunc half(n int) int { return n / \"2\" }\n"),
	})
	res, err := check.Run(context.Background(), root, withOverlay(l.Exercise(), overlay))
	if err != nil {
		t.Fatal(err)
	}
	// Under an overlay the compiler names the replacement file; a learner
	// sees lessons/01-basic/exercise/broken.go:3:31.
	if res.Passed || !strings.HasPrefix(res.Message, "your code does not compile:\n") ||
		!strings.Contains(res.Message, "broken.go:3:31: invalid operation") || res.Hint == "" {
		t.Errorf("passed %v, message %q, hint %q; want a failure that quotes the compiler, and a hint", res.Passed, res.Message, res.Hint)
	}
}

func withOverlay(ex check.Exercise, overlay string) check.Exercise {
	ex.Overlay = overlay
	return ex
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
