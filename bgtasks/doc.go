// Package bgtasks runs work after an HTTP response has been sent: audit
// records, emails, cache warming, anything the client should not wait for.
// It is the Go counterpart of Starlette's and FastAPI's BackgroundTasks.
//
// Wrap a handler with a Runner's Middleware, then queue tasks from anywhere
// that sees the request's context:
//
//	runner := bgtasks.New()
//	mux.HandleFunc("POST /signup", func(w http.ResponseWriter, r *http.Request) {
//		email := r.FormValue("email")
//		bgtasks.From(r.Context()).Add("welcome mail", func(ctx context.Context) error {
//			return sendWelcome(ctx, email)
//		})
//		w.WriteHeader(http.StatusCreated)
//	})
//	http.ListenAndServe("127.0.0.1:8080", runner.Middleware(mux))
//
// # The contract
//
// One queue per request. The middleware gives every request one queue, and
// From finds it in the request's context, so a middleware, a helper and the
// handler all add to the same queue. From panics on a context the middleware
// never saw: a task is never lost in silence.
//
// After the response. A request's tasks start once the handler chain has
// returned, on a new goroutine, and the middleware returns at once. It never
// writes to, flushes or wraps the ResponseWriter, so net/http finishes the
// response as it would without it: a short body still gets a Content-Length,
// a long one is still sent chunked. Neither the client nor the next request
// on the same keep-alive connection waits for the tasks, whatever the
// response's length. The tasks and the end of the response proceed at the
// same time: a quick task may finish before the client has read its
// response, so rely on the response not waiting, never on its coming first.
// A request that queued nothing costs no goroutine. Two
// options trade this away, on purpose: Synchronous, for tests, and
// WithLimit's Block policy, for backpressure.
//
// In order. A request's tasks run one at a time, in the order they were
// added; a task may add more, which run after it. Different requests' tasks
// run concurrently.
//
// Context. A task's context carries the request's values but not its
// cancellation (see [context.WithoutCancel]): a client that hangs up does not
// stop the work it asked for. It is cancelled when Shutdown's deadline passes.
// Capture values in the closure, not request-scoped resources such as the
// request body or a handle a middleware closes with defer: every middleware
// has returned before the first task starts.
//
// Failures stay on the server. A task that returns an error, panics, or
// calls runtime.Goexit (as t.Fatal does) is logged with log/slog (task,
// method, path, duration, error, and the stack of a panic or Goexit) and
// passed to the error hook; the request's remaining tasks still run. This
// differs from Starlette, where the first exception skips every later task
// of the request. A panic in the error hook or the observer is recovered and
// logged too, naming which: it stops neither the counting nor later tasks.
//
// When the handler fails. If the handler panics (or calls runtime.Goexit),
// the request's queued tasks are abandoned, each with a log line naming it,
// and the panic goes on up to net/http as before. A handler that writes an error status has returned
// normally, so its tasks run: the middleware does not read status codes. To
// skip work on failure, queue it only once the outcome is known.
//
// Every task ends counted. Each queued task ends exactly once as completed,
// failed or abandoned, the same three words in Stats and in Event kinds; an
// observer sees each step as an Event. Abandoned tasks are
// logged one by one and passed to the error hook with an error wrapping
// ErrAbandoned.
//
// # Testing
//
// Synchronous mode runs a request's tasks before the middleware returns, as
// FastAPI's TestClient does, so a test that calls the handler in process sees
// their effects as soon as ServeHTTP returns. Over a real connection the
// response then waits for the tasks too, since net/http completes it only
// once the middleware has returned. In the default asynchronous mode, Wait
// blocks until nothing is queued or running. In a task, report with t.Error,
// not t.Fatal: the task would fail with ErrGoexit, and in synchronous mode
// the request's remaining tasks would be abandoned.
//
// # Shutting down
//
// Stop the HTTP server first, so that no request is still queueing work, then
// the Runner: Shutdown refuses new tasks, waits for queued and running ones,
// and when its context ends, cancels the tasks' contexts and reports how many
// it abandoned. See the example for Runner.Shutdown.
package bgtasks
