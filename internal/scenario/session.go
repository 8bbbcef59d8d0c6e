package scenario

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// An App builds a lesson's HTTP handler for one session. It makes its
// bgtasks.Runner with s.Runner, keeps its files under s.Dir and logs to s.Log.
type App func(s *Session) (http.Handler, error)

// Steps drives a running app: the requests of a lesson's scenario.
type Steps func(ctx context.Context, s *Session) error

// A Session is one run of one lesson's app. Its methods are safe for
// concurrent use.
type Session struct {
	Dir string       // a fresh directory for the files the app writes
	Log *slog.Logger // the app's logger: its lines join the timeline
	URL string       // the app's base URL, such as http://127.0.0.1:41234

	start  time.Time
	client *http.Client

	mu       sync.Mutex // serialises emit, so observers see one event at a time
	emitFn   func(Event)
	last     time.Duration // the latest event's At
	runners  []*bgtasks.Runner
	cleanups []func()
	requests atomic.Int64
}

func newSession(dir string, emit func(Event)) *Session {
	s := &Session{Dir: dir, start: time.Now(), emitFn: emit,
		client: &http.Client{Timeout: 30 * time.Second}}
	s.Log = slog.New(slog.NewTextHandler(lineWriter{s}, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == "stack") {
				return slog.Attr{} // the timeline has its own clock; stacks drown it
			}
			return a
		},
	}))
	return s
}

// Emit adds e to the timeline, stamped with the time since the session began.
func (s *Session) Emit(e Event) {
	s.emitAt(time.Now(), e)
}

func (s *Session) emitAt(t time.Time, e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Events are stamped before they queue for the lock, so one may arrive
	// a few microseconds behind the last; keep the timeline in order.
	e.At = max(t.Sub(s.start), s.last)
	s.last = e.At
	s.emitFn(e)
}

// Note adds a line of narration to the timeline.
func (s *Session) Note(format string, args ...any) {
	s.Emit(Event{Kind: KindNote, Name: fmt.Sprintf(format, args...)})
}

// Cleanup registers fn to run when the session ends, after the app's server
// and runners have shut down. Cleanups run in reverse order.
func (s *Session) Cleanup(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, fn)
}

// Runner returns a bgtasks.Runner whose tasks join the timeline and whose
// logs go to s.Log. The session waits for it and shuts it down. opts must not
// include bgtasks.WithObserver.
//
// Task IDs are "task-R.I" for the first runner (request R, task I) and
// "task-N:R.I" for the Nth, so that two runners' tasks never pair up.
func (s *Session) Runner(opts ...bgtasks.Option) *bgtasks.Runner {
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := "task-"
	if n := len(s.runners) + 1; n > 1 {
		prefix = fmt.Sprintf("task-%d:", n)
	}
	observe := func(e bgtasks.Event) {
		ev := Event{Kind: e.Kind.String(), ID: fmt.Sprintf("%s%d.%d", prefix, e.Request, e.Index),
			Name: e.Task, Took: e.Duration}
		if e.Err != nil {
			ev.Detail = firstLine(e.Err.Error())
		}
		s.emitAt(e.Time, ev)
	}
	opts = append([]bgtasks.Option{bgtasks.WithLogger(s.Log), bgtasks.WithObserver(observe)}, opts...)
	r := bgtasks.New(opts...)
	s.runners = append(s.runners, r)
	return r
}

// Wait blocks until the tasks of every runner made by s have ended, or ctx
// ends.
func (s *Session) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, r := range s.runnerList() {
			r.Wait()
		}
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("tasks still running: %w", context.Cause(ctx))
	}
}

func (s *Session) runnerList() []*bgtasks.Runner {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*bgtasks.Runner(nil), s.runners...)
}

// A Response is what Do read back.
type Response struct {
	Status  int
	Header  http.Header
	Body    string
	Latency time.Duration // from sending the request to reading the whole body
}

// Do sends a request to the app over loopback and adds it and its response
// to the timeline. body may be empty; a non-empty body is sent as JSON.
func (s *Session) Do(ctx context.Context, method, path, body string) (Response, error) {
	return s.record(method, path, body, func() (Response, error) {
		req, err := http.NewRequestWithContext(ctx, method, s.URL+path, bodyReader(body))
		if err != nil {
			return Response{}, err
		}
		setJSON(req.Header, body)
		resp, err := s.client.Do(req)
		if err != nil {
			return Response{}, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}, err
	})
}

// Call serves a request with h in process, as a test with
// httptest.NewRecorder does, and adds it and its response to the timeline.
func (s *Session) Call(ctx context.Context, h http.Handler, method, path, body string) (Response, error) {
	return s.record(method, path, body, func() (Response, error) {
		req := httptest.NewRequestWithContext(ctx, method, path, bodyReader(body))
		setJSON(req.Header, body)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}, nil
	})
}

// record adds a request to the timeline, has send answer it, then adds the
// response with its latency.
func (s *Session) record(method, path, body string, send func() (Response, error)) (Response, error) {
	id := fmt.Sprintf("req-%d", s.requests.Add(1))
	name := method + " " + path
	sent := time.Now()
	s.emitAt(sent, Event{Kind: KindRequest, ID: id, Name: name, Detail: body})
	r, err := send()
	if err != nil {
		return Response{}, err
	}
	done := time.Now()
	r.Latency = done.Sub(sent)
	s.emitAt(done, Event{Kind: KindResponse, ID: id, Name: name, Took: r.Latency,
		Detail: strings.TrimSpace(fmt.Sprintf("%d %s", r.Status, strings.TrimSpace(r.Body)))})
	return r, nil
}

func bodyReader(body string) io.Reader {
	if body == "" {
		return nil
	}
	return strings.NewReader(body)
}

func setJSON(h http.Header, body string) {
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
}

// lineWriter turns each line the app logs into a Log event.
type lineWriter struct{ s *Session }

func (w lineWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.s.Emit(Event{Kind: KindLog, Name: line})
	}
	return len(p), nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
