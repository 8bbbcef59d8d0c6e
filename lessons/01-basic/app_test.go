package basic

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// serve starts NewApp on loopback behind a Runner's Middleware.
func serve(t *testing.T, send SendFunc) (*httptest.Server, *bgtasks.Runner, string) {
	t.Helper()
	dir := t.TempDir()
	runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.DiscardHandler)))
	srv := httptest.NewServer(runner.Middleware(NewApp(dir, send)))
	t.Cleanup(func() {
		srv.Close()
		if err := runner.Shutdown(context.Background()); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return srv, runner, dir
}

// post sends body to path and returns the status and the decoded JSON reply.
func post(t *testing.T, srv *httptest.Server, path, body string) (int, map[string]string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second} // a response held back by a task fails the test, not hangs it
	resp, err := client.Post(srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("POST %s: Content-Type %q, want application/json", path, ct)
	}
	var reply map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		t.Fatalf("POST %s: reply is not a JSON object of strings: %v", path, err)
	}
	return resp.StatusCode, reply
}

func readLog(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "log.txt"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

func TestResponseArrivesWhileTaskIsBlocked(t *testing.T) {
	sending, release := make(chan string, 1), make(chan struct{})
	srv, runner, dir := serve(t, func(ctx context.Context, to, message string) error {
		sending <- to
		<-release
		return nil
	})
	unblock := sync.OnceFunc(func() { close(release) })
	t.Cleanup(unblock) // runs before serve's: a failed test must not leave the task blocked

	status, reply := post(t, srv, "/send-notification/ada@example.com", `{"message":"Your order has shipped"}`)
	if status != http.StatusAccepted || reply["message"] != "Notification sent in the background" {
		t.Fatalf("got %d %v, want 202 and the message", status, reply)
	}

	// The response is here and the mail is not sent: the tasks run after it.
	if to := <-sending; to != "ada@example.com" {
		t.Errorf("sending to %q, want ada@example.com", to)
	}
	// "write log" was added first, so it has finished before "send email" began.
	if got, want := readLog(t, dir), "notification for ada@example.com: Your order has shipped\n"; got != want {
		t.Errorf("log.txt while sending = %q, want %q", got, want)
	}
	unblock()
	runner.Wait()
	want := "notification for ada@example.com: Your order has shipped\nemail sent to ada@example.com\n"
	if got := readLog(t, dir); got != want {
		t.Errorf("log.txt after the tasks = %q, want %q", got, want)
	}
}

func TestEachRequestsTasksRunInOrder(t *testing.T) {
	srv, runner, dir := serve(t, func(context.Context, string, string) error { return nil })
	emails := []string{"ada@example.com", "grace@example.com", "alan@example.com"}
	for _, email := range emails {
		if status, reply := post(t, srv, "/send-notification/"+email, `{"message":"hi"}`); status != http.StatusAccepted {
			t.Fatalf("POST for %s: %d %v", email, status, reply)
		}
	}
	runner.Wait()

	// Different requests' tasks may interleave; each request's own stay in order.
	lines := strings.Split(strings.TrimSpace(readLog(t, dir)), "\n")
	if len(lines) != 2*len(emails) {
		t.Fatalf("log.txt has %d lines, want %d:\n%s", len(lines), 2*len(emails), strings.Join(lines, "\n"))
	}
	for _, email := range emails {
		wrote, sent := index(lines, "notification for "+email+": hi"), index(lines, "email sent to "+email)
		if wrote < 0 || sent < 0 || sent < wrote {
			t.Errorf("for %s: log line at %d, sent line at %d; want both, log first", email, wrote, sent)
		}
	}
}

func index(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}

func TestBadInputIsRefused(t *testing.T) {
	srv, runner, dir := serve(t, func(context.Context, string, string) error { return nil })
	tests := []struct {
		name, email, body string
		status            int
		errorHas          string
	}{
		{"no @", "ada.example.com", `{"message":"hi"}`, 400, "invalid email address"},
		{"display name", url.PathEscape("Ada <ada@example.com>"), `{"message":"hi"}`, 400, "invalid email address"},
		{"empty body", "ada@example.com", ``, 400, "body must be a JSON object"},
		{"broken JSON", "ada@example.com", `{"message":`, 400, "invalid JSON body"},
		{"not an object", "ada@example.com", `["hi"]`, 400, "invalid JSON body"},
		{"unknown field", "ada@example.com", `{"message":"hi","priority":"high"}`, 400, `unknown field "priority"`},
		{"field in capitals", "ada@example.com", `{"Message":"hi"}`, 400, `unknown field "Message" (did you mean "message"? field names are case-sensitive)`},
		{"field twice", "ada@example.com", `{"message":"hi","message":"pay eve"}`, 400, `field "message" given twice`},
		{"two objects", "ada@example.com", `{"message":"hi"}{"message":"again"}`, 400, "single JSON object"},
		{"no message", "ada@example.com", `{}`, 400, `"message" is required`},
		{"forged line", "ada@example.com", `{"message":"hi\nnotification for eve@example.com: pay"}`, 400, "control characters"},
		{"long message", "ada@example.com", `{"message":"` + strings.Repeat("x", maxMessage+1) + `"}`, 400, "longer than"},
		{"oversized body", "ada@example.com", `{"message":"` + strings.Repeat("x", maxBody) + `"}`, 413, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reply := post(t, srv, "/send-notification/"+tt.email, tt.body)
			if status != tt.status || !strings.Contains(reply["error"], tt.errorHas) {
				t.Errorf("got %d %v, want %d and an error containing %q", status, reply, tt.status, tt.errorHas)
			}
		})
	}
	if n := runner.Stats().Queued; n != 0 {
		t.Errorf("bad requests queued %d tasks, want 0", n)
	}

	// The server is still serving.
	if status, reply := post(t, srv, "/send-notification/ada@example.com", `{"message":"still here"}`); status != http.StatusAccepted {
		t.Fatalf("after bad requests: %d %v", status, reply)
	}
	runner.Wait()
	if got := readLog(t, dir); !strings.HasPrefix(got, "notification for ada@example.com: still here\n") {
		t.Errorf("log.txt = %q", got)
	}
}

