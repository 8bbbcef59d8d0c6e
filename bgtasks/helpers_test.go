package bgtasks_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

// logBuffer collects a runner's log records as decoded JSON objects.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(b, nil))
}

func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// recorder collects a runner's events.
type recorder struct {
	mu     sync.Mutex
	events []bgtasks.Event
}

func (r *recorder) observe(e bgtasks.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) list() []bgtasks.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bgtasks.Event(nil), r.events...)
}

// serve runs h behind runner's middleware on a loopback server.
func serve(t *testing.T, runner *bgtasks.Runner, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(runner.Middleware(h))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, c, req)
	return resp.StatusCode, body
}

// do sends req and reads the whole response body, to EOF: the connection is
// back in the client's idle pool when do returns.
func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// call serves one request in process, without a network.
func call(h http.Handler, method, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}

// quiet is a logger for tests that do not read the log.
func quiet() bgtasks.Option {
	return bgtasks.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}
