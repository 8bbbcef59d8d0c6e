package dependencies

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/lessons/internal/httpjson"
)

// audited records every request to next in audit.log, once the response has
// been sent, even for requests that fail. It adds its task before calling
// next, so the audit comes first in the request's queue. The task captures
// values only, and opens the file itself when it runs.
func (a *app) audited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := fmt.Sprintf("req-%d %s %s", a.requests.Add(1), r.Method, r.URL.Path)
		bgtasks.From(r.Context()).Add("audit", func(ctx context.Context) error {
			return a.audit.append(line)
		})
		next.ServeHTTP(w, r)
	})
}

// leakyAudited is audited as it is often first written, and it is wrong.
// The middleware opens audit.log for the request, as it would begin a
// database transaction or take a pooled connection, and closes it with defer
// when the request is over. Its task still holds the handle, and runs after
// that defer: every write fails with "file already closed".
func (a *app) leakyAudited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := a.audit.open()
		if err != nil {
			httpjson.Error(w, http.StatusInternalServerError, errors.New("audit log unavailable"))
			return
		}
		defer f.Close()

		line := fmt.Sprintf("req-%d %s %s", a.requests.Add(1), r.Method, r.URL.Path)
		bgtasks.From(r.Context()).Add("audit", func(ctx context.Context) error {
			_, err := fmt.Fprintln(f, line) // f belongs to the request, which is over
			return shortPath(err)
		})
		next.ServeHTTP(w, r)
	})
}
