package scenario

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
	e.At = t.Sub(s.start)
	s.mu.Lock()
	defer s.mu.Unlock()
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
func (s *Session) Runner(opts ...bgtasks.Option) *bgtasks.Runner {
	opts = append([]bgtasks.Option{bgtasks.WithLogger(s.Log), bgtasks.WithObserver(s.observe)}, opts...)
	r := bgtasks.New(opts...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runners = append(s.runners, r)
	return r
}

func (s *Session) observe(e bgtasks.Event) {
	ev := Event{Kind: e.Kind.String(), ID: fmt.Sprintf("task-%d.%d", e.Request, e.Index),
		Name: e.Task, Took: e.Duration}
	if e.Err != nil {
		ev.Detail = firstLine(e.Err.Error())
	}
	s.emitAt(e.Time, ev)
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

// Do sends a request to the app and adds it and its response to the
// timeline. body may be empty; a non-empty body is sent as JSON.
func (s *Session) Do(ctx context.Context, method, path, body string) (Response, error) {
	id := fmt.Sprintf("req-%d", s.requests.Add(1))
	name := method + " " + path
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, rd)
	if err != nil {
		return Response{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	sent := time.Now()
	s.emitAt(sent, Event{Kind: KindRequest, ID: id, Name: name, Detail: body})
	resp, err := s.client.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Response{}, err
	}
	done := time.Now()
	r := Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Latency: done.Sub(sent)}
	s.emitAt(done, Event{Kind: KindResponse, ID: id, Name: name, Took: r.Latency,
		Detail: strings.TrimSpace(fmt.Sprintf("%d %s", r.Status, strings.TrimSpace(r.Body)))})
	return r, nil
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
