package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The status a learner sees is go run's, not the tutor's: go run exits 1
// whenever the program exits non-zero, and says which status it was. The
// usage text says so; this proves it, by running the tutor as the README
// tells a learner to.
func TestExitStatusUnderGoRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the tutor with go run")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	goRun := func(args ...string) (code int, stdout, stderr string) {
		t.Helper()
		cmd := exec.Command("go", append([]string{"run", "./cmd/tutor"}, args...)...)
		cmd.Dir = root
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exit):
			code = exit.ExitCode()
		default:
			t.Fatalf("go run: %v", err)
		}
		return code, out.String(), errOut.String()
	}

	code, out, errOut := goRun("frobnicate")
	if code != 1 || !strings.HasPrefix(errOut, "tutor: unknown command \"frobnicate\"\nRun 'go run ./cmd/tutor help' for usage.\n") ||
		!strings.Contains(errOut, "exit status 2") || out != "" {
		t.Errorf("bad usage under go run: exit %d, stderr %q; want 1, the tutor's line, and go run's \"exit status 2\"", code, errOut)
	}
	code, out, _ = goRun("help")
	if code != 0 || !strings.Contains(out, "Under go run every failure exits 1") {
		t.Errorf("help under go run: exit %d, and the usage does not explain the exit status:\n%s", code, out)
	}
}
