package bgtasks

import (
	"context"
	"fmt"
	"time"
)

// detached is the context a task runs with: the values of the context it
// was added with, without that context's cancellation, as
// context.WithoutCancel gives, but cancelled when the Runner's Shutdown
// deadline passes.
type detached struct {
	values context.Context
	stop   context.Context
}

func (r *Runner) detach(ctx context.Context) detached {
	return detached{values: context.WithoutCancel(ctx), stop: r.stop}
}

func (c *detached) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *detached) Done() <-chan struct{}       { return c.stop.Done() }
func (c *detached) Err() error                  { return c.stop.Err() }
func (c *detached) Value(key any) any           { return c.values.Value(key) }
func (c *detached) String() string              { return fmt.Sprint(c.values) + ".WithShutdown" }
