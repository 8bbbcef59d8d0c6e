package async_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bgtasks/tutorial/bgtasks"
	async "github.com/bgtasks/tutorial/lessons/02-async"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// failAfter bounds how long a test waits for something that must happen.
// It is a guard against hanging, never a measure of speed.
const failAfter = 10 * time.Second

// holder holds each mail inside the mail server, after it has arrived and
// before it is acknowledged, until the test releases them all.
type holder struct {
	started chan string
	release chan struct{}
	once    sync.Once
}

func newHolder(t *testing.T) *holder {
	h := &holder{started: make(chan string, 16), release: make(chan struct{})}
	t.Cleanup(h.releaseAll)
	return h
}

func (h *holder) hold(to string) {
	h.started <- to
	<-h.release
}

func (h *holder) releaseAll() { h.once.Do(func() { close(h.release) }) }

// waitStarted waits until n sends are held in the server at the same time.
func (h *holder) waitStarted(t *testing.T, n int) []string {
	t.Helper()
	var got []string
	timeout := time.After(failAfter)
	for len(got) < n {
		select {
		case to := <-h.started:
			got = append(got, to)
		case <-timeout:
			t.Fatalf("only %d of %d sends in flight at once: %v", len(got), n, got)
		}
	}
	return got
}

// startMail starts a mail server writing under a temporary directory.
func startMail(t *testing.T, cfg async.MailServerConfig) (*async.MailServer, async.Mailer) {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	ms, err := async.StartMailServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.Close() })
	return ms, async.Mailer{Addr: ms.Addr(), From: "welcome@example.com"}
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	status, got, err := tryPost(url, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, got
}

// tryPost is post for goroutines other than the test's, which must not
// call t.Fatal.
func tryPost(url, body string) (int, string, error) {
	resp, err := http.Post(url+"/register", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), err
}

func readMail(t *testing.T, dir, to string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "outbox", to+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestResponseDoesNotWaitForTheMail(t *testing.T) {
	dir := t.TempDir()
	h := newHolder(t)
	_, mailer := startMail(t, async.MailServerConfig{Dir: dir, BeforeStore: h.hold})
	runner := bgtasks.New(bgtasks.WithLogger(slog.New(slog.DiscardHandler)))
	srv := httptest.NewServer(async.NewApp(runner, mailer))
	defer srv.Close()

	// The mail is held in the server until after the response has arrived.
	status, body := post(t, srv.URL, `{"email":"ada@example.com","name":"Ada"}`)
	if status != http.StatusCreated || body != `{"email":"ada@example.com","status":"registered"}` {
		t.Fatalf("got %d %s", status, body)
	}
	h.waitStarted(t, 1)
	if _, err := os.Stat(filepath.Join(dir, "outbox", "ada@example.com.eml")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("mail stored before the server was allowed to: %v", err)
	}
	h.releaseAll()
	runner.Wait()

	got := readMail(t, dir, "ada@example.com")
	want := "From: welcome@example.com\nTo: ada@example.com\nSubject: Welcome, Ada!\n" +
		"Content-Type: text/plain; charset=utf-8\n\nHi Ada,\n\nthanks for registering.\n"
	if got != want {
		t.Errorf("mail:\n%s\nwant:\n%s", got, want)
	}
	if s := runner.Stats(); s.Completed != 1 || s.Failed != 0 {
		t.Errorf("stats %+v, want one completed task", s)
	}
}

func TestBadRegistrationsAreRefused(t *testing.T) {
	dir := t.TempDir()
	_, mailer := startMail(t, async.MailServerConfig{Dir: dir})
	runner := bgtasks.New()
	srv := httptest.NewServer(async.NewApp(runner, mailer))
	defer srv.Close()

	for _, tc := range []struct {
		name, body string
		status     int
		error      string
	}{
		{"bad address", `{"email":"not an address","name":"Bob"}`, 400, `email \"not an address\" is not an address`},
		{"display name", `{"email":"Bob <bob@example.com>","name":"Bob"}`, 400, "is not an address"},
		{"unknown field", `{"email":"bob@example.com","name":"Bob","admin":true}`, 400, `unknown field \"admin\"`},
		{"no name", `{"email":"bob@example.com","name":"  "}`, 400, "name must have"},
		{"header injection", `{"email":"bob@example.com","name":"Bob\r\nBcc: all@example.com"}`, 400, "control characters"},
		{"not JSON", `email=bob@example.com`, 400, "invalid JSON"},
		{"two values", `{"email":"bob@example.com","name":"Bob"}{}`, 400, "single JSON object"},
		{"too large", `{"email":"bob@example.com","name":"` + strings.Repeat("b", 5000) + `"}`, 413, "body is larger than 4096 bytes"},
		{"field in capitals", `{"Email":"bob@example.com","name":"Bob"}`, 400, `unknown field \"Email\" (did you mean \"email\"? field names are case-sensitive)`},
		{"field twice", `{"email":"bob@example.com","name":"Bob","name":"Eve"}`, 400, `field \"name\" given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, srv.URL, tc.body)
			if status != tc.status || !strings.HasPrefix(body, `{"error":"`) || !strings.Contains(body, tc.error) {
				t.Errorf("got %d %s, want %d and an error containing %s", status, body, tc.status, tc.error)
			}
		})
	}
	if q := runner.Stats().Queued; q != 0 {
		t.Errorf("%d tasks queued by bad requests", q)
	}

	// The server keeps serving.
	if status, _ := post(t, srv.URL, `{"email":"bob@example.com","name":"Bob"}`); status != http.StatusCreated {
		t.Fatalf("good registration after bad ones: %d", status)
	}
	runner.Wait()
	readMail(t, dir, "bob@example.com")
}

