package check

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A check run in a module of its own, as the learner's workspace is, names
// the learner's file as Show says, quotes the compiler and says which
// import is missing; and the check's hint is never some other hint.
func TestRunShowsTheLearnersPath(t *testing.T) {
	mod := t.TempDir()
	write(t, filepath.Join(mod, "go.mod"), "module example.com/learn\n\ngo 1.25\n")
	if err := os.Mkdir(filepath.Join(mod, "01-basic"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(mod, "01-basic", "exercise.go"), "package exercise\n\nfunc Half(n int) int { return strings.Count(\"\", \"\") + n/2 }\n")
	write(t, filepath.Join(mod, "01-basic", "check_test.go"), "//go:build check\n\npackage exercise\n\nimport \"testing\"\n\nfunc TestCheck(t *testing.T) { _ = Half(2) }\n")

	res, err := Run(context.Background(), mod, Exercise{Lesson: "01-basic", Dir: "01-basic", Show: "learn/01-basic"})
	if err != nil {
		t.Fatal(err)
	}
	want := "your code does not compile:\nlearn/01-basic/exercise.go:3:31: undefined: strings\n" +
		`strings is a package: add import "strings" to learn/01-basic/exercise.go.`
	if res.Passed || res.Message != want {
		t.Errorf("Message =\n%s\nwant\n%s", res.Message, want)
	}
	if res.Hint != "" {
		t.Errorf("Hint = %q, want none: the check gave none and the exercise has none", res.Hint)
	}
	if !strings.Contains(res.Output, "learn/01-basic/exercise.go:3:31") {
		t.Errorf("Output names the file otherwise:\n%s", res.Output)
	}
}
