// want: step 3/4: cancelled with a cause, "caller: digest withdrawn", SendDigest returned that cause, want the context's error (context.Canceled)

// Wrong: it returns context.Cause(ctx), not ctx.Err(), so a caller asking errors.Is(err, context.Canceled) is told no.
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
				return context.Cause(ctx)
			case <-time.After(every):
			}
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if err := send(ctx, to); err != nil {
			return err
		}
	}
	return nil
}
