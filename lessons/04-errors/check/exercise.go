package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A HookFunc is the exercise's DeadLetterHook: it returns an error hook, for
// bgtasks.WithErrorHook, that appends each failed or abandoned task to the
// file at path as a line of JSON.
type HookFunc func(path string) func(ctx context.Context, err *bgtasks.TaskError)

// probeLimit bounds how long the probe's calls of the hook may take in all.
// They take microseconds; only a hook that never returns comes near it.
const probeLimit = 5 * time.Second

// Exercise checks the exercise. It calls a hook from deadLetterHook from
// two goroutines at once, round after round; calls another twice at once on
// a file whose writes wait, to see that one call writes at a time; serves
// the lesson's app on loopback with a third, sends three orders at once, a
// payment and a refund, waits for every task and reads deadletter.jsonl; then it counts the files a hook leaves open,
// gives one a file it cannot open and one it cannot write to, and reads its
// log.
//
// The calls at once show shared state only under the race detector, which
// fails the subtest that makes them: run the check with go test -race.
//
// The error's first line is "step N/7: what is wrong"; its last line may be
// "hint: where to look".
func Exercise(t *testing.T, deadLetterHook HookFunc) error {
	dir, err := os.MkdirTemp("", "bgtasks-check-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// From the first call on, files the hook fails to close stay open until
	// step 6 has counted them.
	defer holdGC()()
	c := &checker{t: t, dir: dir, hook: deadLetterHook}
	for _, step := range []func() error{c.callsAtOnce, c.oneAtATime, c.appFailures, c.awkwardErrors, c.closesFiles, c.reportsItsOwnFailure} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// checker holds what the steps share; they run in order.
type checker struct {
	t    *testing.T
	dir  string
	hook HookFunc
}

// probe is the file of the calls at once, which awkwardErrors reads.
func (c *checker) probe() string { return filepath.Join(c.dir, "probe.jsonl") }

// Step 1: calls at once share nothing without a lock, and all return. It
// runs first, so that a race is reported before the entries it may cost.
func (c *checker) callsAtOnce() error {
	if !raceDetector {
		c.t.Log("the race detector is off (go test without -race): step 1 cannot see state the hook's calls share without a lock")
	}
	raced, stuck, panicked := callsAtOnce(c.t, func() func(context.Context, *bgtasks.TaskError) { return c.hook(c.probe()) }, probeLimit)
	switch {
	case stuck:
		return fmt.Errorf("step 1/7: %d calls of the hook, made two at a time, had not all returned after %s: is a lock never released?\n"+
			"hint: a lock taken in the hook must be given back on every way out of it", probeCalls, probeLimit)
	case panicked != nil:
		return fmt.Errorf("step 1/7: the hook panicked: %v\n"+
			"hint: the runner recovers a hook's panic, but the failure it was told of is then lost", panicked)
	case raced:
		return errors.New("step 1/7: the hook's calls at once raced: the race detector caught two of them using the same variable, " +
			"with no lock between them (the check's full output holds its report)\n" +
			"hint: the runner calls the hook from many tasks at the same time; whatever the calls share needs a sync.Mutex around every use")
	}
	return nil
}

// Steps 3 to 5: the app's failures and abandoned task, one entry each.
func (c *checker) appFailures() error {
	path := filepath.Join(c.dir, "deadletter.jsonl")
	if err := serveAndFail(c.hook, path); err != nil {
		return err
	}
	what := fmt.Sprintf("after %d of the app's tasks failed or were abandoned", len(deadLetters))
	got, err := readDeadLetters(path, what)
	if err != nil {
		return err
	}
	return compare(got, deadLetters, what)
}

// Steps 4 and 5 again, for the calls at once: their error's text must
// survive the trip through JSON, and none may be lost.
func (c *checker) awkwardErrors() error {
	var want []string
	for i := range probeCalls {
		want = append(want, probeEntry(i))
	}
	slices.Sort(want)
	what := fmt.Sprintf("after %d calls of the hook, two at a time, each with the error %q", len(want), awkward)
	got, err := readDeadLetters(c.probe(), what)
	if err != nil {
		return err
	}
	return compare(got, want, what)
}

// Step 6: a call leaves no file open.
func (c *checker) closesFiles() error {
	const calls = 16
	n := openFilesAfter(c.hook, filepath.Join(c.dir, "open.jsonl"), calls)
	switch {
	case n >= calls/2:
		return fmt.Errorf("step 6/7: after %d calls, the hook had left files open, one or more per call: every failure costs a file descriptor, until the server can open no more\n"+
			"hint: close what you open, and look at Close's error: it can mean the line was lost", calls)
	case n > 0:
		return fmt.Errorf("step 6/7: after %d calls, the hook still holds %d file(s) open: a file kept open between failures is never closed, so what Close would report is never seen, and a process has only so many\n"+
			"hint: open the file for each entry and close it before returning, and look at Close's error: it can mean the line was lost", calls, n)
	}
	return nil
}
