package bgtasks

import (
	"errors"
	"fmt"
	"time"
)

// ErrAbandoned is wrapped by the error of every task that never ran to its
// end: the runner was shutting down or its deadline passed, the handler
// panicked, the limit's overflow policy was Drop, or, in synchronous mode,
// an earlier task ended the caller's goroutine.
var ErrAbandoned = errors.New("bgtasks: task abandoned")

// ErrGoexit is the error of a task that called runtime.Goexit, which is what
// t.Fatal and t.FailNow do. A task is not a test's goroutine: report with
// t.Error there, or return an error.
var ErrGoexit = errors.New("bgtasks: task called runtime.Goexit (t.Fatal or t.FailNow in a task?)")

func abandoned(reason string) error { return fmt.Errorf("%w: %s", ErrAbandoned, reason) }

var (
	errRefused       = abandoned("runner is shutting down")
	errDeadline      = abandoned("shutdown deadline passed")
	errHandlerPanic  = abandoned("handler panicked")
	errOverloaded    = abandoned("concurrency limit reached")
	errRunnerStopped = abandoned("runner stopped before a slot was free")
	errCallerGone    = abandoned("an earlier task called runtime.Goexit, ending the caller's goroutine (synchronous mode)")
)

// A TaskError describes a task that did not complete. It is what the error
// hook receives.
type TaskError struct {
	Task     string
	Method   string
	Path     string
	Duration time.Duration // how long it ran; zero if it never started
	// Err is what the task returned, a *PanicError, ErrGoexit, or an error
	// wrapping ErrAbandoned.
	Err error
}

// Error names the task and its request, then says what went wrong.
func (e *TaskError) Error() string {
	return fmt.Sprintf("bgtasks: task %q (%s %s): %v", e.Task, e.Method, e.Path, e.Err)
}

// Unwrap returns Err, so errors.Is and errors.As see the task's own error.
func (e *TaskError) Unwrap() error { return e.Err }

// A PanicError is the error of a task that panicked.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

// Error reports the panic value; the stack is in Stack.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// shutdownError is what Shutdown returns when its deadline passes.
type shutdownError struct {
	abandoned int
	running   int
	cause     error
}

func (e *shutdownError) Error() string {
	return fmt.Sprintf("bgtasks: shutdown: %d task(s) abandoned (%d running, %d not started): %v",
		e.abandoned, e.running, e.abandoned-e.running, e.cause)
}

func (e *shutdownError) Unwrap() []error { return []error{ErrAbandoned, e.cause} }
