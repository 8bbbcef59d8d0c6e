package apptests

// This copy of notification.go notifies someone.else@example.com, whatever
// the path says: both lines of log.txt name the wrong address.

import (
	"net/http"
	"strings"

	"github.com/bgtasks/tutorial/bgtasks"
	basic "github.com/bgtasks/tutorial/lessons/01-basic"
)

// NotificationApp is lesson 01's app with the address mixed up.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	next := basic.NewApp(dir, nil)
	return r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if prefix := "/send-notification/"; strings.HasPrefix(req.URL.Path, prefix) {
			req = req.Clone(req.Context())
			req.URL.Path, req.URL.RawPath = prefix+"someone.else@example.com", ""
		}
		next.ServeHTTP(w, req)
	}))
}
