// want: then was still waiting 9m10s later, with nothing cancelled: its pause never ended
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
	t := time.NewTimer(every)
	defer t.Stop()
	for i, to := range recipients {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
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
