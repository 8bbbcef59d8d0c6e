package scenario

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Timeout bounds one run of a lesson's scenario, for every caller that
// runs one: each takes well under a second, so one that goes on has hung.
const Timeout = time.Minute

// maxFileShown caps how much of each written file the timeline shows.
const maxFileShown = 4 << 10

// Timeouts of the app's server. A client must send a request's headers
// within readHeaderTimeout and all of it, body included, within
// readTimeout, so that one sending slowly or not at all cannot hold a
// handler. They are variables for tests only.
var (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
)

// Run starts app on a loopback port, runs steps against it, waits for every
// task to end, shuts the app down and reports the files it wrote. Events go
// to emit as they happen, one at a time. The app's files live in a temporary
// directory that Run removes.
func Run(ctx context.Context, app App, steps Steps, emit func(Event)) error {
	return session(ctx, "127.0.0.1:0", app, emit, func(s *Session) error {
		if err := steps(ctx, s); err != nil {
			return err
		}
		return s.Wait(ctx)
	})
}

// Record runs the scenario as Run does and returns its timeline, whole or,
// when err is not nil, as far as it got.
func Record(ctx context.Context, app App, steps Steps) ([]Event, error) {
	// A task abandoned at the shutdown deadline may still log once Run has
	// returned: the timeline ends where Run does.
	var mu sync.Mutex
	var events []Event
	done := false
	err := Run(ctx, app, steps, func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			events = append(events, e)
		}
	})
	mu.Lock()
	defer mu.Unlock()
	done = true
	return events, err
}

// Serve starts app on addr and keeps it up until ctx ends, for a learner to
// try with curl: each request it serves joins the timeline. ready is called
// with the app's base URL once it listens.
func Serve(ctx context.Context, addr string, app App, emit func(Event), ready func(url string)) error {
	return session(ctx, addr, withRequestLog(app), emit, func(s *Session) error {
		ready(s.URL)
		<-ctx.Done()
		return nil
	})
}

func session(ctx context.Context, addr string, app App, emit func(Event), body func(*Session) error) (err error) {
	dir, err := os.MkdirTemp("", "bgtasks-lesson-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s := newSession(dir, emit)
	defer func() {
		s.mu.Lock()
		cleanups := s.cleanups
		s.mu.Unlock()
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()

	h, err := app(s)
	if err != nil {
		return fmt.Errorf("starting the app: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	s.URL = "http://" + urlHost(ln.Addr().(*net.TCPAddr))

	err = body(s)

	// The order every real server needs: stop taking requests, then drain
	// the tasks they queued.
	stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	// A connection the client opened but never used counts as new, and
	// Shutdown waits seconds for new connections: close ours first.
	s.client.CloseIdleConnections()
	err = errors.Join(err, srv.Shutdown(stop))
	if e := <-served; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	for _, r := range s.runnerList() {
		err = errors.Join(err, r.Shutdown(stop))
	}
	return errors.Join(err, s.reportFiles())
}

// urlHost is the host:port by which a client on this machine reaches a
// server listening on addr. A wildcard address (0.0.0.0, which Go listens
// on as [::]) is no address to connect to; 127.0.0.1 is one it covers.
func urlHost(addr *net.TCPAddr) string {
	ip := addr.IP
	if ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(addr.Port))
}

// reportFiles adds every file in s.Dir to the timeline.
func (s *Session) reportFiles() error {
	return filepath.WalkDir(s.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if len(b) > maxFileShown {
			b = append(b[:maxFileShown:maxFileShown], "\n…"...)
		}
		rel, _ := filepath.Rel(s.Dir, path)
		s.Emit(Event{Kind: KindFile, Name: filepath.ToSlash(rel), Detail: string(b)})
		return nil
	})
}
