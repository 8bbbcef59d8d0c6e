// Package async is the app of lesson 02-async: a registration endpoint that
// sends a welcome mail over real SMTP after the response, concurrently for
// concurrent requests, and drains the mails in flight on shutdown.
package async

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/lessons/internal/httpjson"
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
		httpjson.Error(w, status, err)
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
	httpjson.Write(w, http.StatusCreated, map[string]string{"email": reg.Email, "status": "registered"})
}

// decodeRegistration reads and checks the body, and says which status a
// bad one deserves.
func decodeRegistration(w http.ResponseWriter, r *http.Request) (registration, int, error) {
	var reg registration
	if status, err := httpjson.Decode(w, r, &reg, maxBody); err != nil {
		return reg, status, err
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

// Latency is how long the lesson's mail server takes over each message, so
// that the timeline shows the mail outliving the response.
const Latency = 200 * time.Millisecond
