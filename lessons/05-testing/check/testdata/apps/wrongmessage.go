package apptests

// This copy of notification.go loses the client's message and logs another:
// the first line of log.txt reads "notification for ADDRESS: hello".

import (
	"io"
	"net/http"
	"strings"

	"github.com/bgtasks/tutorial/bgtasks"
	basic "github.com/bgtasks/tutorial/lessons/01-basic"
)

// NotificationApp is lesson 01's app with the message mixed up.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	next := basic.NewApp(dir, nil)
	return r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		const body = `{"message": "hello"}`
		req = req.Clone(req.Context())
		req.Body, req.ContentLength = io.NopCloser(strings.NewReader(body)), int64(len(body))
		next.ServeHTTP(w, req)
	}))
}
