package check

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The check is proved three ways, as every exercise's is: the starter fails
// it with a message that says what to do, the solution passes, and each
// wrong solution a hurried learner might write, kept whole in
// testdata/wrong, fails at the step its second line names, with the words
// its first line quotes. Some right
// solutions written other ways, in testdata/right, pass too.

func TestStarterFails(t *testing.T) {
	t.Parallel()
	err := exercise(t.Context(), exerciseDir(t), nil)
	want := "step 3/11: your test passed where it must fail, against a copy of the app that answers 202 and queues no task, so log.txt never appears"
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "\nhint: ") {
		t.Errorf("the starter: check said %v\nwant a message starting %q, with a hint", err, want)
	}
}

func TestSolutionPasses(t *testing.T) {
	t.Parallel()
	if err := exercise(t.Context(), exerciseDir(t), asLearner(t, solutionFile(t))); err != nil {
		t.Errorf("the solution fails its check:\n%v", err)
	}
}

func TestWrongSolutionsFail(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "wrong", "*_test.go.txt"))
	if len(files) == 0 {
		t.Fatal("no wrong solutions in testdata/wrong")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), "_test.go.txt"), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitN(string(b), "\n", 3)
			want, ok := strings.CutPrefix(lines[0], "// want: ")
			step, ok2 := strings.CutPrefix(lines[1], "// step: ")
			if !ok || !ok2 {
				t.Fatalf("%s must start with the lines // want: <what the check says> and // step: <N/M>", file)
			}
			err = exercise(t.Context(), exerciseDir(t), asLearner(t, file))
			t.Logf("the check says:\n%v", err)
			if err == nil || !strings.HasPrefix(err.Error(), "step "+step+": ") || !strings.Contains(err.Error(), want) {
				t.Errorf("check said %v\nwant step %s, with a message containing %q", err, step, want)
			}
			if err != nil && !strings.Contains(err.Error(), "\nhint: ") {
				t.Errorf("no hint in %v", err)
			}
		})
	}
}

func TestRightSolutionsPass(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "right", "*_test.go.txt"))
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), "_test.go.txt"), func(t *testing.T) {
			t.Parallel()
			if err := exercise(t.Context(), exerciseDir(t), asLearner(t, file)); err != nil {
				t.Errorf("a right solution fails the check:\n%v", err)
			}
		})
	}
}

// exerciseDir is the course's exercise folder, where the check runs the
// learner's test.
func exerciseDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "exercise"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func solutionFile(t *testing.T) string {
	t.Helper()
	return filepath.Join("..", "solution", learnerFile)
}

// asLearner returns an overlay under which the exercise's
// notification_test.go holds file, in package exercise, as a learner's
// copy would.
func asLearner(t *testing.T, file string) overlay {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("\npackage solution\n"), []byte("\npackage exercise\n"), 1)
	if bytes.HasPrefix(b, []byte("package solution\n")) {
		b = append([]byte("package exercise\n"), b[len("package solution\n"):]...)
	}
	moved := filepath.Join(t.TempDir(), learnerFile)
	if err := os.WriteFile(moved, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return overlay{filepath.Join(exerciseDir(t), learnerFile): moved}
}
