package basic_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// The lesson in one handler: queue the slow work, answer at once. The mail
// server here answers only once the client has its response, so this
// example would hang, and fail, if the response waited for the tasks.
func Example() {
	var (
		mu   sync.Mutex
		done []string // what the tasks did, in order
	)
	note := func(line string) error {
		mu.Lock()
		defer mu.Unlock()
		done = append(done, line)
		return nil
	}
	clientHasAnswer := make(chan struct{})
	send := func(ctx context.Context, to string) error { // a slow mail server
		<-clientHasAnswer
		return note("email sent to " + to)
	}

	// region handler
	runner := bgtasks.New()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send-notification/{email}", func(w http.ResponseWriter, r *http.Request) {
		email := r.PathValue("email") // copy what the tasks need out of the request
		tasks := bgtasks.From(r.Context())
		tasks.Add("write log", func(ctx context.Context) error {
			return note("notification for " + email)
		})
		tasks.Add("send email", func(ctx context.Context) error {
			return send(ctx, email) // slow: the client does not wait for it
		})
		w.WriteHeader(http.StatusAccepted) // sent once the handler returns
	})
	handler := runner.Middleware(mux) // gives every request its task queue
	// endregion handler

	srv := httptest.NewServer(handler)
	defer srv.Close()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Post(srv.URL+"/send-notification/ada@example.com", "application/json", strings.NewReader("{}"))
	if err != nil {
		fmt.Println(err) // the response waited for the mail
		close(clientHasAnswer)
		return
	}
	resp.Body.Close()
	fmt.Println("client:", resp.Status)
	close(clientHasAnswer) // only now may the mail go out

	runner.Wait()
	fmt.Println("tasks:", strings.Join(done, "; "))
	// Output:
	// client: 202 Accepted
	// tasks: notification for ada@example.com; email sent to ada@example.com
}
