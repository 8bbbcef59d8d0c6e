// want: step 2/4: send failed for the third recipient with "relay: 554 message rejected", and SendDigest returned "send to alan@example.com: relay: 554 message rejected"
// Package exercise is the starter code of lesson 02-async: a digest mailer
// that must stop when its context is cancelled.
//
// Check your work with: go run ./cmd/tutor check 02
package exercise

import (
	"context"
	"fmt"
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
		if err := send(ctx, to); err != nil {
			return fmt.Errorf("send to %s: %v", to, err)
		}
	}
	return nil
}
