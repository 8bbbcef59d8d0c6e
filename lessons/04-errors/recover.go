package failures

import (
	"log/slog"
	"net/http"
	"runtime/debug"
)

// logPanics logs a panic of next with slog, then lets net/http close the
// connection as it does for any panic, without printing a second report of
// its own. It must wrap the runner's middleware, not sit inside it: a
// middleware that recovers inside would make a panicking handler look like
// one that returned, and the half-done request's tasks would run.
func logPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			switch v := recover(); v {
			case nil:
			case http.ErrAbortHandler: // already handled: pass it on
				panic(v)
			default:
				log.ErrorContext(r.Context(), "handler panicked", "method", r.Method, "path", r.URL.Path,
					"panic", v, "stack", string(debug.Stack()))
				panic(http.ErrAbortHandler)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
