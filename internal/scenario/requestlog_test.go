package scenario

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Under Serve a learner's own requests join the timeline, the response
// before the tasks it queued start, and a panicking handler is reported and
// still reaches net/http.
func TestRequestLog(t *testing.T) {
	var mu sync.Mutex
	var kinds, details []string
	app := App(func(s *Session) (http.Handler, error) {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /ok", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, `{"ok":true}`)
		})
		mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
		return mux, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		served <- Serve(ctx, "127.0.0.1:0", app, func(e Event) {
			mu.Lock()
			defer mu.Unlock()
			kinds = append(kinds, e.Kind+" "+e.Name)
			details = append(details, e.Detail)
		}, func(url string) { urls <- url })
	}()
	url := <-urls
	resp, err := http.Post(url+"/ok", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp, err := http.Get(url + "/panic"); err == nil {
		resp.Body.Close()
		t.Error("a panicking handler answered; want the connection closed by net/http")
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"request POST /ok", "response POST /ok", "request GET /panic",
		"note no response to GET /panic: the handler panicked, so net/http closes the connection"}
	if strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Fatalf("events %q, want %q", kinds, want)
	}
	if details[1] != `202 {"ok":true}` {
		t.Errorf("response detail %q", details[1])
	}
}
