// Package solution solves the exercise of lesson 02-async.
package solution

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
		// A context cancelled while send ran, or before the first one, ends
		// the digest here.
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := send(ctx, to); err != nil {
			return err
		}
	}
	return nil
}
