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
	"github.com/bgtasks/tutorial/lessons"
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
	ctx, cancelTimeout := context.WithTimeoutCause(r.Context(), s.runTimeout, errRunTimeout)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.Flush()

	q := &eventQueue{notify: make(chan struct{}, 1), max: s.maxEvents, full: func() { cancel(errTooMuchOutput) }}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- s.run(ctx, l, q.push) }()
	s.log.Info("run started", "lesson", l.Slug)

	writeOK := true
	send := func(events []scenario.Event) {
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
			msg := s.runError(ctx, err)
			took := time.Since(start)
			s.log.Info("run ended", "lesson", l.Slug, "took", took, "events", q.count(), "error", msg)
			if writeOK {
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
func (s *server) runError(ctx context.Context, err error) string {
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
		return fmt.Sprintf("stopped after %s: the time limit", s.runTimeout)
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

// serveCheck checks the learner's exercise on disk and answers with the
// check's Result as JSON.
func (s *server) serveCheck(w http.ResponseWriter, r *http.Request) {
	l, ok := s.pages.lesson(r.PathValue("slug"))
	if !ok {
		jsonError(w, http.StatusNotFound, "no such lesson")
		return
	}
	root := s.root
	if root == "" {
		var err error
		if root, err = lessons.Root(); err != nil {
			jsonError(w, http.StatusServiceUnavailable, rootlessCheck)
			return
		}
	}
	release, ok := s.acquire(w)
	if !ok {
		return
	}
	defer release()
	ctx, cancel := context.WithTimeoutCause(r.Context(), s.checkTimeout, errRunTimeout)
	defer cancel()
	s.log.Info("check started", "lesson", l.Slug)
	res, err := s.check(ctx, root, l)
	if err != nil {
		msg := err.Error()
		if errors.Is(context.Cause(ctx), errRunTimeout) {
			msg = fmt.Sprintf("the check took longer than %s and was stopped", s.checkTimeout)
		}
		s.log.Warn("check could not run", "lesson", l.Slug, "err", msg)
		jsonError(w, http.StatusInternalServerError, msg)
		return
	}
	s.log.Info("check ended", "lesson", l.Slug, "passed", res.Passed, "took", res.Took)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(res)
}
