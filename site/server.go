package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/internal/tour"
)

// Limits on what a client can make the server do. A run's time limit is
// its lesson's (tour.Lesson.Timeout); a check's is check.Run's own.
const (
	maxActions   = 2    // runs and checks at once
	maxRunEvents = 5000 // events streamed per run
	// readTimeout bounds reading a request, headers and body: a client
	// that sends them slowly, or never, holds nothing for longer.
	readTimeout = 10 * time.Second
	// writeTimeout bounds each write of a run's stream: a client that
	// stops reading is dropped, and its run with it.
	writeTimeout = 10 * time.Second
	// maxActionBody is the most an action's body may hold. Actions take no
	// input: the body is read, so that the server notices when the client
	// goes away, and dropped.
	maxActionBody = 4 << 10
	busyMessage   = "two actions are already running; wait for one to finish, then try again"
	rootlessCheck = "checking needs the repository on disk: start the tutor from inside it with go run ./cmd/tutor"
)

// server is the site's HTTP handler and the fixed actions it offers.
type server struct {
	pages *pages
	root  string          // the repository on disk, for checks; "" if unknown
	hosts map[string]bool // the Host values this server answers to
	log   *slog.Logger
	sem   chan struct{} // a slot per action running: at most maxActions

	// runTimeout, if set, replaces every lesson's own run limit: tests
	// shorten it.
	runTimeout, readTimeout, writeTimeout time.Duration
	maxEvents                             int
	// allowRemote lets clients on other machines run actions
	// (Options.AllowRemoteActions).
	allowRemote bool
	// run and check do the actions; tests replace them. check nil means
	// the check of the learner's code (checkFunc).
	run   func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error
	check func(ctx context.Context, root string, l tour.Lesson) (check.Result, error)
	// learn is the learner's workspace; "" means learn/ in root.
	learn string
	// watches follow the learner's saves for the pages open on a lesson.
	watches watchHub
}

func newServer(p *pages, root string, port int, log *slog.Logger) *server {
	return &server{pages: p, root: root, hosts: loopbackHosts(port), log: log, sem: make(chan struct{}, maxActions),
		readTimeout: readTimeout, writeTimeout: writeTimeout, maxEvents: maxRunEvents,
		run: func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
			return scenario.Run(ctx, l.App, l.Steps, emit)
		},
	}
}

// loopbackHosts are the names by which a browser on this machine reaches a
// server on port: anything else in a Host header means a page elsewhere is
// trying to reach it through DNS rebinding.
func loopbackHosts(port int) map[string]bool {
	p := strconv.Itoa(port)
	return map[string]bool{"127.0.0.1:" + p: true, "localhost:" + p: true, "[::1]:" + p: true}
}

func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { s.serveFile(w, r, "index.html") })
	mux.HandleFunc("GET /lessons/{slug}/{$}", func(w http.ResponseWriter, r *http.Request) {
		s.serveFile(w, r, "lessons/"+r.PathValue("slug")+"/index.html")
	})
	mux.HandleFunc("GET /lessons/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.pages.lesson(r.PathValue("slug")); !ok {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, "/lessons/"+r.PathValue("slug")+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /static/{name}", func(w http.ResponseWriter, r *http.Request) {
		s.serveFile(w, r, "static/"+r.PathValue("name"))
	})
	mux.HandleFunc("GET /search.json", func(w http.ResponseWriter, r *http.Request) { s.serveFile(w, r, "search.json") })
	mux.HandleFunc("POST /api/run/{slug}", s.serveRun)
	mux.HandleFunc("POST /api/check/{slug}", s.serveCheck)
	s.routeProgress(mux)
	return s.guard(mux)
}

// guard applies the rules every request must pass, before any handler:
// security headers, a Host that names this server on loopback, and for
// anything but a read (an action): a client on this machine unless remote
// actions are allowed, an Origin that is this server, and a body, if any,
// that is small and arrives in time. The body is read before the action
// takes a slot, so a client that never sends it holds none; and once it is
// read, net/http notices when the client goes away and cancels the
// request's context, which stops the action.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", cspHeader)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !s.hosts[r.Host] {
			s.log.Warn("refused a request for another host", "host", r.Host, "path", r.URL.Path)
			jsonError(w, http.StatusForbidden, "this server answers only to its own loopback address, not to host "+strconv.Quote(r.Host))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if peer, ok := localPeer(r); !ok && !s.allowRemote {
				s.log.Warn("refused an action from another machine", "peer", peer, "path", r.URL.Path)
				jsonError(w, http.StatusForbidden, "actions are accepted only from this machine, not from "+peer+
					": they run code here (start the tutor with -allow-remote-actions to allow other machines)")
				return
			}
			origin := r.Header.Get("Origin")
			if origin != "http://"+r.Host {
				s.log.Warn("refused an action from another origin", "origin", origin, "path", r.URL.Path)
				jsonError(w, http.StatusForbidden, "actions are accepted only from this site's own pages (origin "+strconv.Quote(origin)+" refused)")
				return
			}
			if !s.readBody(w, r) {
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// serveFile answers with the site's file at name, rendered when the server
// started; a name the site does not have is not found, whatever it holds.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	b, ctype, ok := s.pages.file(name)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

// readBody reads and drops r's body, at most maxActionBody bytes within
// s.readTimeout, or answers 413 or 408 and returns false.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true // nothing to read: net/http already watches the connection
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.readTimeout)) // not supported by a test's recorder
	_, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, maxActionBody))
	if err == nil {
		return true // at its end, net/http clears the deadline and watches the connection
	}
	w.Header().Set("Connection", "close")
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		s.log.Warn("refused an action with a large body", "path", r.URL.Path, "limit", maxActionBody)
		jsonError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("actions take no input: this request's body is larger than %d bytes", maxActionBody))
	case errors.As(err, &netErr) && netErr.Timeout():
		s.log.Warn("refused an action whose body did not arrive", "path", r.URL.Path, "within", s.readTimeout)
		jsonError(w, http.StatusRequestTimeout, fmt.Sprintf("the request's body did not arrive within %s", s.readTimeout))
	default:
		s.log.Warn("refused an action whose body could not be read", "path", r.URL.Path, "err", err)
		jsonError(w, http.StatusBadRequest, "the request's body could not be read: "+err.Error())
	}
	return false
}

// localPeer returns the address r came from, and whether it is this
// machine: a loopback address, or the very address it reached this server
// on (a browser here using the machine's network address).
func localPeer(r *http.Request) (host string, ok bool) {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr, false
	}
	ip := peer.Addr().Unmap()
	if ip.IsLoopback() {
		return ip.String(), true
	}
	if local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if l, err := netip.ParseAddrPort(local.String()); err == nil && l.Addr().Unmap() == ip {
			return ip.String(), true
		}
	}
	return ip.String(), false
}

// acquire takes one of the action slots, or answers 429 and returns false.
func (s *server) acquire(w http.ResponseWriter) (release func(), ok bool) {
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem }, true
	default:
		w.Header().Set("Retry-After", "5")
		jsonError(w, http.StatusTooManyRequests, busyMessage)
		return nil, false
	}
}

func jsonError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
