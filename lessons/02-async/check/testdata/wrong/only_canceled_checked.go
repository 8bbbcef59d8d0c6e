// want: step 4/4: with a context whose deadline had passed before it began, SendDigest sent to 1 recipient and returned "context deadline exceeded"
// Package exercise is the starter code of lesson 02-async: a digest mailer
// that must stop when its context is cancelled.
//
// Check your work with: go run ./cmd/tutor check 02
package exercise

import (
	"context"
	"errors"
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
		if errors.Is(ctx.Err(), context.Canceled) {
			return ctx.Err()
		}
		if err := send(ctx, to); err != nil {
			return err
		}
	}
	return nil
}
