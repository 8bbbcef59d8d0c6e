package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/internal/tour"
)

// Limits on what the browser can make the server do.
const (
	maxActions    = 2                 // runs and checks at once
	runTimeout    = 60 * time.Second  // per run of a scenario
	checkTimeout  = 120 * time.Second // per check of an exercise
	maxRunEvents  = 5000              // events streamed per run
	cspHeader     = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
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
	gz    sync.Map      // path -> gzipped bytes

	runTimeout, checkTimeout time.Duration
	maxEvents                int
	// run and check do the actions; tests replace them.
	run   func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error
	check func(ctx context.Context, root string, l tour.Lesson) (check.Result, error)
}

func newServer(p *pages, root string, port int, log *slog.Logger) *server {
	return &server{pages: p, root: root, hosts: loopbackHosts(port), log: log, sem: make(chan struct{}, maxActions),
		runTimeout: runTimeout, checkTimeout: checkTimeout, maxEvents: maxRunEvents,
		run: func(ctx context.Context, l tour.Lesson, emit func(scenario.Event)) error {
			return scenario.Run(ctx, l.App, l.Steps, emit)
		},
		check: func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
			return check.Run(ctx, root, l.Exercise())
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
	mux.HandleFunc("GET /{$}", s.serveIndex)
	mux.HandleFunc("GET /lessons/{slug}/{$}", s.serveLesson)
	mux.HandleFunc("GET /lessons/{slug}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.pages.lesson(r.PathValue("slug")); !ok {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, "/lessons/"+r.PathValue("slug")+"/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /static/{name}", s.serveAsset)
	mux.HandleFunc("GET /search.json", func(w http.ResponseWriter, r *http.Request) {
		s.serveBytes(w, r, "application/json", s.pages.search)
	})
	mux.HandleFunc("POST /api/run/{slug}", s.serveRun)
	mux.HandleFunc("POST /api/check/{slug}", s.serveCheck)
	return s.guard(mux)
}

// guard applies the rules every request must pass, before any handler:
// security headers, a Host that names this server on loopback, and for
// anything but a read, an Origin that is this server.
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
			origin := r.Header.Get("Origin")
			if origin != "http://"+r.Host {
				s.log.Warn("refused an action from another origin", "origin", origin, "path", r.URL.Path)
				jsonError(w, http.StatusForbidden, "actions are accepted only from this site's own pages (origin "+strconv.Quote(origin)+" refused)")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *server) serveIndex(w http.ResponseWriter, r *http.Request) {
	s.serveBytes(w, r, "text/html; charset=utf-8", s.pages.index)
}

func (s *server) serveLesson(w http.ResponseWriter, r *http.Request) {
	l, ok := s.pages.lesson(r.PathValue("slug"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.serveBytes(w, r, "text/html; charset=utf-8", s.pages.byName[l.Slug])
}

func (s *server) serveAsset(w http.ResponseWriter, r *http.Request) {
	b, ctype, ok := s.pages.asset(r.PathValue("name"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.serveBytes(w, r, ctype, func() ([]byte, error) { return b, nil })
}

func (s *server) serveBytes(w http.ResponseWriter, r *http.Request, ctype string, page func() ([]byte, error)) {
	b, err := page()
	if err != nil {
		s.log.Error("rendering a page", "path", r.URL.Path, "err", err)
		http.Error(w, "This page cannot be shown:\n\n"+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Vary", "Accept-Encoding")
	if len(b) > 1024 && acceptsGzip(r) {
		b = s.gzipped(r.URL.Path, b)
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

// gzipped returns b compressed, compressing each path's bytes once: pages
// do not change while the server runs.
func (s *server) gzipped(path string, b []byte) []byte {
	if z, ok := s.gz.Load(path); ok {
		return z.([]byte)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	s.gz.Store(path, buf.Bytes())
	return buf.Bytes()
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(coding) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
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
