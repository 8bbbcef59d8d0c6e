package bgtasks

import (
	"context"
	"fmt"
	"time"
)

// detached is the context tasks run with: the request's values, without the
// request's cancellation (context.WithoutCancel), but cancelled when the
// Runner's Shutdown deadline passes.
type detached struct {
	values context.Context
	stop   context.Context
}

func (c detached) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c detached) Done() <-chan struct{}       { return c.stop.Done() }
func (c detached) Err() error                  { return c.stop.Err() }
func (c detached) Value(key any) any           { return c.values.Value(key) }
func (c detached) String() string              { return fmt.Sprint(c.values) + ".WithShutdown" }
