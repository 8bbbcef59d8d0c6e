package site

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/internal/tour"
)

// failAfter bounds how long a test waits for something that must happen.
// It is a guard against hanging, never a measure of speed.
const failAfter = 30 * time.Second

// dial opens a connection to the test server and sends head, a request's
// head without its blank line; the body, if any, is the caller's to send.
func (ts *testServer) dial(t *testing.T, head string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, strings.ReplaceAll(head, "\n", "\r\n")+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	return c
}

// actionHead is the head of a POST to path that passes the Host and Origin
// rules, with more lines after it.
func (ts *testServer) actionHead(path string, more ...string) string {
	host := strings.TrimPrefix(ts.URL, "http://")
	return strings.Join(append([]string{"POST " + path + " HTTP/1.1", "Host: " + host, "Origin: " + ts.origin()}, more...), "\n")
}

// readResponse reads one response from c, failing the test if none comes
// within failAfter.
func readResponse(t *testing.T, c net.Conn) (*http.Response, string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(failAfter))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no response within %s: %v", failAfter, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Security rule: a request that announces a body and never sends it holds
// no action slot, and is answered once the read timeout passes. Two such
// requests, held open, once locked every Run and Check out with 429 for as
// long as their sockets stayed open, and nothing was logged.
func TestStalledBodyHoldsNoSlot(t *testing.T) {
	ts := newTestServer(t)
	ts.root = t.TempDir()
	// The read timeout is the thing under test: short, so that the test
	// does not wait the real one out.
	ts.readTimeout = 100 * time.Millisecond
	var runs atomic.Int32
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		runs.Add(1)
		return nil
	}
	ts.check = func(context.Context, string, tour.Lesson) (check.Result, error) {
		runs.Add(1)
		return check.Result{Passed: true}, nil
	}
	var stalled []net.Conn
	for range maxActions {
		stalled = append(stalled, ts.dial(t, ts.actionHead("/api/run/01-basic", "Content-Length: 100")))
	}
	for i, c := range stalled {
		resp, body := readResponse(t, c)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(body, "did not arrive within 100ms") {
			t.Errorf("stalled request %d: %s %s, want 408 saying why", i, resp.Status, body)
		}
	}
	if n := runs.Load(); n != 0 {
		t.Errorf("%d actions ran for requests whose body never came", n)
	}
	// The sockets are still open, and Run and Check still work.
	for _, path := range []string{"/api/run/01-basic", "/api/check/01-basic"} {
		if resp, body := ts.do(t, "POST", path, "", ts.origin()); resp.StatusCode != 200 {
			t.Errorf("POST %s with two stalled requests open: %s %s", path, resp.Status, body)
		}
	}
	if !strings.Contains(ts.logs.String(), "body did not arrive") {
		t.Errorf("nothing was logged of the stalled requests:\n%s", ts.logs)
	}
}

// Security rule: an action's body, which it never uses, is refused past a
// few kilobytes.
func TestActionBodyIsSmall(t *testing.T) {
	ts := newTestServer(t)
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		t.Error("a run started for a request with a large body")
		return nil
	}
	req, _ := http.NewRequest("POST", ts.URL+"/api/run/01-basic", bytes.NewReader(make([]byte, maxActionBody+1)))
	req.Header.Set("Origin", ts.origin())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "actions take no input") {
		t.Errorf("%s %s, want 413 saying why", resp.Status, b)
	}
}

// Security rule: an action whose request carried a body still stops when
// its client goes away. net/http notices a client leaving only once the
// body has been read, and the actions never read it: with a 5-byte body,
// go test once ran on for 61s after its client had gone.
func TestActionWithBodyCancelledOnDisconnect(t *testing.T) {
	for _, path := range []string{"/api/run/01-basic", "/api/check/01-basic"} {
		t.Run(path, func(t *testing.T) {
			ts := newTestServer(t)
			ts.root = t.TempDir()
			started, stopped := make(chan struct{}), make(chan struct{})
			wait := func(ctx context.Context) {
				close(started)
				<-ctx.Done()
				close(stopped)
			}
			ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
				wait(ctx)
				return ctx.Err()
			}
			ts.check = func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
				wait(ctx)
				return check.Result{}, ctx.Err()
			}
			c := ts.dial(t, ts.actionHead(path, "Content-Length: 5"))
			io.WriteString(c, "hello")
			select {
			case <-started:
			case <-time.After(failAfter):
				t.Fatal("the action never started")
			}
			c.Close()
			select {
			case <-stopped:
			case <-time.After(failAfter):
				t.Fatalf("the action went on for %s after its client left", failAfter)
			}
		})
	}
}

