package failures

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// The shop's back office: one job that works, one that fails and one with a
// bug, as every real back office has.

// errCRMUnavailable is what the CRM answers today.
var errCRMUnavailable = errors.New("503 Service Unavailable")

// syncToCRM fails, as calls to other services sometimes do.
func syncToCRM(ctx context.Context, order uint64) error {
	return fmt.Errorf("crm: order %d: %w", order, errCRMUnavailable)
}

// orderStats counts orders per day.
type orderStats struct {
	perDay map[string]int // the bug: nothing ever makes this map
}

// record panics with "assignment to entry in nil map".
func (s *orderStats) record(order uint64) {
	s.perDay["today"]++
}

// NetworkDelay is how long each call to the card processor or the mail
// server takes in App: tens of milliseconds, as real round trips do.
const NetworkDelay = 60 * time.Millisecond

// services are the card processor and the mail server that an order's tasks
// call. They are simulated: each call takes delay, or less if ctx ends
// first, and succeeds.
type services struct {
	log   *slog.Logger
	delay time.Duration
}

// call stands in for a round trip to the service named by what.
func (s services) call(ctx context.Context, what string) error {
	t := time.NewTimer(s.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
}

// chargeCard and sendReceipt succeed; they log what a real shop would do.
func (s services) chargeCard(ctx context.Context, order uint64) error {
	if err := s.call(ctx, "card processor"); err != nil {
		return fmt.Errorf("charging order %d: %w", order, err)
	}
	s.log.InfoContext(ctx, "card charged", "order", order)
	return nil
}

func (s services) sendReceipt(ctx context.Context, order uint64) error {
	if err := s.call(ctx, "mail server"); err != nil {
		return fmt.Errorf("receipt for order %d: %w", order, err)
	}
	s.log.InfoContext(ctx, "receipt sent", "order", order)
	return nil
}

// errProviderDown is what the payment provider answers today.
var errProviderDown = errors.New("payment provider: connection refused")

// chargeProvider fails, so that POST /payments shows a handler that fails
// without panicking.
func chargeProvider(ctx context.Context, payment uint64) error {
	return fmt.Errorf("payment %d: %w", payment, errProviderDown)
}

// refundBook records open refunds.
type refundBook struct {
	open map[uint64]bool // the same bug: nothing ever makes this map
}

// add panics with "assignment to entry in nil map".
func (b *refundBook) add(refund uint64) {
	b.open[refund] = true
}
