package bgtasks

import (
	"context"
	"strconv"
	"time"
)

// Func is the work of one task. Its context carries the request's values
// but not its cancellation; see the package documentation.
type Func func(ctx context.Context) error

type queueKey struct{}

// From returns the task queue of the request whose context is ctx, or of the
// request that queued the task running with ctx. Tasks added through it see
// ctx's values.
//
// From panics if ctx never passed through a Runner's Middleware: a task
// queued there would never run, and a panic during development beats a task
// lost in production.
func From(ctx context.Context) Tasks {
	q, ok := ctx.Value(queueKey{}).(*queue)
	if !ok {
		panic(noQueue)
	}
	return Tasks{q: q, ctx: ctx}
}

const noQueue = "bgtasks: no task queue in this context; serve the handler through " +
	"(*bgtasks.Runner).Middleware, for example http.ListenAndServe(addr, runner.Middleware(mux)), " +
	"and pass r.Context() along to helpers"

// Tasks adds to one request's task queue. It is what From returns: a small
// value bound to the context it came from, which is why it is passed around
// as a context rather than stored. Its methods are safe for concurrent use.
type Tasks struct {
	q   *queue
	ctx context.Context
}

// A task is one call of Add.
type task struct {
	q     *queue
	name  string
	index int             // its place in the queue, from 0, refused tasks included
	ctx   context.Context // the context From was given: its values are the task's
	fn    Func
	run   detached // the context it runs with, set when it starts (a field: no allocation)
	next  *task    // the task after it in its queue, while it waits
}

// Add queues fn to run after the response, under name, which appears in logs
// and events. Tasks run in the order added; an empty name becomes "task N".
// Add may be called from the handler, a middleware, a helper, another
// goroutine, or a running task, whose addition runs after it.
//
// Add returns at once, with two exceptions. In synchronous mode, an Add made
// once the request's tasks have all ended runs fn itself, before returning.
// Under WithLimit(n, Block), such an Add waits for a free slot, as the
// middleware does; an Add from a running task to its own request never
// waits, since its request already holds a slot.
//
// Once the Runner is shutting down, or the handler has panicked, Add
// abandons fn at once, with a log line. Add panics if fn is nil.
func (h Tasks) Add(name string, fn Func) {
	if h.q == nil {
		panic(noQueue)
	}
	if fn == nil {
		panic("bgtasks: Add(" + strconv.Quote(name) + ", nil)")
	}
	q, r := h.q, h.q.runner
	tk := &task{q: q, name: name, ctx: h.ctx, fn: fn} // allocated before locking, to keep the lock short
	r.mu.Lock()
	r.number(tk)
	start, refused := r.accept(tk)
	r.mu.Unlock()

	r.emit(tk, Queued, time.Time{}, nil)
	switch {
	case refused != nil:
		r.abandon(tk, refused)
	case start:
		r.start(q)
	}
}