// Security rule: actions are refused to other machines unless the learner
// allows them. Host and Origin keep out web pages elsewhere, not other
// programs: any client that reached a server listening on 0.0.0.0 could
// name 127.0.0.1 in both and run actions. Pages stay readable.
func TestActionsRefuseOtherMachines(t *testing.T) {
	ts := newTestServer(t)
	ts.root = t.TempDir()
	var runs atomic.Int32
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		runs.Add(1)
		return nil
	}
	ts.check = func(context.Context, string, tour.Lesson) (check.Result, error) {
		runs.Add(1)
		return check.Result{Passed: true}, nil
	}
	h := ts.handler()
	host := fmt.Sprintf("127.0.0.1:%d", ts.port)
	// serve sends a request as if from peer, reaching this server on local.
	serve := func(method, path, peer, local string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		req.Host, req.RemoteAddr = host, peer
		req.Header.Set("Origin", "http://"+host)
		if local != "" {
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, net.TCPAddrFromAddrPort(mustAddrPort(t, local))))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, peer := range []string{"192.0.2.7:40000", "[2001:db8::7]:40000", "[::ffff:192.0.2.7]:40000", "garbage"} {
		for _, path := range []string{"/api/run/01-basic", "/api/check/01-basic"} {
			rec := serve("POST", path, peer, "192.0.2.1:8080")
			if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "only from this machine") ||
				!strings.Contains(rec.Body.String(), "-allow-remote-actions") {
				t.Errorf("POST %s from %s: %d %s, want 403 saying how to allow it", path, peer, rec.Code, rec.Body)
			}
		}
		if rec := serve("GET", "/lessons/01-basic/", peer, ""); rec.Code != 200 {
			t.Errorf("GET a page from %s: %d, want 200", peer, rec.Code)
		}
	}
	if n := runs.Load(); n != 0 {
		t.Fatalf("%d actions ran for other machines", n)
	}
	// This machine: loopback, and the address the server was reached on.
	for _, tt := range []struct{ peer, local string }{
		{"127.0.0.1:40000", ""}, {"127.0.0.2:40000", ""}, {"[::1]:40000", ""}, {"[::ffff:127.0.0.1]:40000", ""},
		{"192.0.2.1:40000", "192.0.2.1:8080"},
	} {
		if rec := serve("POST", "/api/run/01-basic", tt.peer, tt.local); rec.Code != 200 {
			t.Errorf("POST from %s to %s: %d %s, want 200", tt.peer, tt.local, rec.Code, rec.Body)
		}
	}
	// Allowed, other machines run actions too.
	ts.allowRemote = true
	if rec := serve("POST", "/api/check/01-basic", "192.0.2.7:40000", "192.0.2.1:8080"); rec.Code != 200 {
		t.Errorf("with remote actions allowed: %d %s, want 200", rec.Code, rec.Body)
	}
	if !strings.Contains(ts.logs.String(), "refused an action from another machine") {
		t.Errorf("the refusals were not logged:\n%s", ts.logs)
	}
}

// Options.AllowRemoteActions reaches the server, and the warning says what
// it exposes.
func TestServeAllowRemoteActionsWarns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	urls := make(chan string, 1)
	go func() {
		done <- Serve(ctx, Options{Addr: "0.0.0.0:0", AllowRemoteActions: true, Ready: func(u string) { urls <- u }}, &syncWriter{w: &out})
	}()
	select {
	case <-urls:
	case err := <-done:
		t.Skipf("cannot listen on 0.0.0.0 here: %v", err)
	}
	cancel()
	<-done
	if want := "Run and Check are allowed from other machines (-allow-remote-actions): anyone who reaches this port"; !strings.Contains(out.String(), want) {
		t.Errorf("output %q: want it to say %q", out.String(), want)
	}
}

func mustAddrPort(t *testing.T, s string) netip.AddrPort {
	t.Helper()
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

// Security rule: a client that stops reading a run's stream is dropped
// once a write has waited writeTimeout, and its slot comes back. Without a
// write deadline the handler waited on the socket for as long as the client
// kept it open, holding its slot after the run had ended.
func TestRunDropsAClientThatStopsReading(t *testing.T) {
	ts := newTestServer(t)
	// The write timeout is the thing under test.
	ts.writeTimeout = 100 * time.Millisecond
	ended := make(chan struct{})
	big := strings.Repeat("x", 64<<10)
	ts.run = func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
		defer close(ended)
		for ctx.Err() == nil { // until the output limit, or the client is dropped
			emit(scenario.Event{Kind: scenario.KindLog, Name: big})
		}
		return ctx.Err()
	}
	// The run streams some 300 MB, far more than the sockets' buffers
	// hold, and the client reads none of it.
	ts.dial(t, ts.actionHead("/api/run/01-basic"))
	select {
	case <-ended:
	case <-time.After(failAfter):
		t.Fatal("the run never ended")
	}
	for deadline := time.Now().Add(failAfter); len(ts.sem) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the run's slot was still held %s after the run ended, by a client that reads nothing", failAfter)
		}
	}
}
