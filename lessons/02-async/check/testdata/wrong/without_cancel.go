// want: step 3/4: the digest was cancelled while send was mailing the second recipient, and the context send had been handed did not end
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
		// A mail already handed to the relay should go out, even if the
		// digest is cancelled meanwhile.
		if err := send(context.WithoutCancel(ctx), to); err != nil {
			return err
		}
	}
	return nil
}
