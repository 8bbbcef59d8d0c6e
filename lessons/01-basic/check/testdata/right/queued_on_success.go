// Right: the tasks are queued by a defer, only once the order is accepted.
package exercise

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"

	"github.com/bgtasks/tutorial/bgtasks"
)

// NewApp returns the shop. It keeps its audit log in dir/audit.log and
// mails with send, which may take a while, as a real mail server does.
// Serve it through a bgtasks.Runner's Middleware.
func NewApp(dir string, send func(ctx context.Context, to, body string) error) http.Handler {
	s := &shop{auditLog: filepath.Join(dir, "audit.log"), send: send}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.placeOrder)
	return mux
}

type shop struct {
	auditLog string
	send     func(ctx context.Context, to, body string) error
	mu       sync.Mutex // orders of different requests are noted at the same time
}

type order struct {
	Email string `json:"email"`
	Item  string `json:"item"`
}

// placeOrder checks the order and answers 202 Accepted.
func (s *shop) placeOrder(w http.ResponseWriter, r *http.Request) {
	var o order
	accepted := false
	defer func() {
		if !accepted {
			return
		}
		ctx := r.Context()
		bgtasks.From(ctx).Add("write audit", func(context.Context) error { return s.writeAudit(o) })
		bgtasks.From(ctx).Add("send confirmation", func(ctx context.Context) error { return s.sendConfirmation(ctx, o) })
	}()
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
	if o.Item == "" || len(o.Item) > 200 || strings.ContainsFunc(o.Item, unicode.IsControl) {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `"item" must be 1 to 200 bytes on one line`})
		return
	}

	accepted = true
	writeJSON(w, http.StatusAccepted, map[string]string{"message": "Order received"})
}

// writeAudit notes the order in audit.log.
func (s *shop) writeAudit(o order) error {
	return s.note(fmt.Sprintf("%s ordered %s", o.Email, o.Item))
}

// sendConfirmation mails the customer, then notes it in audit.log.
func (s *shop) sendConfirmation(ctx context.Context, o order) error {
	if err := s.send(ctx, o.Email, "Thank you for ordering "+o.Item+"."); err != nil {
		return fmt.Errorf("confirmation to %s: %w", o.Email, err)
	}
	return s.note("confirmation sent to " + o.Email)
}

// note appends one line to audit.log.
func (s *shop) note(line string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.auditLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		f.Close()
		return err
	}
	return f.Close() // a failed close can mean a lost line
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
