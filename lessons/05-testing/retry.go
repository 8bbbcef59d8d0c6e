package apptests

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A Sender delivers one notification, for instance by calling a mail
// provider's API. It may fail for a while: the provider is down, or busy.
type Sender func(ctx context.Context, email string) error

// Retry policy of NewRetryingNotifier: five tries, one minute apart at
// first, twice as long each time, so the last try comes 15 minutes after the
// first. A test that waited for real would take a quarter of an hour.
const (
	Tries      = 5
	FirstDelay = time.Minute
)

// NewRetryingNotifier serves POST /send-notification/{email}: it answers 202
// at once and queues a task that hands the notification to send, retrying
// with backoff (see Retry) while send fails. The handler it returns is
// already wrapped in r's middleware.
func NewRetryingNotifier(r *bgtasks.Runner, send Sender) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send-notification/{email}", func(w http.ResponseWriter, req *http.Request) {
		email := req.PathValue("email")
		if !validEmail(email) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("%q is not an email address", email)})
			return
		}
		bgtasks.From(req.Context()).Add("notify "+email, func(ctx context.Context) error {
			return Retry(ctx, Tries, FirstDelay, func(ctx context.Context) error {
				return send(ctx, email)
			})
		})
		writeJSON(w, http.StatusAccepted, map[string]string{"message": "notification queued"})
	})
	return r.Middleware(mux)
}

// Retry calls try until it succeeds, at most tries times. It waits delay
// before the second try and doubles the wait after each failure. When ctx
// ends (as it does when Shutdown's deadline passes), it stops waiting and
// gives up.
func Retry(ctx context.Context, tries int, delay time.Duration, try func(context.Context) error) error {
	var err error
	for i := range tries {
		if i > 0 {
			timer := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				timer.Stop()
				return fmt.Errorf("gave up after %d tries: %w", i, errors.Join(err, ctx.Err()))
			case <-timer.C:
			}
			delay *= 2
		}
		if err = try(ctx); err == nil {
			return nil
		}
	}
	return fmt.Errorf("gave up after %d tries: %w", tries, err)
}
