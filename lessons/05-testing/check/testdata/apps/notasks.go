package apptests

// This copy of notification.go answers as lesson 01's app does and queues
// nothing: log.txt never appears.

import (
	"net/http"

	"github.com/bgtasks/tutorial/bgtasks"
)

// NotificationApp answers 202 and does no work at all.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send-notification/{email}", func(w http.ResponseWriter, req *http.Request) {
		writeJSON(w, http.StatusAccepted, map[string]string{"message": "Notification sent in the background"})
	})
	return r.Middleware(mux)
}
