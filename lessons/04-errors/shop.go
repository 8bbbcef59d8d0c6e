package failures

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// chargeCard and sendReceipt succeed; they log what a real shop would do.
func chargeCard(ctx context.Context, log *slog.Logger, order uint64) error {
	log.InfoContext(ctx, "card charged", "order", order)
	return nil
}

func sendReceipt(ctx context.Context, log *slog.Logger, order uint64) error {
	log.InfoContext(ctx, "receipt sent", "order", order)
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
