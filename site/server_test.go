package site

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

// testServer serves the site on a loopback port, as Serve would.
type testServer struct {
	*server
	URL  string // http://127.0.0.1:PORT
	port int
	logs *bytes.Buffer
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	var logs bytes.Buffer
	s := newServer(newPages(false), "", port, slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil)))
	// A workspace of the test's own: a check must never touch a learner's
	// learn/, nor depend on what is in it.
	s.learn = t.TempDir()
	ts := httptest.NewUnstartedServer(s.handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	return &testServer{server: s, URL: ts.URL, port: port, logs: &logs}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// do sends a request to the test server with the given Host and Origin
// ("" for none) and returns the response and its body.
func (ts *testServer) do(t *testing.T, method, path, host, origin string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(`{"code":"os.RemoveAll(\"/\")"}`))
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
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

func (ts *testServer) origin() string { return ts.URL }

func TestPagesAreServed(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct{ path, ctype, want string }{
		{"/", "text/html", "lessons/01-basic/"},
		{"/lessons/01-basic/", "text/html", `data-lesson="01-basic"`},
		{"/lessons/05-testing/", "text/html", `data-lesson="05-testing"`},
		{"/static/site.css", "text/css", "@layer chroma"},
		{"/static/run.js", "text/javascript", "api/run/"},
		{"/static/theme.js", "text/javascript", "prefers-color-scheme"},
		{"/search.json", "application/json", `"slug":"01-basic"`},
	} {
		resp, body := ts.do(t, "GET", tt.path, "", "")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s: %s %s, body has %q: %v", tt.path, resp.Status, resp.Header.Get("Content-Type"), tt.want, strings.Contains(body, tt.want))
		}
	}
	// Without a trailing slash, a lesson redirects to its page.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(ts.URL + "/lessons/01-basic")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/lessons/01-basic/" {
		t.Errorf("GET /lessons/01-basic: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
}

// Security rule: every response carries a strict Content-Security-Policy
// and the headers that go with it, refusals included.
func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/", "/lessons/02-async/", "/static/site.js", "/nope"} {
		for _, host := range []string{"", "evil.example"} {
			resp, _ := ts.do(t, "GET", path, host, "")
			csp := resp.Header.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
				"connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("GET %s (host %q): CSP %q lacks %q", path, host, csp, d)
				}
			}
			if strings.Contains(csp, "unsafe") {
				t.Errorf("CSP allows unsafe sources: %q", csp)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("GET %s: missing nosniff or Referrer-Policy: %v", path, resp.Header)
			}
		}
	}
}

// Security rule: a request whose Host is not this server's own loopback
// name and port is refused (DNS rebinding: evil.example resolving to
// 127.0.0.1 must not reach the site).
func TestHostMustBeLoopback(t *testing.T) {
	ts := newTestServer(t)
	port := fmt.Sprint(ts.port)
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port} {
		if resp, body := ts.do(t, "GET", "/", host, ""); resp.StatusCode != 200 {
			t.Errorf("Host %s: %s %s, want 200", host, resp.Status, body)
		}
	}
	for _, host := range []string{"evil.example", "evil.example:" + port, "127.0.0.1", "127.0.0.1:1", "localhost",
		"127.0.0.2:" + port, "localhost.evil.example:" + port, "0.0.0.0:" + port, "[::1]", "LOCALHOST.:" + port} {
		for _, path := range []string{"/", "/lessons/01-basic/", "/static/site.js", "/search.json"} {
			resp, body := ts.do(t, "GET", path, host, "")
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "loopback") {
				t.Errorf("GET %s with Host %q: %s, want 403", path, host, resp.Status)
			}
		}
		resp, _ := ts.do(t, "POST", "/api/run/01-basic", host, "http://"+host)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST with Host %q and a matching Origin: %s, want 403", host, resp.Status)
		}
	}
}

