package tour_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
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
// The checks of each kind run at once, whatever -parallel says: each mostly
// waits for its go test process. The solutions are checked under one
// overlay that puts each in its starter's place, given in GOFLAGS as well as
// to check.Run: a check that runs the go command itself (lesson 05's builds
// the learner's test) sees an overlay only in GOFLAGS.
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
	each := func(run func(i int, l tour.Lesson) outcome) []outcome {
		out := make([]outcome, len(all))
		var wg sync.WaitGroup
		for i, l := range all {
			wg.Go(func() { out[i] = run(i, l) })
		}
		wg.Wait()
		return out
	}
	replace := map[string]string{}
	for _, l := range all {
		if _, err := os.Stat(filepath.Join(root, l.Dir(), "exercise", "check_test.go")); err != nil {
			t.Fatalf("%s has no exercise/check_test.go: the tutor cannot check it", l.Slug)
		}
		maps.Copy(replace, solutionReplace(t, root, l))
	}
	starters := each(func(i int, l tour.Lesson) outcome {
		res, err := check.Run(context.Background(), root, l.Exercise())
		return outcome{res, err}
	})
	overlay := writeOverlay(t, replace)
	t.Setenv("GOFLAGS", strings.TrimSpace(os.Getenv("GOFLAGS")+" -overlay="+overlay))
	solutions := each(func(i int, l tour.Lesson) outcome {
		res, err := check.Run(context.Background(), root, withOverlay(l.Exercise(), overlay))
		return outcome{res, err}
	})

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

// solutionReplace returns the go build -overlay replacements under which
// l's exercise holds the solution's code, tests included (lesson 05's
// answer is a test), as a learner who solved it would have, and the files
// on disk stay as they are.
func solutionReplace(t *testing.T, root string, l tour.Lesson) map[string]string {
	t.Helper()
	solved, _ := filepath.Glob(filepath.Join(root, filepath.FromSlash(l.Dir()), "solution", "*.go"))
	pkg := regexp.MustCompile(`(?m)^package solution$`)
	files := map[string][]byte{}
	for _, f := range solved {
		if filepath.Base(f) == "check_test.go" {
			continue // the solution's own; the exercise's check is the course's
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(f)] = pkg.ReplaceAll(b, []byte("package exercise"))
	}
	return exerciseReplace(t, root, l, files)
}

// exerciseReplace returns the go build -overlay replacements under which
// l's exercise holds files, by name, in place of the starter's code; its
// tests stay unless files has one of the same name.
func exerciseReplace(t *testing.T, root string, l tour.Lesson, files map[string][]byte) map[string]string {
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
	return replace
}

// exerciseOverlay writes exerciseReplace's replacements to an overlay file.
func exerciseOverlay(t *testing.T, root string, l tour.Lesson, files map[string][]byte) string {
	t.Helper()
	return writeOverlay(t, exerciseReplace(t, root, l, files))
}

func writeOverlay(t *testing.T, replace map[string]string) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(t.TempDir(), "overlay.json")
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
	// Under an overlay the compiler names the replacement file.
	if res.Passed || !strings.HasPrefix(res.Message, "your code does not compile:\n") ||
		!strings.Contains(res.Message, "broken.go:3:31: invalid operation") {
		t.Errorf("passed %v, message %q; want a failure that quotes the compiler", res.Passed, res.Message)
	}
	// The check gave no hint of its own, and none of the lesson's is shown
	// unasked: the first often gives the answer away.
	if res.Hint != "" {
		t.Errorf("hint %q; want none", res.Hint)
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

// Lesson 04's exercise is about shared state, so the tutor checks it under
// the race detector wherever cgo makes that possible; no other lesson pays
// for it.
func TestOnlyLesson04ChecksUnderRace(t *testing.T) {
	cgo, err := exec.Command("go", "env", "CGO_ENABLED").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range tour.All() {
		got := slices.Contains(check.Command(l.Exercise()), "-race")
		want := l.Slug == "04-errors" && strings.TrimSpace(string(cgo)) == "1"
		if got != want {
			t.Errorf("%s: the check's command %q; want -race: %v", l.Slug, check.Command(l.Exercise()), want)
		}
	}
}
