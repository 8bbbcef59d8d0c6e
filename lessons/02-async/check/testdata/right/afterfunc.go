// Right: time.AfterFunc and context.AfterFunc feed one channel.
package exercise

import (
	"context"
	"time"
)

// SendDigest: the loop waits on a channel fed by a context.AfterFunc and a timer.
func SendDigest(ctx context.Context, recipients []string, every time.Duration, send func(ctx context.Context, to string) error) error {
	if len(recipients) == 0 {
		return nil
	}
	for i := 0; i < len(recipients); i++ {
		if i > 0 {
			wake := make(chan struct{}, 2)
			t := time.AfterFunc(every, func() { wake <- struct{}{} })
			stop := context.AfterFunc(ctx, func() { wake <- struct{}{} })
			<-wake
			t.Stop()
			stop()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := send(ctx, recipients[i]); err != nil {
			return err
		}
	}
	return nil
}
