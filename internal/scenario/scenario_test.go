package scenario_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/internal/scenario"
)

// An app whose task waits until its request's response has been read: if
// the timeline is right, the response comes before the task's end.
func TestRunRecordsTheTimeline(t *testing.T) {
	responded := make(chan struct{})
	app := func(s *scenario.Session) (http.Handler, error) {
		runner := s.Runner()
		return runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("write log", func(ctx context.Context) error {
				<-responded
				return os.WriteFile(filepath.Join(s.Dir, "log.txt"), []byte("hello\n"), 0o644)
			})
			bgtasks.From(r.Context()).Add("fail", func(ctx context.Context) error {
				return errors.New("smtp down")
			})
			s.Log.Info("handled", "path", r.URL.Path)
			w.WriteHeader(http.StatusAccepted)
		})), nil
	}
	steps := func(ctx context.Context, s *scenario.Session) error {
		s.Note("one request")
		resp, err := s.Do(ctx, "POST", "/notify", `{"m":1}`)
		close(responded)
		if err == nil && resp.Status != http.StatusAccepted {
			err = errors.New(resp.Body)
		}
		return err
	}
	events, err := scenario.Record(context.Background(), app, steps)
	if err != nil {
		t.Fatal(err)
	}

	var kinds []string
	var text bytes.Buffer
	at := map[string]time.Duration{}
	for _, e := range events {
		kinds = append(kinds, e.Kind+" "+e.Name)
		at[e.Kind+" "+e.Name] = e.At
		scenario.WriteText(&text, e)
	}
	// The task was blocked until the client had read the response.
	if at["completed write log"] <= at["response POST /notify"] {
		t.Errorf("the task finished at %v, before the response at %v", at["completed write log"], at["response POST /notify"])
	}
	got := strings.Join(kinds, "\n")
	for _, want := range []string{
		"note one request\nrequest POST /notify",
		"completed write log\nstarted fail",
		"failed fail\nfile log.txt",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("timeline lacks %q:\n%s", want, got)
		}
	}
	for _, want := range []string{"-> request", "<- response  POST /notify", "202", "!! failed", "smtp down", "[] file", "hello", `msg=handled path=/notify`} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text timeline lacks %q:\n%s", want, text.String())
		}
	}
}

// Serve keeps the app up until its context ends.
func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	app := func(s *scenario.Session) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("up")) }), nil
	}
	done := make(chan error, 1)
	go func() {
		done <- scenario.Serve(ctx, "127.0.0.1:0", app, func(scenario.Event) {}, func(url string) {
			resp, err := http.Get(url)
			if err != nil {
				t.Error(err)
			} else {
				resp.Body.Close()
			}
			cancel()
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop when its context ended")
	}
}

func TestAppErrorIsReported(t *testing.T) {
	app := func(s *scenario.Session) (http.Handler, error) { return nil, errors.New("no smtp") }
	err := scenario.Run(context.Background(), app, nil, func(scenario.Event) {})
	if err == nil || !strings.Contains(err.Error(), "starting the app: no smtp") {
		t.Fatalf("Run returned %v", err)
	}
}

// Call serves in process, and a second runner's tasks get IDs of their own.
func TestCallAndSecondRunner(t *testing.T) {
	app := func(s *scenario.Session) (http.Handler, error) { return http.NotFoundHandler(), nil }
	steps := func(ctx context.Context, s *scenario.Session) error {
		s.Runner()
		runner := s.Runner(bgtasks.Synchronous())
		h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("audit", func(context.Context) error { return nil })
			w.WriteHeader(http.StatusCreated)
		}))
		resp, err := s.Call(ctx, h, "POST", "/orders", `{"id":1}`)
		if err == nil && resp.Status != http.StatusCreated {
			err = errors.New(resp.Body)
		}
		return err
	}
	var ids []string
	err := scenario.Run(context.Background(), app, steps, func(e scenario.Event) { ids = append(ids, e.Kind+" "+e.ID) })
	if err != nil {
		t.Fatal(err)
	}
	want := "request req-1,queued task-2:1.0,started task-2:1.0,completed task-2:1.0,response req-1"
	if got := strings.Join(ids, ","); got != want {
		t.Fatalf("events %s, want %s", got, want)
	}
}

// A run ends soon after its context does, even while a task waits on its
// own context: the app is shut down and the task's context ends at the
// shutdown's deadline. The site relies on this to stop a run whose
// browser has gone away.
func TestRunEndsWithItsContext(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the shutdown's deadline")
	}
	taskStarted, taskEnded := make(chan struct{}), make(chan struct{})
	app := func(s *scenario.Session) (http.Handler, error) {
		return s.Runner().Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			bgtasks.From(r.Context()).Add("wait forever", func(ctx context.Context) error {
				close(taskStarted)
				<-ctx.Done()
				close(taskEnded)
				return ctx.Err()
			})
			w.WriteHeader(http.StatusAccepted)
		})), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	steps := func(ctx context.Context, s *scenario.Session) error {
		_, err := s.Do(ctx, "POST", "/", "")
		return err
	}
	done := make(chan error, 1)
	go func() { done <- scenario.Run(ctx, app, steps, func(scenario.Event) {}) }()
	<-taskStarted
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Run returned no error for a run cut short")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run went on 30s after its context ended")
	}
	select {
	case <-taskEnded:
	case <-time.After(10 * time.Second):
		t.Error("the task's context never ended")
	}
}
