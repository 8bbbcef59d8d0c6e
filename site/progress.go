package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
	"github.com/bgtasks/tutorial/lessons"
)

// The record of progress in the learner's workspace, for the pages, and
// live verdicts: a lesson page open on an exercise is sent a new verdict
// each time the learner saves it.
//
//	GET /api/progress       every lesson's state, as JSON (progressJSON)
//	GET /api/watch/{slug}   text/event-stream: "status" once, with the
//	                        lesson's progressJSON; then, for each save,
//	                        "checking" and "verdict" (verdictJSON)
//
// A lesson's folder is watched while at least one page streams its
// verdicts; each save makes one check, whatever the number of pages, and
// its verdict goes to every one of them.

// maxWatches bounds the verdict streams open at once: each holds a
// connection, and the first on a lesson a watcher.
const maxWatches = 16

const busyWatching = "too many pages are following their exercise; close some"

func (s *server) routeProgress(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/progress", s.serveProgress)
	mux.HandleFunc("GET /api/watch/{slug}", s.serveWatch)
}

// progressJSON is where one lesson's exercise stands.
type progressJSON struct {
	Slug      string             `json:"slug"`
	State     workspace.State    `json:"state"`
	PassedAt  time.Time          `json:"passed_at,omitzero"`
	Last      *workspace.Verdict `json:"last,omitempty"`
	HintsSeen int                `json:"hints_seen"`
	Files     []string           `json:"files"` // to edit, as the learner names them
}

// verdictJSON is a check's outcome for a page: check.Result's fields, the
// check's hint rendered from Markdown, and the files to edit.
type verdictJSON struct {
	check.Result
	HintHTML template.HTML   `json:"hint_html,omitempty"`
	Files    []string        `json:"files"`
	State    workspace.State `json:"state"`
	Error    string          `json:"error,omitempty"` // the check could not run
}

// workspace is the learner's workspace beside the repository on disk.
func (s *server) workspace() (*workspace.Workspace, error) {
	root := s.root
	if root == "" {
		var err error
		if root, err = lessons.Root(); err != nil {
			return nil, errors.New(rootlessCheck)
		}
	}
	ws, err := workspace.New(root, s.learn)
	if err != nil {
		return nil, err
	}
	if err := ws.Repair(); err != nil {
		s.log.Warn("the workspace's go.mod could not be repaired", "err", err)
	}
	return ws, nil
}

// checkFunc is the check that actions and watches run: s.check if a test
// set one, else the learner's copy in the workspace.
func (s *server) checkFunc() func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
	if s.check != nil {
		return s.check
	}
	return func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
		ws, err := workspace.New(root, s.learn)
		if err != nil {
			return check.Result{Lesson: l.Slug}, err
		}
		return l.Check(ctx, ws)
	}
}

// recordVerdict records a check's outcome and tells the pages following the
// lesson; it returns the outcome as pages are sent it.
func (s *server) recordVerdict(ws *workspace.Workspace, l tour.Lesson, res check.Result, err error) verdictJSON {
	if recErr := ws.Record(l.Slug, tour.Verdict(res, err, time.Now())); recErr != nil {
		s.log.Warn("the verdict was not recorded", "lesson", l.Slug, "err", recErr)
	}
	p, _ := ws.Progress()
	v := verdictJSON{Result: res, Files: l.LearnerFiles(ws), State: ws.State(l.Slug, p)}
	if res.Hint != "" {
		if h, err := renderInline(res.Hint); err == nil {
			v.HintHTML = h
		} // else the page shows the hint's text, as it would without hint_html
	}
	if err != nil {
		v.Error = err.Error()
	}
	s.watches.publish(l.Slug, watchEvent{"verdict", v})
	return v
}

func (s *server) progressOf(ws *workspace.Workspace, l tour.Lesson, p workspace.Progress) progressJSON {
	r := p[l.Slug]
	return progressJSON{Slug: l.Slug, State: ws.State(l.Slug, p), PassedAt: r.PassedAt, Last: r.Last,
		HintsSeen: r.HintsSeen, Files: l.LearnerFiles(ws)}
}

