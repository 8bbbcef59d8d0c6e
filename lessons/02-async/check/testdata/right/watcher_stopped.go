// Right: a watcher goroutine, stopped on return, and a child context for each send.
package exercise

import (
	"context"
	"time"
)

// SendDigest: a helper goroutine turns the end of ctx into a flag channel,
// and is told to quit when SendDigest returns.
func SendDigest(ctx context.Context, recipients []string, every time.Duration, send func(ctx context.Context, to string) error) error {
	stopped := make(chan struct{})
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		select {
		case <-ctx.Done():
			close(stopped)
		case <-quit:
		}
	}()
	for i, to := range recipients {
		if i > 0 {
			t := time.NewTimer(every)
			select {
			case <-stopped:
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		sctx, cancel := context.WithCancel(ctx)
		err := send(sctx, to)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}
