package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
)

var (
	errTooMuchOutput = errors.New("output limit reached")
	errRunTimeout    = errors.New("time limit reached")
)

// serveRun runs a lesson's scenario and streams its events as
// text/event-stream: "event: event" with one scenario.Event as JSON per
// event, then one "event: end" with {"error": "...", "took": ns}. The run
// stops at its time limit, at its output limit, or when the client goes
// away (the request's context).
func (s *server) serveRun(w http.ResponseWriter, r *http.Request) {
	l, ok := s.pages.lesson(r.PathValue("slug"))
	if !ok {
		jsonError(w, http.StatusNotFound, "no such lesson")
		return
	}
	release, ok := s.acquire(w)
	if !ok {
		return
	}
	defer release()
	limit := l.Timeout
	if s.runTimeout != 0 {
		limit = s.runTimeout
	}
	ctx, cancelTimeout := context.WithTimeoutCause(r.Context(), limit, errRunTimeout)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// Each write must go out within writeTimeout: a client that stops
	// reading must not hold the handler, and its slot, once the run ends.
	deadline := func() { _ = rc.SetWriteDeadline(time.Now().Add(s.writeTimeout)) }
	deadline()
	_ = rc.Flush()

	q := &eventQueue{notify: make(chan struct{}, 1), max: s.maxEvents, full: func() { cancel(errTooMuchOutput) }}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- s.run(ctx, l, q.push) }()
	s.log.Info("run started", "lesson", l.Slug)

	writeOK := true
	send := func(events []scenario.Event) {
		deadline()
		for _, e := range events {
			if !writeOK {
				return
			}
			b, _ := json.Marshal(e)
			_, err := fmt.Fprintf(w, "event: event\ndata: %s\n\n", b)
			writeOK = err == nil
		}
		if writeOK {
			writeOK = rc.Flush() == nil
		}
	}
	for {
		select {
		case <-q.notify:
			send(q.take())
			continue
		case err := <-done:
			q.close()
			send(q.take())
			msg := s.runError(ctx, err, limit)
			took := time.Since(start)
			s.log.Info("run ended", "lesson", l.Slug, "took", took, "events", q.count(), "error", msg)
			if writeOK {
				deadline()
				b, _ := json.Marshal(map[string]any{"error": msg, "took": took})
				_, _ = fmt.Fprintf(w, "event: end\ndata: %s\n\n", b)
				_ = rc.Flush()
			}
			return
		}
	}
}

// runError says why a run ended early, in words for the page: a limit
// reached or the run's own error; "" for a run that went to its end.
func (s *server) runError(ctx context.Context, err error, limit time.Duration) string {
	if ctx.Err() == nil {
		if err != nil {
			return err.Error()
		}
		return ""
	}
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errTooMuchOutput):
		return fmt.Sprintf("stopped after %d events: the output limit", s.maxEvents)
	case errors.Is(cause, errRunTimeout):
		return fmt.Sprintf("stopped after %s: the time limit", limit)
	}
	return "stopped: " + cause.Error()
}

// eventQueue passes events from the scenario, which must never block on a
// slow or vanished client, to the handler that writes them. It holds at most
// max events in all; past that it calls full once and drops the rest.
type eventQueue struct {
	mu     sync.Mutex
	events []scenario.Event
	n      int
	max    int
	closed bool
	notify chan struct{}
	full   func()
}

func (q *eventQueue) push(e scenario.Event) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.n++
	if q.n > q.max {
		first := q.n == q.max+1
		q.mu.Unlock()
		if first {
			q.full()
		}
		return
	}
	q.events = append(q.events, e)
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

func (q *eventQueue) take() []scenario.Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	events := q.events
	q.events = nil
	return events
}

func (q *eventQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
}

func (q *eventQueue) count() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return min(q.n, q.max)
}

// serveCheck checks the learner's copy of the exercise, in their
// workspace, records the verdict and answers it as JSON (verdictJSON); the
// pages following the lesson are sent it too. A check that could not run is
// an error status with {"error": "..."}.
func (s *server) serveCheck(w http.ResponseWriter, r *http.Request) {
	l, ok := s.pages.lesson(r.PathValue("slug"))
	if !ok {
		jsonError(w, http.StatusNotFound, "no such lesson")
		return
	}
	ws, err := s.workspace()
	if err != nil {
		jsonError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	release, ok := s.acquire(w)
	if !ok {
		return
	}
	defer release()
	// The check's time limit is check.Run's own: a check that goes on too
	// long is a Result that says so, and the site adds no limit of its own.
	ctx := r.Context()
	s.log.Info("check started", "lesson", l.Slug)
	res, err := s.checkFunc()(ctx, ws.Root(), l)
	if err != nil {
		msg := err.Error()
		s.log.Warn("check could not run", "lesson", l.Slug, "err", msg)
		if r.Context().Err() == nil { // the page that asked is still there
			s.recordVerdict(ws, l, res, errors.New(msg))
		}
		jsonError(w, http.StatusInternalServerError, msg)
		return
	}
	s.log.Info("check ended", "lesson", l.Slug, "passed", res.Passed, "took", res.Took)
	v := s.recordVerdict(ws, l, res, nil)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}
