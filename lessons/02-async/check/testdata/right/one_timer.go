// Right: one timer, reset for each pause and stopped at the end.
package exercise

import (
	"context"
	"time"
)

// SendDigest with one timer, reset between sends and stopped at the end.
func SendDigest(ctx context.Context, recipients []string, every time.Duration, send func(ctx context.Context, to string) error) error {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for i, to := range recipients {
		if i > 0 {
			if timer == nil {
				timer = time.NewTimer(every)
			} else {
				timer.Reset(every)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-timer.C:
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if err := send(ctx, to); err != nil {
			return err
		}
	}
	return nil
}
