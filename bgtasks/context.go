package bgtasks

import (
	"context"
	"fmt"
	"time"
)

// taskContext is the context tk runs with: the values of the context it was
// added with, without that context's cancellation, as context.WithoutCancel
// gives, but cancelled when the Runner's Shutdown deadline passes.
func (r *Runner) taskContext(tk task) context.Context {
	return detached{values: context.WithoutCancel(tk.ctx), stop: r.stop}
}

type detached struct {
	values context.Context
	stop   context.Context
}

func (c detached) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c detached) Done() <-chan struct{}       { return c.stop.Done() }
func (c detached) Err() error                  { return c.stop.Err() }
func (c detached) Value(key any) any           { return c.values.Value(key) }
func (c detached) String() string              { return fmt.Sprint(c.values) + ".WithShutdown" }
