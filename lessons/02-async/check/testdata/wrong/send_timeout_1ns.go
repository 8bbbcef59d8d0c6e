// want: step 1/4: SendDigest handed send a context with a deadline 1ns away, though the caller's context has none

// Wrong: each send gets a deadline 1ns away, which ends every real mail before it is sent.
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
		// hurry up
		sctx, cancel := context.WithTimeout(ctx, time.Nanosecond)
		err := send(sctx, to)
		cancel()
		if err != nil {
			return err
		}
	}
	return nil
}
