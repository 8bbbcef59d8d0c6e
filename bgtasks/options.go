package bgtasks

import (
	"context"
	"log/slog"
)

// An Option configures a Runner.
type Option func(*Runner)

// WithLogger sets the logger for failed and abandoned tasks, and for a hook
// or observer that panics. The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(r *Runner) { r.log = l }
}

// WithErrorHook calls hook for every task that does not complete: one that
// returned an error, panicked or called runtime.Goexit, and one that was
// abandoned (its error wraps ErrAbandoned). ctx is the task's context, so
// request values such as a request ID are at hand. The hook runs on the
// task's goroutine, or on the goroutine that abandoned the task, and must be
// safe for concurrent use. If it panics, the panic is logged, naming the
// error hook, and recovered: the task is counted all the same, and its
// request's later tasks still run.
func WithErrorHook(hook func(ctx context.Context, err *TaskError)) Option {
	return func(r *Runner) { r.onError = hook }
}

// WithObserver calls observe for every step of every task: queued, started,
// completed, failed and abandoned. It is called synchronously from many
// goroutines, so it must be quick and safe for concurrent use. A panic in it
// is logged, naming the observer, and recovered, as for the error hook.
// A task's events arrive in order, with one exception: a task added from a
// goroutine of its own while its request's earlier tasks are running may be
// reported started just before it is reported queued.
func WithObserver(observe func(Event)) Option {
	return func(r *Runner) { r.observe = observe }
}

// Synchronous makes the middleware run a request's tasks itself, before it
// returns, as FastAPI's TestClient does. A test that calls the handler in
// process, with httptest.NewRecorder, may then assert the tasks' effects as
// soon as ServeHTTP returns.
//
// The response waits for the tasks. Like the default mode, synchronous mode
// never flushes, and net/http completes a response only once the handler
// chain has returned, so over a real connection the client too has its
// response only after the tasks have run, and the connection's next request
// waits for them. (A handler that flushes, or writes more than net/http
// buffers, sends the start of its response earlier; its end still waits.)
// That suits tests, not servers.
//
// A task queued once the request's tasks have ended runs at once, on the
// goroutine that queued it. If a task calls runtime.Goexit, as t.Fatal
// does, it ends the caller's goroutine: the request's remaining tasks are
// abandoned. Limits set by WithLimit do not apply.
func Synchronous() Option {
	return func(r *Runner) { r.sync = true }
}

// Overflow says what happens to a request's tasks when the limit set by
// WithLimit is reached.
type Overflow int

const (
	// Block makes whoever starts the request's tasks wait for a free slot:
	// the middleware, before it returns, so that net/http completes the
	// response, and reads the connection's next request, only then; or an
	// Add made once the request's earlier tasks have ended, before it
	// returns. That is backpressure: clients slow down to the pace of the
	// tasks, and goroutines stay bounded by the limit plus the server's
	// connections. A task that adds to another request's finished queue
	// waits too, while holding its own slot: should every slot be held so,
	// only Shutdown's deadline ends the wait.
	Block Overflow = iota
	// Drop abandons the request's tasks at once: each is logged, counted and
	// passed to the error hook. Nothing ever waits. Use it where shedding
	// work beats slowing down.
	Drop
)

// WithLimit lets at most n requests' tasks run at once; overflow decides
// what happens to a request whose tasks find no free slot. Since a
// request's tasks run one at a time, that is at most n tasks running. A
// request holds its slot until its queue is empty. Without a limit, every
// request that queued tasks gets its own goroutine. WithLimit suits a
// burst of slow or CPU-heavy tasks. It panics if n < 1.
func WithLimit(n int, overflow Overflow) Option {
	if n < 1 {
		panic("bgtasks: WithLimit needs n >= 1")
	}
	return func(r *Runner) {
		r.slots = make(chan struct{}, n)
		r.overflow = overflow
	}
}
