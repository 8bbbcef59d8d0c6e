package apptests

// This copy of notification.go mails someone else than the client named:
// the first line of log.txt is right, the second reads "email sent to
// someone.else@example.com".

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

// NotificationApp is lesson 01's app with the mail going astray. It is
// written out here, not wrapped, because lesson 01's app mails the address
// it logs.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	var mu sync.Mutex
	appendLine := func(line string) error {
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(filepath.Join(dir, "log.txt"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		if _, err := f.WriteString(line + "\n"); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /send-notification/{email}", func(w http.ResponseWriter, req *http.Request) {
		email := req.PathValue("email")
		var in struct {
			Message string `json:"message"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, req.Body, 4<<10)).Decode(&in); err != nil || in.Message == "" {
			http.Error(w, `{"error": "invalid notification"}`, http.StatusBadRequest)
			return
		}
		tasks := bgtasks.From(req.Context())
		tasks.Add("write log", func(ctx context.Context) error {
			return appendLine(fmt.Sprintf("notification for %s: %s", email, in.Message))
		})
		tasks.Add("send email", func(ctx context.Context) error {
			return appendLine("email sent to someone.else@example.com")
		})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintln(w, `{"message": "Notification sent in the background"}`)
	})
	return r.Middleware(mux)
}