// Security rule: actions need an Origin equal to the server's own.
func TestActionsNeedOwnOrigin(t *testing.T) {
	ts := newTestServer(t)
	var runs atomic.Int32
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		runs.Add(1)
		return nil
	}
	ts.check = func(context.Context, string, tour.Lesson) (check.Result, error) {
		runs.Add(1)
		return check.Result{Passed: true}, nil
	}
	ts.root = t.TempDir()
	port := fmt.Sprint(ts.port)
	for _, origin := range []string{"", "null", "http://evil.example", "http://127.0.0.1:1", "https://127.0.0.1:" + port,
		"http://localhost:" + port, "http://127.0.0.1:" + port + ".evil.example", "http://127.0.0.1:" + port + "/"} {
		for _, path := range []string{"/api/run/01-basic", "/api/check/01-basic"} {
			resp, body := ts.do(t, "POST", path, "", origin)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "origin") {
				t.Errorf("POST %s with Origin %q: %s %s, want 403", path, origin, resp.Status, body)
			}
		}
	}
	if n := runs.Load(); n != 0 {
		t.Fatalf("%d actions ran for refused requests", n)
	}
	for _, path := range []string{"/api/run/01-basic", "/api/check/01-basic"} {
		if resp, body := ts.do(t, "POST", path, "", ts.origin()); resp.StatusCode != 200 {
			t.Errorf("POST %s from the site's own origin: %s %s", path, resp.Status, body)
		}
	}
	// The same holds for any other method that is not a read.
	for _, m := range []string{"PUT", "DELETE", "PATCH"} {
		if resp, _ := ts.do(t, m, "/api/run/01-basic", "", ""); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without Origin: %s, want 403", m, resp.Status)
		}
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("%d actions ran, want 2", n)
	}
}

// Security rule: only fixed actions exist, on lessons from the index; no
// path reaches a file the site does not embed.
func TestOnlyFixedActionsAndNoTraversal(t *testing.T) {
	ts := newTestServer(t)
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		t.Errorf("a run started for %q", l.Slug)
		return nil
	}
	o := ts.origin()
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"POST", "/api/run/1", 404}, // a lesson's full folder name only
		{"POST", "/api/run/basic", 404},
		{"POST", "/api/run/..%2f..%2fgo.mod", 404},
		{"POST", "/api/run/01-basic/../../x", 404},
		{"POST", "/api/exec", 404},
		{"POST", "/api/run", 404},
		{"GET", "/api/run/01-basic", 405},
		{"GET", "/lessons/../go.mod", 404},
		{"GET", "/lessons/..%2f..%2fgo.mod/", 404},
		{"GET", "/lessons/01-basic/app.go", 404},
		{"GET", "/lessons/01-basic/exercise/", 404},
		{"GET", "/static/..%2fsite.go", 404},
		{"GET", "/static/site.go", 404},
		{"GET", "/static/", 404},
		{"GET", "/templates/layout.html", 404},
		{"GET", "/lessons/99-nope/", 404},
	} {
		resp, body := ts.do(t, tt.method, tt.path, "", o)
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s: %s, want %d: %.200s", tt.method, tt.path, resp.Status, tt.status, body)
		}
	}
}

// readStream reads a run's event stream: its events and its end.
func readStream(t *testing.T, body io.Reader) (events []scenario.Event, end map[string]any) {
	t.Helper()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	for _, chunk := range strings.Split(strings.TrimSpace(string(b)), "\n\n") {
		name, data, _ := strings.Cut(chunk, "\n")
		data = strings.TrimPrefix(data, "data: ")
		switch name {
		case "event: event":
			var e scenario.Event
			if err := json.Unmarshal([]byte(data), &e); err != nil {
				t.Fatalf("event %q: %v", data, err)
			}
			events = append(events, e)
		case "event: end":
			if err := json.Unmarshal([]byte(data), &end); err != nil {
				t.Fatalf("end %q: %v", data, err)
			}
		default:
			t.Fatalf("unexpected chunk %q", chunk)
		}
	}
	return events, end
}

