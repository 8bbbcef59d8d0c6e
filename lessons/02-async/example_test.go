package async_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A slow task waits for its work or for its context, whichever comes first,
// so that Shutdown's deadline can stop it. Here the mail relay never
// answers: the task returns only because its context is cancelled.
func Example_honourContext() {
	// region task
	sendWelcome := func(ctx context.Context) error {
		select {
		case <-time.After(time.Minute): // a mail relay that has gone quiet
			return nil
		case <-ctx.Done(): // the server is shutting down, out of patience
			return ctx.Err()
		}
	}
	// endregion task

	returned := make(chan error, 1)
	runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.DiscardHandler)))
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("welcome mail", func(ctx context.Context) error {
			err := sendWelcome(ctx)
			returned <- err
			return err
		})
		w.WriteHeader(http.StatusCreated)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/register", nil))
	fmt.Println("client:", w.Code)

	deadline, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	err := runner.Shutdown(deadline)
	fmt.Println("shutdown abandoned a task:", errors.Is(err, bgtasks.ErrAbandoned))
	fmt.Println("the task returned:", <-returned)
	// Output:
	// client: 201
	// shutdown abandoned a task: true
	// the task returned: context canceled
}
