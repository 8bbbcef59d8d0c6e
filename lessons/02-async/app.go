// Package async is the app of lesson 02-async: a registration endpoint that
// sends a welcome mail over real SMTP after the response, concurrently for
// concurrent requests, and drains the mails in flight on shutdown.
package async

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bgtasks/tutorial/bgtasks"
)

// maxBody caps a registration's size: a name and an address need far less.
const maxBody = 4 << 10

// NewApp returns the lesson's handler: POST /register queues a welcome mail
// through mailer on runner, and responds without waiting for it.
func NewApp(runner *bgtasks.Runner, mailer Mailer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /register", func(w http.ResponseWriter, r *http.Request) {
		handleRegister(w, r, mailer)
	})
	return runner.Middleware(mux)
}

// A registration is the body of POST /register.
type registration struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// handleRegister validates the registration and queues the welcome mail.
func handleRegister(w http.ResponseWriter, r *http.Request, mailer Mailer) {
	reg, status, err := decodeRegistration(w, r)
	if err != nil {
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return
	}
	msg := Message{
		To:      reg.Email,
		Subject: "Welcome, " + reg.Name + "!",
		Body:    "Hi " + reg.Name + ",\n\nthanks for registering.\n",
	}
	bgtasks.From(r.Context()).Add("welcome mail to "+reg.Email, func(ctx context.Context) error {
		return mailer.Send(ctx, msg)
	})
	writeJSON(w, http.StatusCreated, map[string]string{"email": reg.Email, "status": "registered"})
}

// decodeRegistration reads and checks the body, and says which status a
// bad one deserves.
func decodeRegistration(w http.ResponseWriter, r *http.Request) (registration, int, error) {
	var reg registration
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&reg); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return reg, http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", maxBody)
		}
		return reg, http.StatusBadRequest, fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return reg, http.StatusBadRequest, errors.New("invalid JSON: more than one value")
	}
	if a, err := mail.ParseAddress(reg.Email); err != nil || a.Address != reg.Email || a.Name != "" {
		return reg, http.StatusBadRequest, fmt.Errorf("email %q is not an address such as ada@example.com", reg.Email)
	}
	reg.Name = strings.TrimSpace(reg.Name)
	if reg.Name == "" || len(reg.Name) > 100 {
		return reg, http.StatusBadRequest, errors.New("name must have 1 to 100 characters")
	}
	// A line break in a mail header would let a name inject headers.
	if strings.ContainsFunc(reg.Name, unicode.IsControl) {
		return reg, http.StatusBadRequest, errors.New("name must not contain control characters")
	}
	return reg, 0, nil
}

// writeJSON sends v with its length set: the runner's middleware flushes
// the response before the tasks start, and a response of known length goes
// out in one write, where one without is sent in chunks.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a client that has gone cannot be told
}

// Latency is how long the lesson's mail server takes over each message, so
// that the timeline shows the mail outliving the response.
const Latency = 200 * time.Millisecond