func (ts *testServer) post(t *testing.T, ctx context.Context, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+path, nil)
	req.Header.Set("Origin", ts.origin())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// A real run of lesson 01 streams the response before the task ends.
func TestRunStreamsRealScenario(t *testing.T) {
	ts := newTestServer(t)
	resp := ts.post(t, context.Background(), "/api/run/01-basic")
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	events, end := readStream(t, resp.Body)
	if end == nil || end["error"] != "" {
		t.Fatalf("end = %v", end)
	}
	if !responseBeforeTask(lanesOf(events)) {
		t.Errorf("no response ended before a task its request queued: %+v", events)
	}
}

// lanesOf turns a run's events into the spans the page draws.
func lanesOf(events []scenario.Event) []lane {
	byID := map[string]*lane{}
	var order []*lane
	ms := func(d time.Duration) *float64 { f := float64(d) / 1e6; return &f }
	for _, e := range events {
		if e.ID == "" {
			continue
		}
		l := byID[e.ID]
		if l == nil {
			l = &lane{ID: e.ID, Kind: "task"}
			byID[e.ID] = l
			order = append(order, l)
		}
		switch e.Kind {
		case scenario.KindRequest:
			l.Kind, l.Start = "request", *ms(e.At)
		case scenario.KindResponse:
			l.End = ms(e.At)
		case scenario.KindQueued:
			l.Queued = ms(e.At)
		case scenario.KindStarted:
			l.Start = *ms(e.At)
		case scenario.KindCompleted, scenario.KindFailed, scenario.KindAbandoned:
			l.End = ms(e.At)
		}
	}
	lanes := make([]lane, len(order))
	for i, l := range order {
		lanes[i] = *l
	}
	return lanes
}

// Security rule: a run stops at its time limit.
func TestRunTimeLimit(t *testing.T) {
	ts := newTestServer(t)
	ts.runTimeout = 50 * time.Millisecond
	stopped := make(chan struct{})
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		emit(scenario.Event{Kind: scenario.KindNote, Name: "waiting"})
		<-ctx.Done()
		close(stopped)
		return ctx.Err()
	}
	resp := ts.post(t, context.Background(), "/api/run/02-async")
	defer resp.Body.Close()
	events, end := readStream(t, resp.Body)
	<-stopped
	if len(events) != 1 || !strings.Contains(fmt.Sprint(end["error"]), "time limit") {
		t.Errorf("events %v, end %v: want one event, then the time limit", events, end)
	}
}

// Security rule: a run stops at its output limit.
func TestRunOutputLimit(t *testing.T) {
	ts := newTestServer(t)
	ts.maxEvents = 10
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		for i := 0; i < 1000 && ctx.Err() == nil; i++ {
			emit(scenario.Event{Kind: scenario.KindLog, Name: strings.Repeat("x", 100)})
		}
		return ctx.Err()
	}
	resp := ts.post(t, context.Background(), "/api/run/01-basic")
	defer resp.Body.Close()
	events, end := readStream(t, resp.Body)
	if len(events) != 10 || !strings.Contains(fmt.Sprint(end["error"]), "output limit") {
		t.Errorf("%d events, end %v: want 10 events, then the output limit", len(events), end)
	}
}

// Security rule: a run is cancelled when its client goes away.
func TestRunCancelledOnDisconnect(t *testing.T) {
	ts := newTestServer(t)
	started, stopped := make(chan struct{}), make(chan struct{})
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		close(started)
		<-ctx.Done()
		close(stopped)
		return ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	resp := ts.post(t, ctx, "/api/run/01-basic")
	<-started
	cancel()
	resp.Body.Close()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the run went on after its client left")
	}
}

// Security rule: a check is cancelled when its client goes away.
func TestCheckCancelledOnDisconnect(t *testing.T) {
	ts := newTestServer(t)
	ts.root = t.TempDir()
	started, stopped := make(chan struct{}), make(chan struct{})
	ts.check = func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
		close(started)
		<-ctx.Done()
		close(stopped)
		return check.Result{}, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/api/check/01-basic", nil)
		req.Header.Set("Origin", ts.origin())
		_, err := http.DefaultClient.Do(req)
		errc <- err
	}()
	<-started
	cancel()
	<-errc
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the check went on after its client left")
	}
}

