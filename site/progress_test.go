package site

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
)

// patience bounds how long a test waits for an event that must come. It
// only turns a hang into a failure: no verdict depends on it.
const patience = 30 * time.Second

func (ts *testServer) workspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	ws, err := ts.server.workspace()
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

type progressReply struct {
	Workspace string         `json:"workspace"`
	Lessons   []progressJSON `json:"lessons"`
	Error     string         `json:"error"`
}

func (ts *testServer) progress(t *testing.T) progressReply {
	t.Helper()
	resp, body := ts.do(t, "GET", "/api/progress", "", "")
	var p progressReply
	if err := json.Unmarshal([]byte(body), &p); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /api/progress: %s %s: %v", resp.Status, body, err)
	}
	return p
}

func (p progressReply) of(slug string) progressJSON {
	for _, l := range p.Lessons {
		if l.Slug == slug {
			return l
		}
	}
	return progressJSON{}
}

// The pages read the one record of progress, the one the command line
// writes; a record the learner broke still answers, saying why.
func TestProgressIsServed(t *testing.T) {
	ts := newTestServer(t)
	p := ts.progress(t)
	if len(p.Lessons) != len(tour.All()) || p.Error != "" {
		t.Fatalf("progress of a new workspace: %+v", p)
	}
	for _, l := range p.Lessons {
		if l.State != workspace.NotStarted || len(l.Files) == 0 {
			t.Errorf("%s: state %s, files %q; want new, with the files to edit", l.Slug, l.State, l.Files)
		}
	}

	ws := ts.workspace(t)
	if err := ws.Record("02-async", workspace.Verdict{Step: "2/3", Message: "went on after the cancel"}); err != nil {
		t.Fatal(err)
	}
	if got := ts.progress(t).of("02-async"); got.State != workspace.Failing || got.Last == nil || got.Last.Step != "2/3" {
		t.Errorf("after a failed check: %+v", got)
	}

	if err := os.WriteFile(ws.Path(workspace.ProgressFile), []byte("{half"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := ts.progress(t); !strings.Contains(p.Error, "progress.json") || p.of("02-async").State != workspace.NotStarted {
		t.Errorf("with a broken record: %+v; want every lesson new, and the error", p)
	}
}

// A check from the page is recorded, and its hint comes as HTML from its
// Markdown, beside the files to edit.
func TestCheckIsRecorded(t *testing.T) {
	ts := newTestServer(t)
	ts.check = func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
		return check.Result{Lesson: l.Slug, Step: "1/2", Message: "no task", Hint: "call `Add` on *the* queue"}, nil
	}
	resp, body := ts.do(t, "POST", "/api/check/01-basic", "", ts.origin())
	var v verdictJSON
	if err := json.Unmarshal([]byte(body), &v); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s %s: %v", resp.Status, body, err)
	}
	if v.HintHTML != "call <code>Add</code> on <em>the</em> queue" || v.Hint != "call `Add` on *the* queue" {
		t.Errorf("hint %q, as HTML %q", v.Hint, v.HintHTML)
	}
	if len(v.Files) != 1 || !strings.HasSuffix(v.Files[0], "01-basic/exercise.go") || v.State != workspace.Failing {
		t.Errorf("files %q, state %s", v.Files, v.State)
	}
	if got := ts.progress(t).of("01-basic"); got.State != workspace.Failing || got.Last.Message != "no task" {
		t.Errorf("the record after the check: %+v", got)
	}
}

// An SSE event as a test reads it.
type sse struct {
	name string
	data string
}

// follow opens GET /api/watch/slug and returns its events, in order, and
// its response. The stream ends when ctx does.
func (ts *testServer) follow(t *testing.T, ctx context.Context, slug string) <-chan sse {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/watch/"+slug, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		resp.Body.Close()
		t.Fatalf("GET /api/watch/%s: %s %s", slug, resp.Status, resp.Header.Get("Content-Type"))
	}
	events := make(chan sse, 16)
	go func() {
		defer close(events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var e sse
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				e.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.data = strings.TrimPrefix(line, "data: ")
			case line == "":
				events <- e
				e = sse{}
			}
		}
	}()
	return events
}

// next returns the next event called name, skipping others.
func next(t *testing.T, events <-chan sse, name string) sse {
	t.Helper()
	deadline := time.After(patience)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("the stream ended before a %q event", name)
			}
			if e.name == name {
				return e
			}
		case <-deadline:
			t.Fatalf("no %q event within %s", name, patience)
		}
	}
}

