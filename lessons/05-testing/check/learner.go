package check

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
)

// recorder is a apptests.T that records failures instead of reporting them. Like
// *testing.T, its Fatal methods stop the calling goroutine with
// runtime.Goexit, so they must be called from the test's own goroutine.
type recorder struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	failed   bool
	lines    []string
	cleanups []func()
}

func newRecorder() *recorder {
	ctx, cancel := context.WithCancel(context.Background())
	return &recorder{ctx: ctx, cancel: cancel}
}

func (r *recorder) Helper()                  {}
func (r *recorder) Context() context.Context { return r.ctx }

func (r *recorder) Cleanup(fn func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, fn)
}

func (r *recorder) TempDir() string {
	dir, err := os.MkdirTemp("", "bgtasks-check-")
	if err != nil {
		r.Fatalf("TempDir: %v", err)
	}
	r.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func (r *recorder) Log(args ...any)                 { r.add(false, fmt.Sprintln(args...)) }
func (r *recorder) Logf(format string, args ...any) { r.add(false, fmt.Sprintf(format, args...)) }
func (r *recorder) Error(args ...any)               { r.add(true, fmt.Sprintln(args...)) }
func (r *recorder) Errorf(format string, args ...any) {
	r.add(true, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatal(args ...any) {
	r.Error(args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) add(fail bool, line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = r.failed || fail
	r.lines = append(r.lines, strings.TrimRight(line, "\n"))
}

// report says whether the test failed and what it logged.
func (r *recorder) report() (failed bool, log string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed, strings.Join(r.lines, "\n")
}

// runCleanups runs the registered cleanups, last first, as testing does,
// even if one of them panics or calls Fatal.
func (r *recorder) runCleanups() {
	r.cancel()
	for {
		r.mu.Lock()
		if len(r.cleanups) == 0 {
			r.mu.Unlock()
			return
		}
		fn := r.cleanups[len(r.cleanups)-1]
		r.cleanups = r.cleanups[:len(r.cleanups)-1]
		r.mu.Unlock()
		r.guard(fn)
	}
}

// guard runs fn on a goroutine of its own, so that a Fatal stops only fn,
// and records a panic as a failure.
func (r *recorder) guard(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				r.add(true, fmt.Sprintf("panic: %v", v))
			}
		}()
		fn()
	}()
	<-done
}

// errTimeout is what record returns for a test that does not end in time.
type errTimeout struct{ after time.Duration }

func (e errTimeout) Error() string { return fmt.Sprintf("it did not finish within %s", e.after) }

// record runs test under a recorder and reports whether it failed and what
// it logged. A test still running after timeout is left behind: the check
// reports it, and its process ends soon after.
func record(timeout time.Duration, test func(apptests.T)) (failed bool, log string, err error) {
	r := newRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.guard(func() { test(r) })
		r.runCleanups()
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-done:
		failed, log = r.report()
		return failed, log, nil
	case <-timer.C:
		return false, "", errTimeout{timeout}
	}
}
