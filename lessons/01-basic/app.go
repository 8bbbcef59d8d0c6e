// Package basic is the app of lesson 01-basic: an endpoint that answers at
// once and leaves the slow part of its work to background tasks.
package basic

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/lessons/internal/httpjson"
)

// A SendFunc delivers a notification, as a mail or push client would.
type SendFunc func(ctx context.Context, to, message string) error

// SendDelay is how long SimulatedSend takes: long enough to see on a
// timeline, as a real mail server's round trips would be.
const SendDelay = 80 * time.Millisecond

// SimulatedSend stands in for a mail server: it takes SendDelay, or less if
// ctx ends first.
func SimulatedSend(ctx context.Context, to, message string) error {
	t := time.NewTimer(SendDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sending to %s: %w", to, context.Cause(ctx))
	}
}

// NewApp returns the notification service. Its tasks append to log.txt in
// dir and deliver with send (SimulatedSend if send is nil).
//
// Serve it through a Runner's Middleware, which gives each request its task
// queue, on a server that bounds how long reading a request may take, so
// that a client sending slowly, or never, cannot hold a handler:
//
//	runner := bgtasks.New()
//	srv := &http.Server{
//		Addr:              addr,
//		Handler:           runner.Middleware(basic.NewApp(dir, nil)),
//		ReadHeaderTimeout: 5 * time.Second,  // the request's headers
//		ReadTimeout:       10 * time.Second, // all of it, body included
//	}
//	srv.ListenAndServe()
func NewApp(dir string, send SendFunc) http.Handler {
	if send == nil {
		send = SimulatedSend
	}
	n := &notifier{log: filepath.Join(dir, "log.txt"), send: send}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send-notification/{email}", n.sendNotification)
	return mux
}

type notifier struct {
	log  string
	send SendFunc
	mu   sync.Mutex // tasks of different requests run at the same time
}

// sendNotification answers at once; the log line and the mail follow.
func (n *notifier) sendNotification(w http.ResponseWriter, r *http.Request) {
	email, err := parseEmail(r.PathValue("email"))
	if err != nil {
		httpjson.Error(w, http.StatusBadRequest, err)
		return
	}
	var in struct {
		Message string `json:"message"`
	}
	if status, err := decodeJSON(w, r, &in); err != nil {
		httpjson.Error(w, status, err)
		return
	}
	message, err := parseMessage(in.Message)
	if err != nil {
		httpjson.Error(w, http.StatusBadRequest, err)
		return
	}

	tasks := bgtasks.From(r.Context())
	tasks.Add("write log", func(ctx context.Context) error {
		return n.appendLine(fmt.Sprintf("notification for %s: %s", email, message))
	})
	tasks.Add("send email", func(ctx context.Context) error {
		if err := n.send(ctx, email, message); err != nil {
			return err
		}
		return n.appendLine("email sent to " + email)
	})

	httpjson.Write(w, http.StatusAccepted, map[string]string{"message": "Notification sent in the background"})
}

// appendLine adds one line to log.txt.
func (n *notifier) appendLine(line string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	f, err := os.OpenFile(n.log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close() // a failed close can mean a lost write
}