// A page open on a lesson is sent a new verdict each time the learner
// saves: one check per save, however many pages follow it, and the verdict
// is recorded.
func TestWatchSendsVerdictsOnSave(t *testing.T) {
	ts := newTestServer(t)
	var checks atomic.Int32
	ts.check = func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
		checks.Add(1)
		ws, err := workspace.New(root, ts.learn)
		if err != nil {
			return check.Result{}, err
		}
		b, err := os.ReadFile(ws.Path(l.Slug, "exercise.go"))
		if err != nil {
			return check.Result{}, err
		}
		if strings.Contains(string(b), "solved") {
			return check.Result{Lesson: l.Slug, Passed: true}, nil
		}
		return check.Result{Lesson: l.Slug, Step: "1/6", Message: "not yet"}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := ts.follow(t, ctx, "01-basic")
	status := next(t, a, "status")
	var p progressJSON
	if err := json.Unmarshal([]byte(status.data), &p); err != nil || p.Slug != "01-basic" {
		t.Fatalf("status event %q: %v", status.data, err)
	}
	b := ts.follow(t, ctx, "01-basic")
	next(t, b, "status")

	// Following the lesson made its folder from the starter: the page
	// tells the learner to edit it.
	ws := ts.workspace(t)
	if !ws.Exists("01-basic") {
		t.Fatal("the lesson's folder was not made")
	}
	if err := os.WriteFile(ws.Path("01-basic", "exercise.go"), []byte("package exercise // solved\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, events := range []<-chan sse{a, b} {
		next(t, events, "checking")
		var v verdictJSON
		if err := json.Unmarshal([]byte(next(t, events, "verdict").data), &v); err != nil {
			t.Fatal(err)
		}
		if !v.Passed || v.State != workspace.Passed {
			t.Errorf("verdict after the save: %+v", v)
		}
	}
	if n := checks.Load(); n != 1 {
		t.Errorf("%d checks for one save followed by two pages, want 1", n)
	}
	if got := ts.progress(t).of("01-basic"); got.State != workspace.Passed {
		t.Errorf("the record after the save: %+v", got)
	}

	if err := os.WriteFile(ws.Path("01-basic", "exercise.go"), []byte("package exercise // broken again\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var v verdictJSON
	if err := json.Unmarshal([]byte(next(t, a, "verdict").data), &v); err != nil {
		t.Fatal(err)
	}
	if v.Passed || v.Step != "1/6" || v.State != workspace.Failing {
		t.Errorf("verdict after the second save: %+v", v)
	}
}

// When the last page leaves, the check running for it is stopped, and the
// watcher with it.
func TestWatchStopsWithTheLastPage(t *testing.T) {
	ts := newTestServer(t)
	watcherDone := make(chan string, 1)
	ts.watches.stopped = func(slug string) { watcherDone <- slug }
	started, stopped := make(chan struct{}), make(chan struct{})
	ts.check = func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
		close(started)
		<-ctx.Done()
		close(stopped)
		return check.Result{}, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // on a failure too, or the server waits for the stream
	events := ts.follow(t, ctx, "03-dependencies")
	next(t, events, "status")
	ws := ts.workspace(t)
	if err := os.WriteFile(ws.Path("03-dependencies", "exercise.go"), []byte("package exercise\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	<-started
	cancel()
	select {
	case <-stopped:
	case <-time.After(patience):
		t.Fatal("the check went on after the last page left")
	}
	if slug := <-watcherDone; slug != "03-dependencies" {
		t.Errorf("the watcher of %s stopped", slug)
	}
	for range events { // the stream has ended
	}
	ts.watches.mu.Lock()
	defer ts.watches.mu.Unlock()
	if len(ts.watches.lessons) != 0 || ts.watches.n != 0 {
		t.Errorf("after the last page left: %d watchers, %d followers", len(ts.watches.lessons), ts.watches.n)
	}
	if p, _ := ws.Progress(); p["03-dependencies"].Last != nil {
		t.Errorf("a check stopped with its page was recorded: %+v", p["03-dependencies"].Last)
	}
}

// Security rule: a page of another site cannot make checks run by
// following a lesson, and nobody can follow what does not exist.
func TestWatchRefusals(t *testing.T) {
	ts := newTestServer(t)
	for _, tt := range []struct {
		path, origin string
		status       int
	}{
		{"/api/watch/01-basic", "http://evil.example", http.StatusForbidden},
		{"/api/watch/99-nope", "", http.StatusNotFound},
		{"/api/watch/..%2f..%2fetc", "", http.StatusNotFound},
	} {
		resp, body := ts.do(t, "GET", tt.path, "", tt.origin)
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s from %q: %s %s, want %d", tt.path, tt.origin, resp.Status, body, tt.status)
		}
	}
	if ts.watches.n != 0 {
		t.Errorf("%d followers after refusals", ts.watches.n)
	}
}

// Security rule: at most maxWatches pages follow at once.
func TestWatchLimit(t *testing.T) {
	ts := newTestServer(t)
	ts.check = func(context.Context, string, tour.Lesson) (check.Result, error) { return check.Result{}, nil }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range maxWatches {
		next(t, ts.follow(t, ctx, "04-errors"), "status")
	}
	resp, body := ts.do(t, "GET", "/api/watch/04-errors", "", "")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, busyWatching) {
		t.Errorf("one page too many: %s %s", resp.Status, body)
	}
}
