package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// The probes call the hook straight, as the runner would, in ways the
// lesson's app does not: many at once, with an awkward error text, many
// times in a row, and on a file that cannot be written.

// probeRounds is how many times the concurrent probe makes two calls of a
// new hook at once. Two calls, not more: the race detector remembers only
// the last four accesses to each word of memory, and more goroutines could
// push out the one that conflicts, so that a race would be caught on some
// runs and not on others. Each round has a hook of its own, so rounds give
// it fresh chances rather than more accesses to forget.
const probeRounds = 4

// probeCalls is how many calls the concurrent probe makes in all.
const probeCalls = 2 * probeRounds

// awkward is an error text that JSON must escape: a quote, a backslash, a
// tab, a line break, a control character a remote terminal sent (which Go's
// %q quotes as \x1b, which is not JSON), and a non-ASCII letter.
const awkward = "relay said \"no\" to C:\\queue\tthen hung up\x1b[0m\nretry later, Zoë"

// probeError is the failure the probes report, by number.
func probeError(i int) *bgtasks.TaskError {
	return &bgtasks.TaskError{Task: fmt.Sprintf("probe %d", i), Method: "POST", Path: fmt.Sprintf("/probe/%d", i), Err: errors.New(awkward)}
}

// probeEntry is what probeError(i) must leave in the file.
func probeEntry(i int) string {
	return fmt.Sprintf("probe %d|POST|/probe/%d|%s", i, i, awkward)
}

// callsAtOnce makes probeRounds rounds of two calls released together, of
// a hook newHook returns each round, in a subtest of t. Nothing orders the
// two calls of a round, so under the race detector any state they share
// without a lock is reported, and fails the subtest: raced says so. stuck
// says the calls did not all return within limit.
func callsAtOnce(t *testing.T, newHook func() func(context.Context, *bgtasks.TaskError), limit time.Duration) (raced, stuck bool, panicked any) {
	var mu sync.Mutex
	passed := t.Run("hooks at once", func(t *testing.T) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			for round := range probeRounds {
				hook, start := newHook(), make(chan struct{})
				var wg sync.WaitGroup
				for i := range 2 {
					wg.Go(func() {
						<-start
						if v := call(hook, probeError(2*round+i)); v != nil {
							mu.Lock()
							panicked = v
							mu.Unlock()
						}
					})
				}
				close(start)
				wg.Wait()
			}
		}()
		select {
		case <-done:
		case <-time.After(limit):
			mu.Lock()
			stuck = true
			mu.Unlock()
		}
	})
	mu.Lock()
	defer mu.Unlock()
	return !passed && !stuck, stuck, panicked
}

// openFilesAfter makes a hook for path, calls it n times in a row and
// returns how many more files the process has open on path than before the
// hook was made, or -1 where it cannot tell. It counts right only while the
// garbage collector is held off, by holdGC: the collector closes lost files
// whenever it runs.
func openFilesAfter(newHook func(path string) func(context.Context, *bgtasks.TaskError), path string, n int) int {
	before := openFiles(path)
	if before < 0 {
		return -1
	}
	hook := newHook(path)
	for i := range n {
		call(hook, probeError(i))
	}
	return openFiles(path) - before
}

// holdGC turns the garbage collector off, after one last collection, until
// the function it returns is called; a memory limit still lets it run before
// a runaway hook exhausts memory.
func holdGC() (restore func()) {
	runtime.GC()
	percent := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(1 << 30)
	return func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(percent)
	}
}

// openFiles counts the process's file descriptors open on path, where the
// system says what each is open on (Linux), so that a connection of step 3
// that the runtime closes late cannot hide a file the hook left open; it
// counts them all where the system only lists them, and returns -1 where it
// does not.
func openFiles(path string) int {
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
			path = filepath.Join(dir, filepath.Base(path))
		}
		n := 0
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && target == path {
				n++
			}
		}
		return n
	}
	if fds, err := os.ReadDir("/dev/fd"); err == nil {
		return len(fds)
	}
	return -1
}

// namesOpenFiles says whether openFiles counts only the files open on its
// path (Linux), rather than every file.
func namesOpenFiles() bool {
	_, err := os.ReadDir("/proc/self/fd")
	return err == nil
}