func TestConcurrentRequestsSendConcurrently(t *testing.T) {
	dir := t.TempDir()
	h := newHolder(t)
	_, mailer := startMail(t, async.MailServerConfig{Dir: dir, BeforeStore: h.hold})
	runner := bgtasks.New()
	srv := httptest.NewServer(async.NewApp(runner, mailer))
	defer srv.Close()

	users := []string{"grace", "alan", "edsger"}
	statuses := make([]int, len(users))
	errs := make([]error, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() { statuses[i], _, errs[i] = tryPost(srv.URL, `{"email":"`+u+`@example.com","name":"`+u+`"}`) })
	}
	wg.Wait()
	for i, status := range statuses {
		if errs[i] != nil || status != http.StatusCreated {
			t.Fatalf("%s: status %d, error %v", users[i], status, errs[i])
		}
	}
	// Every mail is held in the server until all three are: they can only
	// all get there if their tasks run at the same time.
	got := h.waitStarted(t, len(users))
	if s := runner.Stats(); s.Running != len(users) {
		t.Errorf("stats %+v, want %d running", s, len(users))
	}
	h.releaseAll()
	runner.Wait()

	slices.Sort(got)
	if want := []string{"alan@example.com", "edsger@example.com", "grace@example.com"}; !slices.Equal(got, want) {
		t.Errorf("sends in flight: %v, want %v", got, want)
	}
	for _, u := range users {
		readMail(t, dir, u+"@example.com")
	}
}

// serve runs h on loopback with an http.Server the test can shut down.
func serve(t *testing.T, h http.Handler) (*http.Server, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() {
		hs.Close()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return hs, "http://" + ln.Addr().String()
}

func TestShutdownDrainsMailsInFlight(t *testing.T) {
	dir := t.TempDir()
	h := newHolder(t)
	_, mailer := startMail(t, async.MailServerConfig{Dir: dir, BeforeStore: h.hold})
	runner := bgtasks.New()
	hs, url := serve(t, async.NewApp(runner, mailer))

	post(t, url, `{"email":"ada@example.com","name":"Ada"}`)
	post(t, url, `{"email":"grace@example.com","name":"Grace"}`)
	h.waitStarted(t, 2)

	// region shutdown
	ctx, cancel := context.WithTimeout(context.Background(), failAfter)
	defer cancel()
	// First stop taking requests, so no handler is still queueing mail...
	if err := hs.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	// ...then wait for the mails in flight.
	stopped := make(chan error, 1)
	go func() { stopped <- runner.Shutdown(ctx) }()
	// endregion shutdown

	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned %v with two mails in flight", err)
	default:
	}
	h.releaseAll()
	if err := <-stopped; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	readMail(t, dir, "ada@example.com")
	readMail(t, dir, "grace@example.com")
	if s := runner.Stats(); s.Completed != 2 || s.Abandoned != 0 {
		t.Errorf("stats %+v, want 2 completed", s)
	}
}

