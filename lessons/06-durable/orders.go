package durable

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
)

// An Order is what a customer asked for, once stored.
type Order struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Item     string `json:"item"`
	Quantity int    `json:"quantity"`
}

// catalog is what the shop sells.
var catalog = map[string]bool{"book": true, "mug": true, "pen": true}

// validate says what is wrong with an order, with the status to answer.
func (o Order) validate() (int, error) {
	if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email || len(o.Email) > 254 {
		return http.StatusBadRequest, fmt.Errorf("invalid email address %q", o.Email)
	}
	if o.Quantity < 1 || o.Quantity > 10 {
		return http.StatusBadRequest, errors.New("quantity must be 1 to 10")
	}
	if !catalog[o.Item] {
		return http.StatusNotFound, fmt.Errorf("no such item: %q", o.Item)
	}
	return 0, nil
}

// placeOrder is the HTTP side of store: it decodes and checks the order,
// stores it with its confirmation job, and answers.
func (s *Shop) placeOrder(w http.ResponseWriter, r *http.Request) {
	var o Order
	if status, err := decodeJSON(w, r, &o); err != nil {
		writeError(w, status, err)
		return
	}
	if status, err := o.validate(); err != nil {
		writeError(w, status, err)
		return
	}
	// A failed store rolls back both: the customer hears that the order
	// failed, rather than never hearing about an order that exists.
	if err := s.store(r.Context(), &o); err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.InfoContext(r.Context(), "order placed", "order", o.ID)
	writeJSON(w, http.StatusCreated, o)
}

// store saves o and queues its confirmation, in one transaction.
func (s *Shop) store(ctx context.Context, o *Order) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	if err := tx.QueryRowContext(ctx, insertOrder, o.Email, o.Item, o.Quantity).Scan(&o.ID); err != nil {
		return err
	}
	if _, err := s.queue.InsertTx(ctx, tx, ConfirmationArgs{OrderID: o.ID, Email: o.Email}, nil); err != nil {
		return err
	}
	return tx.Commit()
}

// insertOrder stores an order and returns its id, in either SQL dialect.
const insertOrder = `INSERT INTO orders (email, item, quantity) VALUES ($1, $2, $3) RETURNING id`

// An OrderStatus is an order and whether its confirmation was recorded.
type OrderStatus struct {
	Order
	Confirmed bool `json:"confirmed"`
}

// getOrder answers with the order and whether it is confirmed.
func (s *Shop) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeError(w, http.StatusBadRequest, fmt.Errorf("order id %q is not a positive number", r.PathValue("id")))
		return
	}
	st := OrderStatus{Order: Order{ID: id}}
	err = s.db.QueryRowContext(r.Context(), `SELECT email, item, quantity,
		EXISTS (SELECT 1 FROM confirmations WHERE order_id = orders.id)
		FROM orders WHERE id = $1`, id).Scan(&st.Email, &st.Item, &st.Quantity, &st.Confirmed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		writeError(w, http.StatusNotFound, fmt.Errorf("no order %d", id))
	case err != nil:
		s.fail(w, r, err)
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

// fail logs what went wrong and answers 500 without the details, which are
// the server's business.
func (s *Shop) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	writeError(w, http.StatusInternalServerError, errors.New("internal error"))
}
