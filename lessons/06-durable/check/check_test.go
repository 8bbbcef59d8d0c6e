package check

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The exercise's check, run as the tutor runs it (go test -tags check
// -json on the exercise folder), fails on the starter with a step and a
// hint, passes on the solution, and fails on each recorded wrong solution
// with the message its first line promises. The solution and the wrong
// solutions replace the starter through go test -overlay: nothing on disk
// changes.
func TestCheckVerdicts(t *testing.T) {
	exercise, err := filepath.Abs(filepath.Join("..", "exercise"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("starter", func(t *testing.T) {
		t.Parallel()
		passed, msg := runCheck(t, exercise, "")
		if passed || !strings.HasPrefix(msg, "step 1/4: ") || !strings.Contains(msg, "\nhint: ") {
			t.Errorf("the starter: passed %v with\n%s\nwant step 1/4 and a hint", passed, msg)
		}
	})
	t.Run("solution", func(t *testing.T) {
		t.Parallel()
		b, err := os.ReadFile(filepath.Join(exercise, "..", "solution", "solution.go"))
		if err != nil {
			t.Fatal(err)
		}
		solved := regexp.MustCompile(`(?m)^package solution$`).ReplaceAll(b, []byte("package exercise"))
		path := filepath.Join(t.TempDir(), "solution.go")
		if err := os.WriteFile(path, solved, 0o644); err != nil {
			t.Fatal(err)
		}
		if passed, msg := runCheck(t, exercise, path); !passed {
			t.Errorf("the solution fails its check:\n%s", msg)
		}
	})
	wrong, _ := filepath.Glob(filepath.Join("testdata", "wrong", "*.go"))
	if len(wrong) == 0 {
		t.Fatal("no wrong solutions in testdata/wrong")
	}
	for _, path := range wrong {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".go"), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(b), "\n")
			want, ok := strings.CutPrefix(first, "// want: ")
			if !ok {
				t.Fatalf("%s must begin with a line // want: <what the learner should read>", path)
			}
			abs, _ := filepath.Abs(path)
			passed, msg := runCheck(t, exercise, abs)
			if passed || !strings.Contains(msg, want) || !regexp.MustCompile(`^step \d/4: `).MatchString(msg) {
				t.Errorf("passed %v with\n%s\nwant a failure whose step line says %q", passed, msg, want)
			}
		})
	}
}

// runCheck runs the exercise's check, with replacement, if not empty, in
// place of exercise.go, and returns whether it passed and what TestCheck
// said, each line without the file and line go test puts before it.
func runCheck(t *testing.T, exercise, replacement string) (bool, string) {
	t.Helper()
	args := []string{"test", "-tags", "check", "-count=1", "-json"}
	if replacement != "" {
		overlay, err := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(exercise, "exercise.go"): replacement}})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "overlay.json")
		if err := os.WriteFile(path, overlay, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-overlay", path)
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = exercise
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, _ := cmd.Output() // a failing check exits 1: the stream says why
	var passed, saw bool
	var said []string
	for line := range bytes.Lines(out) {
		var e struct{ Action, Test, Output string }
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		switch {
		case e.Test == "" && e.Action == "pass":
			passed, saw = true, true
		case e.Test == "" && e.Action == "fail":
			saw = true
		case e.Test == "TestCheck" && e.Action == "output":
			said = append(said, e.Output)
		}
	}
	if !saw {
		t.Fatalf("go test reported nothing for the exercise:\n%s%s", out, stderr.Bytes())
	}
	return passed, message(said)
}

// message is what t.Fatal printed, as the learner reads it.
func message(output []string) string {
	var lines []string
	located := regexp.MustCompile(`^\s+\S+\.go:\d+: `)
	for _, o := range output {
		for line := range strings.Lines(o) {
			line = strings.TrimRight(line, "\n")
			switch {
			case located.MatchString(line):
				lines = append(lines, located.ReplaceAllString(line, ""))
			case len(lines) > 0 && strings.HasPrefix(line, "        "):
				lines = append(lines, strings.TrimPrefix(line, "        "))
			}
		}
	}
	return strings.Join(lines, "\n")
}
