// want: step 1/4: SendDigest handed send a context with a deadline 1m0s away, though the caller's context has none
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
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(every):
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// Let a send finish once begun, but never hang on a slow relay.
		sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		err := send(sendCtx, to)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}