// records passes every log record to a channel.
type records chan slog.Record

func (c records) Enabled(context.Context, slog.Level) bool { return true }
func (c records) Handle(_ context.Context, r slog.Record) error {
	c <- r
	return nil
}
func (c records) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c records) WithGroup(string) slog.Handler      { return c }

func attr(r slog.Record, key string) slog.Value {
	var v slog.Value
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value
			return false
		}
		return true
	})
	return v
}

func TestShutdownDeadlineAbandonsTheSlowSend(t *testing.T) {
	h := newHolder(t)
	_, mailer := startMail(t, async.MailServerConfig{BeforeStore: h.hold})
	logs := make(records, 16)
	runner := bgtasks.New(bgtasks.WithLogger(slog.New(logs)))
	hs, url := serve(t, async.NewApp(runner, mailer))

	post(t, url, `{"email":"ada@example.com","name":"Ada"}`)
	h.waitStarted(t, 1) // and held until the test ends

	if err := hs.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	expired, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	err := runner.Shutdown(expired)
	if !errors.Is(err, bgtasks.ErrAbandoned) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want ErrAbandoned and DeadlineExceeded", err)
	}
	if s := runner.Stats(); s.Abandoned != 1 || s.Completed != 0 || s.Running != 0 {
		t.Errorf("stats %+v, want 1 abandoned", s)
	}

	// Cancelling the task's context unblocked net/smtp, waiting for the
	// server's reply, although the server still holds the mail.
	for {
		select {
		case r := <-logs:
			if r.Message != "abandoned background task returned" {
				continue
			}
			if err, _ := attr(r, "error").Any().(error); !errors.Is(err, context.Canceled) {
				t.Errorf("the abandoned send returned %v, want context.Canceled", err)
			}
			return
		case <-time.After(failAfter):
			t.Fatal("the abandoned send never returned")
		}
	}
}

func TestMailerHonoursContext(t *testing.T) {
	h := newHolder(t)
	_, mailer := startMail(t, async.MailServerConfig{BeforeStore: h.hold})

	ctx, cancel := context.WithCancel(context.Background())
	sent := make(chan error, 1)
	go func() { sent <- mailer.Send(ctx, async.Message{To: "ada@example.com", Subject: "Hi", Body: "Hi"}) }()
	h.waitStarted(t, 1)
	cancel()
	select {
	case err := <-sent:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Send: %v, want context.Canceled", err)
		}
	case <-time.After(failAfter):
		t.Fatal("Send ignored its cancelled context")
	}

	// A context that has already ended stops Send before it dials.
	if err := mailer.Send(ctx, async.Message{To: "ada@example.com"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send with a cancelled context: %v", err)
	}
}

// A page on another site can make the browser POST a form, or a fetch with
// a "simple" Content-Type such as text/plain, without asking first; it
// cannot send application/json without a CORS preflight, which this app
// never answers. So anything but application/json is refused, and no mail
// is queued.
func TestCrossSiteFormIsRefused(t *testing.T) {
	_, mailer := startMail(t, async.MailServerConfig{})
	runner := bgtasks.New()
	srv := httptest.NewServer(async.NewApp(runner, mailer))
	defer srv.Close()
	for _, ctype := range []string{"text/plain", "application/x-www-form-urlencoded", ""} {
		req, _ := http.NewRequest("POST", srv.URL+"/register", strings.NewReader(`{"email":"bob@example.com","name":"Bob"}`))
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
	if q := runner.Stats().Queued; q != 0 {
		t.Errorf("%d tasks queued by refused requests", q)
	}
}
