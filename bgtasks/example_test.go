package bgtasks_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// Queue a task from a handler; it runs after the client has its response.
func Example() {
	runner := bgtasks.New()
	notified := make(chan string, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send-notification/{email}", func(w http.ResponseWriter, r *http.Request) {
		email := r.PathValue("email") // capture values, not the request
		bgtasks.From(r.Context()).Add("notify", func(ctx context.Context) error {
			notified <- email // stands in for sending an email
			return nil
		})
		fmt.Fprintln(w, "notification queued")
	})
	srv := httptest.NewServer(runner.Middleware(mux))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/send-notification/ann@example.com", "", nil)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("client:", resp.Status)
	fmt.Println("task: notified", <-notified)
	// Output:
	// client: 200 OK
	// task: notified ann@example.com
}

// Stop the HTTP server first, so that no handler is still queueing work, then
// drain the runner within what is left of the same deadline.
func ExampleRunner_Shutdown() {
	runner := bgtasks.New()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /register", func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("welcome mail", func(ctx context.Context) error {
			select {
			case <-time.After(20 * time.Millisecond): // the mail server is slow
				fmt.Println("task: welcome mail sent")
				return nil
			case <-ctx.Done(): // the shutdown deadline passed
				return ctx.Err()
			}
		})
		w.WriteHeader(http.StatusCreated)
	})
	srv := &http.Server{Handler: runner.Middleware(mux)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln)

	resp, err := http.Post("http://"+ln.Addr().String()+"/register", "", nil)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("client:", resp.Status)

	// In a real program: ctx, stop := signal.NotifyContext(ctx, os.Interrupt); <-ctx.Done()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Print(err)
	}
	if err := runner.Shutdown(ctx); err != nil {
		log.Print(err) // says how many tasks were abandoned
	}
	fmt.Printf("%+v\n", runner.Stats())
	// Output:
	// client: 201 Created
	// task: welcome mail sent
	// {Queued:1 Running:0 Completed:1 Failed:0 Abandoned:0}
}

// In tests, synchronous mode runs a request's tasks before the middleware
// returns, like FastAPI's TestClient.
func ExampleSynchronous() {
	runner := bgtasks.New(bgtasks.Synchronous())
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("audit", func(ctx context.Context) error {
			fmt.Println("task: audited")
			return nil
		})
		fmt.Println("handler: done")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/orders", nil))
	fmt.Println("test: middleware returned")
	// Output:
	// handler: done
	// task: audited
	// test: middleware returned
}

// A failing task is logged and handed to the error hook; the client never
// sees it, and the request's next task still runs.
func ExampleWithErrorHook() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // keep the example's output stable
			}
			return a
		},
	}))
	runner := bgtasks.New(
		bgtasks.Synchronous(),
		bgtasks.WithLogger(logger),
		bgtasks.WithErrorHook(func(ctx context.Context, err *bgtasks.TaskError) {
			fmt.Println("dead letter:", err.Task, "-", err.Err)
		}),
	)
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := bgtasks.From(r.Context())
		q.Add("sync crm", func(context.Context) error { return errors.New("crm unavailable") })
		q.Add("send receipt", func(context.Context) error { fmt.Println("task: receipt sent"); return nil })
		w.WriteHeader(http.StatusCreated)
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/orders/7", nil))
	fmt.Println("client:", w.Code)
	// Output:
	// level=ERROR msg="background task failed" task="sync crm" method=POST path=/orders/7 error="crm unavailable"
	// dead letter: sync crm - crm unavailable
	// task: receipt sent
	// client: 201
}

// A limit caps how many tasks run at once. With Drop, a request that finds
// every slot busy has its tasks abandoned, logged and counted, rather than
// slowing the server down.
func ExampleWithLimit() {
	runner := bgtasks.New(bgtasks.WithLimit(1, bgtasks.Drop),
		bgtasks.WithLogger(slog.New(slog.DiscardHandler)))
	release := make(chan struct{})
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add("resize image", func(ctx context.Context) error {
			<-release
			return nil
		})
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/upload", nil))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/upload", nil)) // no free slot
	close(release)
	runner.Wait()
	fmt.Printf("%+v\n", runner.Stats())
	// Output:
	// {Queued:2 Running:0 Completed:1 Failed:0 Abandoned:1}
}
