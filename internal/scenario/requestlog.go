package scenario

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxBodyShown caps how much of a response body the timeline shows.
const maxBodyShown = 1 << 10

// withRequestLog wraps an app so that the requests a learner sends it with
// curl join the timeline, as a scenario's own requests do.
func withRequestLog(app App) App {
	return func(s *Session) (http.Handler, error) {
		h, err := app(s)
		if err != nil {
			return nil, err
		}
		var n atomic.Int64
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := fmt.Sprintf("req-%d", n.Add(1))
			name := r.Method + " " + r.URL.RequestURI()
			s.Emit(Event{Kind: KindRequest, ID: id, Name: name})
			rec := &recorder{ResponseWriter: w, status: http.StatusOK, start: time.Now(),
				done: func(took time.Duration, detail string) {
					s.Emit(Event{Kind: KindResponse, ID: id, Name: name, Took: took, Detail: detail})
				}}
			defer func() {
				if p := recover(); p != nil {
					if rec.claim() { // nothing was flushed: the client gets nothing
						s.Note("no response to %s: the handler panicked, so net/http closes the connection", name)
					}
					panic(p) // net/http logs it and closes the connection, as without us
				}
				rec.finish()
			}()
			h.ServeHTTP(rec, r)
		}), nil
	}
}

// recorder keeps a response's status and the start of its body, and
// reports the response once: when it is first flushed (a handler that
// streams) or when the handler returns, which is when net/http finishes it.
type recorder struct {
	http.ResponseWriter
	status int
	start  time.Time
	done   func(took time.Duration, detail string)

	mu       sync.Mutex
	body     bytes.Buffer
	reported bool
}

func (r *recorder) WriteHeader(code int) {
	r.mu.Lock()
	r.status = code
	r.mu.Unlock()
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	if room := maxBodyShown - r.body.Len(); room > 0 {
		r.body.Write(p[:min(len(p), room)])
	}
	r.mu.Unlock()
	return r.ResponseWriter.Write(p)
}

// Flush lets http.NewResponseController reach the real writer's Flush.
func (r *recorder) Flush() {
	_ = http.NewResponseController(r.ResponseWriter).Flush()
	r.finish()
}

// Unwrap gives http.NewResponseController the writer underneath.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// claim marks the response reported and says whether it was not yet.
func (r *recorder) claim() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	first := !r.reported
	r.reported = true
	return first
}

func (r *recorder) finish() {
	if !r.claim() {
		return
	}
	r.mu.Lock()
	detail := strings.TrimSpace(fmt.Sprintf("%d %s", r.status, strings.TrimSpace(r.body.String())))
	r.mu.Unlock()
	r.done(time.Since(r.start), detail)
}
