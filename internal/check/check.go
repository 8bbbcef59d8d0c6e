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
	"strings"
	"sync"
	"time"
)

// Limits of one check. A learner's code may block forever or print without
// end; neither may hang the tutor or fill its memory.
const (
	// Timeout bounds a whole check, compiling included. The tests have a
	// limit of their own, so this one is for the build: lesson 06's first
	// check compiles River and SQLite, about a minute and a half on a cold
	// build cache.
	Timeout = 4 * time.Minute
	// TestTimeout is go test's own -timeout: a check that blocks fails with
	// the name of the running test. It starts with the tests, after the
	// build; a test binary that outlives it by binaryGrace (a loop in init,
	// which -timeout cannot see) is stopped by run.
	TestTimeout = 30 * time.Second
	// maxKept bounds what Run keeps of go test's output: of stderr, the
	// first maxKept bytes; of stdout, every event and what failing tests
	// said, but of the rest only maxKept bytes (see stream in run.go). How
	// much go test may print at all is maxOutput.
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
	Step    string `json:"step,omitempty"`
	Message string `json:"message,omitempty"` // what is wrong, for the learner
	// Hint is the check's own "hint: ..." line, in Markdown, else
	// Exercise.Hint. It is never one of the lesson's hints, which may give
	// the answer away: a learner asks for those.
	Hint   string        `json:"hint,omitempty"`
	Output string        `json:"output,omitempty"` // go test's output, trimmed and capped
	Took   time.Duration `json:"took"`
}

// An Exercise is what Run checks: a folder holding the learner's code and
// its check_test.go.
type Exercise struct {
	Lesson string // the lesson's slug, such as "01-basic", for messages
	Dir    string // the exercise's folder, relative to the root, with slashes
	// Hint is shown when the check gives none of its own. It must not give
	// the answer away.
	Hint string
	// Overlay, if set, is a go build -overlay file: it checks other code in
	// the exercise's place, or adds the check_test.go, without touching the
	// files on disk.
	Overlay string
	// Show, if set, is how messages name Dir, such as "learn/01-basic" for
	// a learner's copy checked in the learn module: the compiler's paths
	// in Dir are rewritten to it, so that they name the file to open.
	Show string
	// Race runs the check under the race detector, where the machine can:
	// it needs cgo, and without it the check runs as it can and its own
	// words say the detector was off.
	Race bool
}

// Command returns the go command line that checks ex, as run in the
// repository's root.
func Command(ex Exercise) []string {
	args := []string{"go", "test", "-tags", "check", "-count=1", "-timeout", TestTimeout.String(), "-json"}
	if ex.Race && cgoEnabled() {
		args = append(args, "-race")
	}
	return append(args, "./"+ex.Dir)
}

// cgoEnabled reports whether go test -race can work here: the race detector
// needs cgo, which the go command turns off where it finds no C compiler.
var cgoEnabled = sync.OnceValue(func() bool {
	out, err := exec.Command("go", "env", "CGO_ENABLED").Output()
	return err == nil && strings.TrimSpace(string(out)) == "1"
})

// Run checks l's exercise in the module at root: the repository for the
// course's own exercise folders, or the learner's workspace. The error reports a
// check that could not run at all (no go command, no such folder, no check
// test, ctx ended); a failing exercise is a Result with Passed false.
//
// go test and everything it starts are killed when ctx ends or Timeout
// passes.
func Run(ctx context.Context, root string, l Exercise) (Result, error) {
	start := time.Now()
	res := Result{Lesson: l.Lesson}
	dir := filepath.Join(root, filepath.FromSlash(l.Dir))
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return res, fmt.Errorf("checking %s: no exercise folder at %s", l.Lesson, dir)
	}

	limited, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	args := Command(l)
	if l.Overlay != "" {
		args = append(args[:len(args)-1:len(args)-1], "-overlay", l.Overlay, args[len(args)-1])
	}
	stdout, stderr, err := run(limited, root, args[0], args[1:]...)
	res.Took = time.Since(start)
	if ctx.Err() != nil {
		return res, fmt.Errorf("checking %s: %w", l.Lesson, context.Cause(ctx))
	}
	if limited.Err() != nil {
		res.Message = fmt.Sprintf("the check did not finish within %s and was stopped", Timeout)
		res.Output = capText(string(stderr))
		res.Hint = l.Hint
		return res, nil
	}
	var stopped *stopError
	if errors.As(err, &stopped) {
		// The learner's code printed too much or never returned: run
		// stopped go test, and says which.
		res.Message = stopped.msg
		res.Output = l.rename(root, stoppedOutput(stdout))
		res.Hint = l.Hint
		return res, nil
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return res, fmt.Errorf("checking %s: running go test (the go command is needed for checks): %w", l.Lesson, err)
	}

	rep := parse(stdout)
	switch {
	case rep.noTests:
		return res, fmt.Errorf("checking %s: no check ran: %s has no check_test.go with //go:build check", l.Lesson, l.Dir)
	case !rep.sawPackage:
		// go test stopped before testing anything (a broken go.mod, say):
		// what it has to say is on stderr.
		msg := firstLines(string(stderr), 10)
		if msg == "" {
			msg = firstLines(string(stdout), 10)
		}
		return res, fmt.Errorf("checking %s: go test failed: %s", l.Lesson, l.rename(root, msg))
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
		res.Hint = l.Hint
	}
	res.Message, res.Output = l.rename(root, res.Message), l.rename(root, res.Output)
	return res, nil
}
