package dependencies

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// A stage keeps the scenario's timeline the same on every run. A request's
// tasks start as soon as its response has been sent, so the first task often
// starts a few microseconds before the client has finished reading the
// response: the printed order would change from run to run. While the
// scenario runs, the stage holds each request, after its response has been
// sent in full, until the client has read it. Served for curl
// (tutor run -serve), the stage stays out of the way.
type stage struct {
	armed atomic.Bool
	read  chan struct{} // a token per response the scenario has read
}

var stages sync.Map // *scenario.Session -> *stage

// newStage wraps next, the handler inside the Runner's Middleware.
func newStage(s *scenario.Session, next http.Handler) http.Handler {
	st := &stage{read: make(chan struct{}, 1)}
	stages.Store(s, st)
	s.Cleanup(func() { stages.Delete(s) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !st.armed.Load() {
			next.ServeHTTP(w, r)
			return
		}
		// Buffer the response, so that it can be sent whole, with its length.
		buf := &bufferedResponse{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(buf, r)
		w.Header().Set("Content-Length", strconv.Itoa(len(buf.body)))
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body)
		_ = http.NewResponseController(w).Flush()
		select {
		case <-st.read:
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
}

// do sends a request, as s.Do does, and lets the app go on once the
// response has been read.
func do(ctx context.Context, s *scenario.Session, method, path, body string) (scenario.Response, error) {
	st, _ := stages.Load(s)
	if st, ok := st.(*stage); ok {
		st.armed.Store(true)
		defer func() {
			select {
			case st.read <- struct{}{}:
			default:
			}
		}()
	}
	return s.Do(ctx, method, path, body)
}

type bufferedResponse struct {
	header http.Header
	status int
	body   []byte
	wrote  bool
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	b.body = append(b.body, p...)
	return len(p), nil
}
