package dependencies

import (
	"context"
	"fmt"
	"time"
)

// A SendFunc delivers a mail, as a mail client would.
type SendFunc func(ctx context.Context, to, body string) error

// SendDelay is how long SimulatedSend takes: long enough to see on a
// timeline, as a real mail server's round trips would be.
const SendDelay = 70 * time.Millisecond

// SimulatedSend stands in for a mail server: it takes SendDelay, or less if
// ctx ends first.
func SimulatedSend(ctx context.Context, to, body string) error {
	t := time.NewTimer(SendDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sending to %s: %w", to, context.Cause(ctx))
	}
}
