// want: step 1/4: SendDigest paused 700ms between the end of the send to ada@example.com and the start of the next, want 1s

// Wrong: a time.Ticker paces the sends, so the time a send takes is cut from the pause after it.
package exercise

import (
	"context"
	"time"
)

// SendDigest calls send for each recipient in turn, pausing every between
// two sends so as not to flood the mail relay. It returns the first error of
// send, or ctx.Err() as soon as ctx is cancelled, sending nothing more.
func SendDigest(ctx context.Context, recipients []string, every time.Duration, send func(ctx context.Context, to string) error) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i, to := range recipients {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
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