// Security rule: at most two actions at once; the third is refused with a
// message that says why.
func TestAtMostTwoActions(t *testing.T) {
	ts := newTestServer(t)
	ts.root = t.TempDir()
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		return nil
	}
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := ts.post(t, context.Background(), "/api/run/01-basic")
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	<-started
	<-started
	for _, path := range []string{"/api/run/03-dependencies", "/api/check/01-basic"} {
		resp, body := ts.do(t, "POST", path, "", ts.origin())
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, busyMessage) {
			t.Errorf("a third action (%s): %s %s, want 429 saying why", path, resp.Status, body)
		}
	}
	close(release)
	wg.Wait()
	// Slots come back once the runs end.
	ts.check = func(context.Context, string, tour.Lesson) (check.Result, error) {
		return check.Result{Passed: true}, nil
	}
	if resp, body := ts.do(t, "POST", "/api/check/01-basic", "", ts.origin()); resp.StatusCode != 200 {
		t.Errorf("after the runs: %s %s", resp.Status, body)
	}
}

func TestCheckResult(t *testing.T) {
	ts := newTestServer(t)
	ts.root = t.TempDir()
	var gotRoot, gotLesson string
	ts.check = func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
		gotRoot, gotLesson = root, l.Slug
		return check.Result{Lesson: l.Slug, Step: "2/3", Message: "the mail was sent before the response", Hint: "queue it"}, nil
	}
	resp, body := ts.do(t, "POST", "/api/check/02-async", "", ts.origin())
	var res check.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s %s: %v", resp.Status, body, err)
	}
	if gotRoot != ts.root || gotLesson != "02-async" || res.Passed || res.Step != "2/3" || res.Hint != "queue it" {
		t.Errorf("check of %s in %s gave %+v", gotLesson, gotRoot, res)
	}
}

// Security rule: a check stops at its time limit, which is check.Run's
// own (check.Timeout), defined and applied there once: the site adds no
// deadline of its own, which would end a long check with a bare 500 rather
// than check.Run's verdict.
func TestCheckTimeLimitIsTheChecks(t *testing.T) {
	ts := newTestServer(t)
	ts.root = t.TempDir()
	ts.check = func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
		if d, ok := ctx.Deadline(); ok {
			t.Errorf("the site gave the check a deadline of its own, in %s", time.Until(d).Round(time.Second))
		}
		return check.Result{Lesson: l.Slug, Message: "the check did not finish within 2m0s and was stopped"}, nil
	}
	resp, body := ts.do(t, "POST", "/api/check/01-basic", "", ts.origin())
	if resp.StatusCode != 200 || !strings.Contains(body, "did not finish within") {
		t.Errorf("%s %s: want check.Run's verdict, as it said it", resp.Status, body)
	}
}

// The real check of a starter exercise fails and says which step.
func TestCheckRealStarter(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	root, err := lessons.Root()
	if err != nil {
		t.Skip(err)
	}
	ts := newTestServer(t)
	ts.root = root
	resp, body := ts.do(t, "POST", "/api/check/01-basic", "", ts.origin())
	var res check.Result
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s %s: %v", resp.Status, body, err)
	}
	if res.Passed || res.Message == "" {
		t.Errorf("the starter passed or said nothing: %+v", res)
	}
}

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, Options{Addr: "127.0.0.1:0", Ready: func(u string) { urls <- u }}, &syncWriter{w: &out})
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Errorf("URL %q", url)
	}
	resp, err := http.Get(url + "lessons/01-basic/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET: %s", resp.Status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if !strings.Contains(out.String(), url) || strings.Contains(out.String(), "WARNING") {
		t.Errorf("output %q: want the URL and no warning", out.String())
	}
}

