package durable

import (
	"context"
	"fmt"
	"net/http"

	"github.com/bgtasks/tutorial/bgtasks"
)

// placeOrderInProcess is placeOrder as lessons 01-05 would write it: it
// stores the order, then queues the confirmation in a bgtasks task. The task
// lives in memory only. If the process dies before it has run, the order is
// stored and its confirmation is never sent, and nothing remembers that it
// was due.
func (s *Shop) placeOrderInProcess(w http.ResponseWriter, r *http.Request) {
	var o Order
	if status, err := decodeJSON(w, r, &o); err != nil {
		writeError(w, status, err)
		return
	}
	if status, err := o.validate(); err != nil {
		writeError(w, status, err)
		return
	}
	if err := s.db.QueryRowContext(r.Context(), insertOrder, o.Email, o.Item, o.Quantity).Scan(&o.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	bgtasks.From(r.Context()).Add("email confirmation", func(ctx context.Context) error {
		m := Mail{Key: fmt.Sprintf("order-%d-confirmation", o.ID), To: o.Email,
			Body: fmt.Sprintf("Thank you: order %d is confirmed.", o.ID)}
		if err := s.mailer.Send(ctx, m); err != nil {
			return err
		}
		_, err := s.db.ExecContext(ctx, `INSERT INTO confirmations (order_id, job_id, attempt) VALUES ($1, 0, 1)`, o.ID)
		return err
	})
	writeJSON(w, http.StatusCreated, o)
}
