package apptests

// This copy of notification.go answers 200 OK where lesson 01's app
// answers 202 Accepted, and writes log.txt as it should: only the status
// tells it from the working app.

import (
	"net/http"

	"github.com/bgtasks/tutorial/bgtasks"
	basic "github.com/bgtasks/tutorial/lessons/01-basic"
)

// NotificationApp is lesson 01's app with the wrong status.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	next := basic.NewApp(dir, nil)
	return r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(okWriter{w}, req)
	}))
}

// okWriter turns a 202 into a 200.
type okWriter struct{ http.ResponseWriter }

func (w okWriter) WriteHeader(status int) {
	if status == http.StatusAccepted {
		status = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w okWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
