package apptests

// This copy of notification.go is lesson 01's app on a busy machine, where
// tasks may start long after the response. It sends its response at once,
// flushed, and holds the request's tasks until the test waits for them, so
// that a test which looks at log.txt without waiting finds nothing, every
// time, however long it sleeps first.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// NotificationApp serves POST /send-notification/{email} as lesson 01's app
// does, writing the same two lines to dir/log.txt, but late.
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
		if !validEmail(email) || json.NewDecoder(http.MaxBytesReader(w, req.Body, 4<<10)).Decode(&in) != nil || in.Message == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid notification"})
			return
		}
		handler := goroutineID()
		inProcess := req.Context().Value(http.ServerContextKey) == nil
		tasks := bgtasks.From(req.Context())
		tasks.Add("write log", func(ctx context.Context) error {
			if err := holdUntilWaited(ctx, handler, inProcess); err != nil {
				return err
			}
			return appendLine(fmt.Sprintf("notification for %s: %s", email, in.Message))
		})
		tasks.Add("send email", func(ctx context.Context) error {
			return appendLine("email sent to " + email)
		})
		writeJSON(w, http.StatusAccepted, map[string]string{"message": "Notification sent in the background"})
		// Out now, before any task, in whatever mode the runner is: any
		// handler may flush, and a test must not depend on one that does not.
		_ = http.NewResponseController(w).Flush()
	})
	return r.Middleware(mux)
}

// holdUntilWaited returns once the test is waiting for the tasks. Only a
// goroutine's stack shows that a test is inside Runner.Wait, so it looks at
// them every millisecond; the looking is timed, the verdict is not: a test
// that never waits never releases the tasks, and one that waits always does.
//
// Two cases differ. In Synchronous mode the tasks run on the handler's own
// goroutine: called in process, the caller is inside ServeHTTP until they
// end and cannot look early, so nothing is held; on a real server,
// httptest.Server.Close also waits for them, as it waits for handlers.
func holdUntilWaited(ctx context.Context, handler uint64, inProcess bool) error {
	synchronous := goroutineID() == handler
	if synchronous && inProcess {
		return nil
	}
	waits := []string{"github.com/bgtasks/tutorial/bgtasks.(*Runner).Wait(", "github.com/bgtasks/tutorial/bgtasks.(*Runner).Shutdown("}
	if synchronous {
		waits = append(waits, "net/http/httptest.(*Server).Close(")
	}
	for {
		stacks := allStacks()
		for _, w := range waits {
			if strings.Contains(stacks, w) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

func allStacks() string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goroutineID is the number the runtime gives the calling goroutine in
// its stack traces: "goroutine 18 [running]:".
func goroutineID() uint64 {
	var buf [64]byte
	s := strings.TrimPrefix(string(buf[:runtime.Stack(buf[:], false)]), "goroutine ")
	id, _, _ := strings.Cut(s, " ")
	n, _ := strconv.ParseUint(id, 10, 64)
	return n
}