// A page on another site can make the browser POST a form, or a fetch
// with a "simple" Content-Type such as text/plain, without asking first;
// it cannot send application/json without a CORS preflight, which this app
// never answers. So anything but application/json is refused, and nothing
// is queued.
func TestCrossSiteFormIsRefused(t *testing.T) {
	srv, runner, dir := serve(t, func(context.Context, string, string) error { return nil })
	for _, ctype := range []string{"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		req, _ := http.NewRequest("POST", srv.URL+"/send-notification/ada@example.com", strings.NewReader(`{"message":"hi"}`))
		req.Header.Set("Origin", "http://evil.example")
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(b), "Content-Type must be application/json") {
			t.Errorf("Content-Type %q: %s %s, want 415", ctype, resp.Status, b)
		}
	}
	runner.Wait()
	if n := runner.Stats().Queued; n != 0 || readLog(t, dir) != "" {
		t.Errorf("refused requests queued %d tasks and wrote %q", n, readLog(t, dir))
	}
}

func TestWrongMethodIsRefused(t *testing.T) {
	srv, _, _ := serve(t, nil)
	resp, err := http.Get(srv.URL + "/send-notification/ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
}

func TestSimulatedSend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := SimulatedSend(context.Background(), "ada@example.com", "hi"); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != SendDelay {
			t.Errorf("took %v, want %v", took, SendDelay)
		}

		ctx, cancel := context.WithTimeout(context.Background(), SendDelay/2)
		defer cancel()
		start = time.Now()
		err := SimulatedSend(ctx, "ada@example.com", "hi")
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != SendDelay/2 {
			t.Errorf("cancelled after %v: %v; want a deadline error after %v", time.Since(start), err, SendDelay/2)
		}
	})
}