// serveProgress answers every lesson's state. A record the learner broke
// reads as none, and the answer says why.
func (s *server) serveProgress(w http.ResponseWriter, r *http.Request) {
	ws, err := s.workspace()
	if err != nil {
		jsonError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	p, perr := ws.Progress()
	out := struct {
		Workspace string         `json:"workspace"`
		Lessons   []progressJSON `json:"lessons"`
		Error     string         `json:"error,omitempty"`
	}{Workspace: ws.Show()}
	if perr != nil {
		out.Error = perr.Error()
	}
	for _, l := range s.pages.lessons {
		out.Lessons = append(out.Lessons, s.progressOf(ws, l, p))
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(out)
}

// serveWatch streams a lesson's verdicts while the page is open. It is a
// GET, for EventSource, yet it makes checks run: so a request from another
// site's page (which a browser marks with its Origin) is refused, as
// actions are.
func (s *server) serveWatch(w http.ResponseWriter, r *http.Request) {
	l, ok := s.pages.lesson(r.PathValue("slug"))
	if !ok {
		jsonError(w, http.StatusNotFound, "no such lesson")
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" && origin != "http://"+r.Host {
		s.log.Warn("refused a watch from another origin", "origin", origin, "path", r.URL.Path)
		jsonError(w, http.StatusForbidden, "verdicts are streamed only to this site's own pages")
		return
	}
	ws, err := s.workspace()
	if err != nil {
		jsonError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	sub, unsubscribe, ok := s.watches.subscribe(l.Slug, func(ctx context.Context, ready func()) { s.watchLesson(ctx, ws, l, ready) })
	if !ok {
		jsonError(w, http.StatusTooManyRequests, busyWatching)
		return
	}
	defer unsubscribe()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(e watchEvent) error {
		b, err := json.Marshal(e.data)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	p, _ := ws.Progress()
	if send(watchEvent{"status", s.progressOf(ws, l, p)}) != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case e := <-sub:
			if send(e) != nil {
				return
			}
		}
	}
}

// watchLesson checks l each time its folder changes, until ctx ends. The
// folder is made from the starter first if need be: the page open on the
// lesson tells the learner to edit it. ready is called once the folder has
// been looked at: any save after it is seen.
func (s *server) watchLesson(ctx context.Context, ws *workspace.Workspace, l tour.Lesson, ready func()) {
	if made, err := l.Prepare(ws); err != nil {
		s.log.Warn("the exercise's folder could not be made", "lesson", l.Slug, "err", err)
	} else if made {
		s.log.Info("made the exercise's folder from the starter", "lesson", l.Slug, "folder", ws.Show(l.Slug))
	}
	changes := workspace.Changes(ctx, ws.Path(l.Slug), workspace.PollEvery)
	ready()
	workspace.Loop(ctx, changes, workspace.Settle, func(ctx context.Context) {
		s.watches.publish(l.Slug, watchEvent{"checking", map[string]string{"lesson": l.Slug}})
		// A save waits for a slot rather than being refused: it is the
		// learner's own doing, and the verdict is what they wait for.
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		defer func() { <-s.sem }()
		// The check's time limit is check.Run's own.
		s.log.Info("check started on a save", "lesson", l.Slug)
		res, err := s.checkFunc()(ctx, ws.Root(), l)
		if ctx.Err() != nil {
			return // stopped with the watch: the check said nothing of the code
		}
		s.log.Info("check ended", "lesson", l.Slug, "passed", res.Passed, "took", res.Took, "err", err)
		s.recordVerdict(ws, l, res, err)
	})
}

// A watchEvent is one server-sent event: its name and its data, as JSON.
type watchEvent struct {
	name string
	data any
}

// watchHub runs one watcher per lesson for every page following it. Its
// zero value is ready to use.
type watchHub struct {
	mu      sync.Mutex
	lessons map[string]*lessonWatch
	n       int // subscriptions, at most maxWatches
	// stopped, if set, is called when a lesson's watcher has returned:
	// tests wait for it.
	stopped func(slug string)
}

type lessonWatch struct {
	subs  map[chan watchEvent]bool
	stop  context.CancelFunc
	ready chan struct{} // closed once the watcher sees every save
	done  chan struct{} // closed when the watcher has returned
}

// subscribe adds a follower of slug, starting its watcher with start if it
// is the first; start calls ready once the watcher sees every save, and
// subscribe returns after that, so that a save made after it returns is
// checked. unsubscribe removes the follower and, for the last, stops the
// watcher and waits for it, so that no check outlives every page that
// wanted it. ok is false when maxWatches are open.
func (h *watchHub) subscribe(slug string, start func(ctx context.Context, ready func())) (events <-chan watchEvent, unsubscribe func(), ok bool) {
	h.mu.Lock()
	if h.n >= maxWatches {
		h.mu.Unlock()
		return nil, nil, false
	}
	if h.lessons == nil {
		h.lessons = map[string]*lessonWatch{}
	}
	lw := h.lessons[slug]
	if lw == nil {
		ctx, stop := context.WithCancel(context.Background())
		lw = &lessonWatch{subs: map[chan watchEvent]bool{}, stop: stop, ready: make(chan struct{}), done: make(chan struct{})}
		h.lessons[slug] = lw
		go func() {
			defer close(lw.done)
			var once sync.Once
			isReady := func() { once.Do(func() { close(lw.ready) }) }
			defer isReady() // a watcher that ends early frees its followers
			start(ctx, isReady)
			if h.stopped != nil {
				h.stopped(slug)
			}
		}()
	}
	// A few events of room: checks are seconds apart, so a page that falls
	// this far behind has stopped reading, and misses verdicts rather
	// than holding up the others.
	ch := make(chan watchEvent, 8)
	lw.subs[ch] = true
	h.n++
	h.mu.Unlock()
	<-lw.ready
	return ch, func() {
		h.mu.Lock()
		delete(lw.subs, ch)
		h.n--
		last := len(lw.subs) == 0 && h.lessons[slug] == lw
		if last {
			delete(h.lessons, slug)
		}
		h.mu.Unlock()
		if last {
			lw.stop()
			<-lw.done
		}
	}, true
}

// publish sends e to every follower of slug.
func (h *watchHub) publish(slug string, e watchEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	lw := h.lessons[slug]
	if lw == nil {
		return
	}
	for ch := range lw.subs {
		select {
		case ch <- e:
		default:
		}
	}
}
