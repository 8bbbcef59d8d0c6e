package bgtasks

import (
	"context"
	"log/slog"
)

// An Option configures a Runner.
type Option func(*Runner)

// WithLogger sets the logger for failed and abandoned tasks. The default is
// slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(r *Runner) { r.log = l }
}

// WithErrorHook calls hook for every task that does not complete: one that
// returned an error or panicked, and one that was abandoned (its error wraps
// ErrAbandoned). ctx is the task's context, so request values such as a
// request ID are at hand. The hook runs on the task's goroutine, or on the
// goroutine that abandoned the task, and must be safe for concurrent use.
func WithErrorHook(hook func(ctx context.Context, err *TaskError)) Option {
	return func(r *Runner) { r.onError = hook }
}

// WithObserver calls observe for every step of every task: queued, started,
// finished, failed and abandoned. It is called synchronously from many
// goroutines, so it must be quick and safe for concurrent use. A task's
// events arrive in order, with one exception: a task added from a goroutine
// of its own while its request's earlier tasks are running may be reported
// started just before it is reported queued.
func WithObserver(observe func(Event)) Option {
	return func(r *Runner) { r.observe = observe }
}

// Synchronous makes the middleware run a request's tasks itself, after the
// response has been flushed and before it returns, as FastAPI's TestClient
// does. A test that calls the handler in process, with
// httptest.NewRecorder, may then assert the tasks' effects as soon as
// ServeHTTP returns. Over a real connection the client may still read the
// response before the tasks end, since it was flushed first: use Wait there.
// A task queued once the request is over runs at once, on the goroutine that
// queued it. Limits set by WithLimit do not apply.
func Synchronous() Option {
	return func(r *Runner) { r.sync = true }
}

// Overflow says what a request does with its tasks when the limit set by
// WithLimit is reached.
type Overflow int

const (
	// Block makes the middleware wait for a free slot before it returns. The
	// response has already been sent, but the connection's next request waits
	// too: backpressure. Memory stays bounded by the server's connections.
	Block Overflow = iota
	// Drop abandons the request's tasks at once: each is logged, counted and
	// passed to the error hook. Use it where shedding work beats slowing down.
	Drop
)

// WithLimit lets at most n tasks run at once across all requests; overflow
// decides what happens to a request whose tasks find no free slot. Without a
// limit, every request that queued tasks gets its own goroutine.
// WithLimit panics if n < 1.
func WithLimit(n int, overflow Overflow) Option {
	if n < 1 {
		panic("bgtasks: WithLimit needs n >= 1")
	}
	return func(r *Runner) {
		r.slots = make(chan struct{}, n)
		r.overflow = overflow
	}
}
