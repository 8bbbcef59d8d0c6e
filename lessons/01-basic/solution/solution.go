// Package solution solves the exercise of lesson 01-basic: a shop that
// takes orders. Placing an order must answer at once, then charge the card
// and send the receipt in the background, in that order.
package solution

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

// NewApp returns the shop. Its tasks append to orders.txt in dir. Serve it
// through a bgtasks.Runner's Middleware.
func NewApp(dir string) http.Handler {
	s := &shop{journal: filepath.Join(dir, "orders.txt")}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.placeOrder)
	return mux
}

type shop struct {
	journal string
	mu      sync.Mutex
}

type order struct {
	Email string `json:"email"`
	Item  string `json:"item"`
}

// placeOrder answers 202 at once; the card and the receipt come after.
func (s *shop) placeOrder(w http.ResponseWriter, r *http.Request) {
	var o order
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return
	}
	if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("invalid email address %q", o.Email)})
		return
	}
	if o.Item == "" || len(o.Item) > 200 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `"item" must be 1 to 200 bytes`})
		return
	}

	// Only a valid order reaches this point, so a refused one charges nobody.
	// The tasks run in the order added: no receipt before the payment.
	tasks := bgtasks.From(r.Context())
	tasks.Add("charge card", func(ctx context.Context) error { return s.chargeCard(ctx, o) })
	tasks.Add("send receipt", func(ctx context.Context) error { return s.sendReceipt(ctx, o) })

	writeJSON(w, http.StatusAccepted, map[string]string{"message": "Order received"})
}

// chargeCard stands in for a payment provider.
func (s *shop) chargeCard(ctx context.Context, o order) error {
	return s.record(fmt.Sprintf("charged card of %s for %s", o.Email, o.Item))
}

// sendReceipt stands in for a mail server.
func (s *shop) sendReceipt(ctx context.Context, o order) error {
	return s.record(fmt.Sprintf("receipt for %s sent to %s", o.Item, o.Email))
}

// record appends a line to orders.txt.
func (s *shop) record(line string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.journal, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
