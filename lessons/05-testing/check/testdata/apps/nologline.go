package apptests

// This copy of notification.go forgot its "write log" task: log.txt holds
// only the second line, "email sent to ...".

import (
	"context"
	"net/http"
	"os"
	"path/filepath"

	"github.com/bgtasks/tutorial/bgtasks"
)

// NotificationApp sends the mail and never logs the notification.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send-notification/{email}", func(w http.ResponseWriter, req *http.Request) {
		email := req.PathValue("email")
		bgtasks.From(req.Context()).Add("send email", func(ctx context.Context) error {
			f, err := os.OpenFile(filepath.Join(dir, "log.txt"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				return err
			}
			if _, err := f.WriteString("email sent to " + email + "\n"); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		})
		writeJSON(w, http.StatusAccepted, map[string]string{"message": "Notification sent in the background"})
	})
	return r.Middleware(mux)
}