// Security rule: any address other than loopback is served with a warning,
// and the server still answers only to its loopback names.
func TestServeWarnsOffLoopback(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		done <- Serve(ctx, Options{Addr: "0.0.0.0:0", Ready: func(u string) { urls <- u }}, &syncWriter{w: &out})
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Skipf("cannot listen on 0.0.0.0 here: %v", err)
	}
	_, port, err := net.SplitHostPort(strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/"))
	if err != nil {
		t.Fatalf("URL %q: %v", url, err)
	}
	for host, want := range map[string]int{
		"127.0.0.1:" + port:    http.StatusOK,
		"0.0.0.0:" + port:      http.StatusForbidden, // the wildcard is no name of this server
		"evil.example:" + port: http.StatusForbidden,
	} {
		req, _ := http.NewRequest("GET", url, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("listening on 0.0.0.0, Host %q: %s, want %d", host, resp.Status, want)
		}
	}
	cancel()
	<-done
	if !strings.Contains(out.String(), "WARNING") || !strings.Contains(out.String(), "not a loopback address") ||
		!strings.Contains(out.String(), "answers only requests addressed to 127.0.0.1, localhost or [::1]") {
		t.Errorf("output %q: want a warning naming the hosts it answers to", out.String())
	}
	// It says what is exposed: every page to any program, and that actions
	// are refused to other machines unless allowed.
	for _, want := range []string{"any program that reaches the port can use those names, and read every page",
		"Run and Check, which run code on this machine, are refused to other machines; -allow-remote-actions allows them"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output %q: want it to say %q", out.String(), want)
		}
	}
}

// Listening on one address that is not 127.0.0.1, the URL printed is that
// address, and it works; the server answers to it and to its loopback
// names, and to nothing else.
func TestServeOnOneOtherAddress(t *testing.T) {
	addrs := []string{"127.0.0.2"} // loopback, but not a name the server knows
	if ip := firstNonLoopbackIP(); ip != "" {
		addrs = append(addrs, ip)
	}
	for _, ip := range addrs {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		var out bytes.Buffer
		done := make(chan error, 1)
		urls := make(chan string, 1)
		go func() {
			done <- Serve(ctx, Options{Addr: net.JoinHostPort(ip, "0"), Ready: func(u string) { urls <- u }}, &syncWriter{w: &out})
		}()
		var url string
		select {
		case url = <-urls:
		case err := <-done:
			t.Logf("cannot listen on %s here: %v", ip, err)
			cancel()
			continue
		}
		if !strings.HasPrefix(url, "http://"+ip+":") {
			t.Errorf("listening on %s, the URL is %s", ip, url)
		}
		_, port, _ := net.SplitHostPort(strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/"))
		for host, want := range map[string]int{
			"":                     http.StatusOK, // the URL's own
			"localhost:" + port:    http.StatusOK,
			"evil.example:" + port: http.StatusForbidden,
		} {
			req, _ := http.NewRequest("GET", url, nil)
			if host != "" {
				req.Host = host
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("listening on %s, GET %s with Host %q: %s, want %d", ip, url, host, resp.Status, want)
			}
		}
		cancel()
		<-done
		warned := strings.Contains(out.String(), "WARNING")
		if loopback := net.ParseIP(ip).IsLoopback(); warned == loopback {
			t.Errorf("listening on %s (loopback %v): output %q", ip, loopback, out.String())
		}
		if warned && !strings.Contains(out.String(), "answers only requests addressed to "+ip+":"+port+", 127.0.0.1") {
			t.Errorf("the warning does not name %s: %q", ip, out.String())
		}
	}
}

// firstNonLoopbackIP is an IPv4 address of this machine that is not
// loopback, or "".
func firstNonLoopbackIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	return ""
}

func TestDefaultAddrIsLoopback(t *testing.T) {
	host, _, err := net.SplitHostPort(DefaultAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		t.Errorf("DefaultAddr %q is not loopback", DefaultAddr)
	}
}
