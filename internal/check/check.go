// Package check verifies a learner's exercise code as it is on disk now.
//
// A check is the exercise's own test, exercise/check_test.go, built with the
// tag "check" so that a plain go test ./... leaves the unsolved starter alone.
// Run runs it with go test -json and turns the result into words for the
// learner: the step that failed, what is wrong and a hint.
package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/bgtasks/tutorial/lessons"
)

// Limits of one check. A learner's code may block forever or print without
// end; neither may hang the tutor or fill its memory.
const (
	// Timeout bounds a whole check, compiling included.
	Timeout = 2 * time.Minute
	// TestTimeout is go test's own -timeout: a check that blocks fails with
	// the name of the running test well before Timeout kills the process.
	TestTimeout = time.Minute
	// maxKept is how much of go test's output Run reads; the rest is dropped.
	maxKept = 1 << 20
	// maxShown caps Result.Output.
	maxShown = 16 << 10
)

// Result is the outcome of checking one lesson's exercise.
type Result struct {
	Lesson string `json:"lesson"`
	Passed bool   `json:"passed"`
	// Step is the failing step as "N/M" (step N of M), from the check's
	// "step N/M: ..." line; empty when the code did not compile or the check
	// failed in some other way.
	Step    string        `json:"step,omitempty"`
	Message string        `json:"message,omitempty"` // what is wrong, for the learner
	Hint    string        `json:"hint,omitempty"`    // the check's hint, else the lesson's first
	Output  string        `json:"output,omitempty"`  // go test's output, trimmed and capped
	Took    time.Duration `json:"took"`
}

// Command returns the go command line that checks l, as run in the
// repository's root.
func Command(l lessons.Lesson) []string {
	return []string{"go", "test", "-tags", "check", "-count=1", "-timeout", TestTimeout.String(),
		"-json", "./" + l.Dir() + "/exercise"}
}

// Run checks l's exercise in the repository at root. The error reports a
// check that could not run at all (no go command, no such folder, no check
// test, ctx ended); a failing exercise is a Result with Passed false.
//
// go test and everything it starts are killed when ctx ends or Timeout
// passes.
func Run(ctx context.Context, root string, l lessons.Lesson) (Result, error) {
	return runCheck(ctx, root, l)
}

// runCheck is Run with extra flags for go test, such as the -overlay with
// which the tests check a solution without touching the exercise's files.
func runCheck(ctx context.Context, root string, l lessons.Lesson, flags ...string) (Result, error) {
	start := time.Now()
	res := Result{Lesson: l.Slug}
	dir := filepath.Join(root, filepath.FromSlash(l.Dir()), "exercise")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return res, fmt.Errorf("checking %s: no exercise folder at %s", l.Slug, dir)
	}

	limited, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	args := Command(l)
	args = append(args[:len(args)-1:len(args)-1], append(flags, args[len(args)-1])...)
	stdout, stderr, err := run(limited, root, args[0], args[1:]...)
	res.Took = time.Since(start)
	if ctx.Err() != nil {
		return res, fmt.Errorf("checking %s: %w", l.Slug, context.Cause(ctx))
	}
	if limited.Err() != nil {
		res.Message = fmt.Sprintf("the check did not finish within %s and was stopped", Timeout)
		res.Output = capText(string(stderr))
		res.Hint = firstHint(l)
		return res, nil
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return res, fmt.Errorf("checking %s: running go test (the go command is needed for checks): %w", l.Slug, err)
	}

	rep := parse(stdout)
	switch {
	case rep.noTests:
		return res, fmt.Errorf("checking %s: no check ran: %s/exercise has no check_test.go with //go:build check", l.Slug, l.Dir())
	case !rep.sawPackage:
		// go test stopped before testing anything (a broken go.mod, say):
		// what it has to say is on stderr.
		msg := firstLines(string(stderr), 10)
		if msg == "" {
			msg = firstLines(string(stdout), 10)
		}
		return res, fmt.Errorf("checking %s: go test failed: %s", l.Slug, msg)
	}
	rep.fill(&res)
	if err == nil && !res.Passed {
		// go test exited 0 but reported no pass: trust the exit status
		// only together with the stream.
		res.Message = "go test reported no result for the check"
	}
	if exit != nil && res.Passed {
		res.Passed = false
		res.Message = "go test failed: " + firstLines(string(stderr), 10)
	}
	if !res.Passed && res.Hint == "" {
		res.Hint = firstHint(l)
	}
	return res, nil
}

func firstHint(l lessons.Lesson) string {
	if h := l.Hints(); len(h) > 0 {
		return h[0]
	}
	return ""
}
