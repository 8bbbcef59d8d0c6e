// Right: the list is used inside a closure that holds the lock.
package exercise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

// ErrAlreadySubscribed is returned by Subscribe for an address on the list.
var ErrAlreadySubscribed = errors.New("already subscribed")

// Welcome is the event Subscribe returns: this address should be welcomed.
type Welcome struct{ Email string }

// A Newsletter keeps its list of subscribers and mails them. Its mails are
// appended to outbox.txt in its directory.
type Newsletter struct {
	outbox string
	mu     sync.Mutex
	emails map[string]bool
}

// New returns an empty newsletter that mails to outbox.txt in dir.
func New(dir string) *Newsletter {
	return &Newsletter{outbox: filepath.Join(dir, "outbox.txt"), emails: map[string]bool{}}
}

// Subscribe is the use case: it adds email to the list and returns what
// must follow.
func (n *Newsletter) Subscribe(ctx context.Context, email string) ([]Welcome, error) {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return nil, fmt.Errorf("invalid email address %q", email)
	}
	var dup bool
	func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		if dup = n.emails[email]; !dup {
			n.emails[email] = true
		}
	}()
	if dup {
		return nil, ErrAlreadySubscribed
	}
	return []Welcome{{Email: email}}, nil
}

// Handler returns the newsletter's HTTP side: POST /subscribers takes
// {"email": "..."}. Serve it through a bgtasks.Runner's Middleware.
func (n *Newsletter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subscribers", n.handleSubscribe)
	return mux
}

func (n *Newsletter) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return
	}
	events, err := n.Subscribe(r.Context(), in.Email)
	switch {
	case errors.Is(err, ErrAlreadySubscribed):
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error()})
		return
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}

	tasks := bgtasks.From(r.Context())
	for _, e := range events {
		tasks.Add("send welcome", func(ctx context.Context) error {
			return n.sendWelcome(ctx, e.Email)
		})
	}

	writeJSON(w, http.StatusCreated, map[string]string{"email": in.Email, "status": "subscribed"})
}

// sendWelcome stands in for a mail server. Like a real mail client, it
// gives up at once on a context that has ended.
func (n *Newsletter) sendWelcome(ctx context.Context, email string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("welcome mail to %s: %w", email, err)
	}
	f, err := os.OpenFile(n.outbox, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "welcome mail to %s\n", email); err != nil {
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
