// want: step 3/4: SendDigest returned, but left behind a goroutine of its own that is still waiting out the pause: exercise.SendDigest.func1
// Package exercise is the starter code of lesson 02-async: a digest mailer
// that must stop when its context is cancelled.
//
// Check your work with: go run ./cmd/tutor check 02
package exercise

import (
	"context"
	"time"
)

// SendDigest calls send for each recipient in turn, pausing every between
// two sends so as not to flood the mail relay. It returns the first error of
// send, or ctx.Err() as soon as ctx is cancelled, sending nothing more.
func SendDigest(ctx context.Context, recipients []string, every time.Duration, send func(ctx context.Context, to string) error) error {
	for i, to := range recipients {
		if i > 0 {
			// time.Sleep cannot be interrupted, so sleep on another goroutine.
			slept := make(chan struct{})
			go func() {
				time.Sleep(every)
				close(slept)
			}()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-slept:
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := send(ctx, to); err != nil {
			return err
		}
	}
	return nil
}
