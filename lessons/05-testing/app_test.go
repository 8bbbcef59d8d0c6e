package apptests_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/bgtasks/tutorial/bgtasks"
	basic "github.com/bgtasks/tutorial/lessons/01-basic"
	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
)

// Every test here must leave no goroutine behind: no server left open, no
// task still running.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	notifyBody = `{"message": "Your order has shipped"}`
	wantLog    = "notification for ada@example.com: Your order has shipped\n" +
		"email sent to ada@example.com\n"
)

// TestNotificationInProcess is the TestClient way: a Synchronous runner and
// a handler called in process. ServeHTTP returns only once the request's
// tasks have run, so the test asserts their effect straight away.
func TestNotificationInProcess(t *testing.T) {
	dir := t.TempDir()
	runner := bgtasks.New(bgtasks.Synchronous())
	app := runner.Middleware(basic.NewApp(dir, nil))

	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/send-notification/ada@example.com", strings.NewReader(notifyBody))
	req.Header.Set("Content-Type", "application/json")
	app.ServeHTTP(rec, req)

	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d %s, want 202", rec.Code, rec.Body)
	}
	got, err := os.ReadFile(filepath.Join(dir, "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != wantLog {
		t.Errorf("log.txt holds %q, want %q", got, wantLog)
	}
}

// TestNotificationOverLoopback is the realistic way: a real server and the
// default runner. The response comes first; Wait blocks until every task
// has ended, and only then does the test look.
func TestNotificationOverLoopback(t *testing.T) {
	dir := t.TempDir()
	// region loopback
	runner := bgtasks.New()
	srv := httptest.NewServer(runner.Middleware(basic.NewApp(dir, nil)))
	defer srv.Close()

	resp, err := srv.Client().Post(srv.URL+"/send-notification/ada@example.com",
		"application/json", strings.NewReader(notifyBody))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d, want 202", resp.StatusCode)
	}

	runner.Wait()
	// endregion loopback

	got, err := os.ReadFile(filepath.Join(dir, "log.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != wantLog {
		t.Errorf("log.txt holds %q, want %q", got, wantLog)
	}
}

// TestFlushedResponseBeatsSynchronousTasks shows why Synchronous mode
// pairs with an in-process call. Over a real connection the client reads the
// response as soon as its bytes arrive; a handler that flushes them (to
// stream, say) hands the client everything while the request's tasks still
// run, Synchronous or not. The mail here is held until the test has looked.
func TestFlushedResponseBeatsSynchronousTasks(t *testing.T) {
	dir := t.TempDir()
	release := make(chan struct{})
	holdMail := func(ctx context.Context, to, message string) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	let := sync.OnceFunc(func() { close(release) })
	app := basic.NewApp(dir, holdMail)
	flushing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app.ServeHTTP(w, r)
		_ = http.NewResponseController(w).Flush()
	})
	runner := bgtasks.New(bgtasks.Synchronous())
	srv := httptest.NewServer(runner.Middleware(flushing))
	defer srv.Close()
	defer let() // before Close, which waits for the held handler

	resp, err := srv.Client().Post(srv.URL+"/send-notification/ada@example.com",
		"application/json", strings.NewReader(notifyBody))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d %s (%v), want 202 and the whole body while the mail is held", resp.StatusCode, body, err)
	}
	// The client has everything; the "send email" task is still running.
	if got, _ := os.ReadFile(filepath.Join(dir, "log.txt")); strings.Contains(string(got), "email sent") {
		t.Fatalf("log.txt holds %q before the mail was released", got)
	}

	let()
	runner.Wait()
	if got, _ := os.ReadFile(filepath.Join(dir, "log.txt")); string(got) != wantLog {
		t.Errorf("after Wait, log.txt holds %q, want %q", got, wantLog)
	}
}

// TestNotificationAppRefusesBadInput checks that the app NotificationApp
// serves validates before it queues anything.
func TestNotificationAppRefusesBadInput(t *testing.T) {
	runner := bgtasks.New(bgtasks.Synchronous())
	app := apptests.NotificationApp(runner, t.TempDir())
	for _, tc := range []struct{ path, body string }{
		{"/send-notification/ada.example.com", notifyBody},
		{"/send-notification/ada@example.com", `{"message": "hi", "admin": true}`},
		{"/send-notification/ada@example.com", strings.Repeat("x", 10<<10)},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", tc.path, strings.NewReader(tc.body))
		req.Header.Set("Content-Type", "application/json")
		app.ServeHTTP(rec, req)
		if rec.Code < 400 || rec.Code > 499 || !strings.Contains(rec.Body.String(), `"error"`) {
			t.Errorf("POST %s %.20q: %d %s, want a 4xx JSON error", tc.path, tc.body, rec.Code, rec.Body)
		}
	}
	if s := runner.Stats(); s.Queued != 0 {
		t.Errorf("stats %+v, want nothing queued", s)
	}
}
