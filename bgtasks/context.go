package bgtasks

import (
	"context"
	"fmt"
)

// requestContext is the request's context as the middleware passes it on,
// carrying the request's queue for From. It does what
// context.WithValue(ctx, queueKey{}, q) would, in the same allocation as the
// queue: that saves a tenth of the middleware's cost on a request that
// queues nothing.
type requestContext struct {
	context.Context
	queue queue
}

func (c *requestContext) Value(key any) any {
	if key == (queueKey{}) {
		return &c.queue
	}
	return c.Context.Value(key)
}

// detached is the context a task runs with: the values of the context it
// was added with, without its cancellation, as context.WithoutCancel gives,
// but cancelled when Shutdown's deadline passes.
type detached struct {
	context.Context // context.WithoutCancel of the task's context: its values, no deadline
	stop            context.Context
}

func (r *Runner) detach(ctx context.Context) detached {
	return detached{Context: context.WithoutCancel(ctx), stop: r.stop}
}

func (c *detached) Done() <-chan struct{} { return c.stop.Done() }
func (c *detached) Err() error            { return c.stop.Err() }
func (c *detached) String() string        { return fmt.Sprint(c.Context) + ".WithShutdown" }

// AfterFunc is what context.AfterFunc and context.WithCancel use when they
// find it: a context derived from a task's, with context.WithTimeout say,
// then follows Shutdown without a goroutine of its own.
func (c *detached) AfterFunc(f func()) (stop func() bool) { return context.AfterFunc(c.stop, f) }
