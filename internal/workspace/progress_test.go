package workspace

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	ws := newWorkspace(t, course(t), "")
	p, err := ws.Progress()
	if err != nil || len(p) != 0 {
		t.Fatalf("a new workspace's progress = %v, %v; want none", p, err)
	}
	if s := ws.State("01-basic", p); s != NotStarted {
		t.Errorf("state with no folder = %s", s)
	}
	if err := os.MkdirAll(ws.Path("01-basic"), 0o755); err != nil {
		t.Fatal(err)
	}
	if s := ws.State("01-basic", p); s != Started {
		t.Errorf("state with a folder = %s", s)
	}

	t1 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	steps := []struct {
		v    Verdict
		want State
	}{
		{Verdict{At: t1, Step: "2/5", Message: "no task"}, Failing},
		{Verdict{At: t1.Add(time.Minute), Error: "go: not found"}, Started}, // a check that could not run says nothing of the code
		{Verdict{At: t1.Add(2 * time.Minute), Passed: true}, Passed},
		{Verdict{At: t1.Add(3 * time.Minute), Step: "1/5", Message: "broken again"}, Failing},
	}
	for _, s := range steps {
		if err := ws.Record("01-basic", s.v); err != nil {
			t.Fatal(err)
		}
		p, err := ws.Progress()
		if err != nil {
			t.Fatal(err)
		}
		if got := ws.State("01-basic", p); got != s.want {
			t.Errorf("after %+v: state %s, want %s", s.v, got, s.want)
		}
		if got := p["01-basic"].Last; got == nil || *got != s.v {
			t.Errorf("last verdict = %+v, want %+v", got, s.v)
		}
	}
	// The first pass is kept through later failures.
	if got := p2(t, ws)["01-basic"].PassedAt; !got.Equal(t1.Add(2 * time.Minute)) {
		t.Errorf("PassedAt = %v", got)
	}
	if err := ws.SawHint("01-basic", 2); err != nil {
		t.Fatal(err)
	}
	if err := ws.SawHint("01-basic", 1); err != nil {
		t.Fatal(err)
	}
	if r := p2(t, ws)["01-basic"]; r.HintsSeen != 2 || r.Last == nil {
		t.Errorf("after hints 2 then 1: %+v; want 2 seen and the verdict kept", r)
	}
}

// A record the learner broke reads as none, with an error naming it, and
// the next check replaces it.
func TestBrokenProgress(t *testing.T) {
	ws := newWorkspace(t, course(t), "")
	write(t, ws.Path(ProgressFile), "{not json")
	p, err := ws.Progress()
	if err == nil || !strings.Contains(err.Error(), "learn/progress.json") || len(p) != 0 {
		t.Fatalf("Progress = %v, %v; want none and an error naming the file", p, err)
	}
	if err := ws.Record("02-async", Verdict{Passed: true}); err != nil {
		t.Fatal(err)
	}
	if p := p2(t, ws); !p["02-async"].Last.Passed {
		t.Errorf("after a record: %v", p)
	}
}

// Updates from many goroutines at once are all kept.
func TestRecordConcurrently(t *testing.T) {
	ws := newWorkspace(t, course(t), "")
	names := []string{"01-basic", "02-async", "03-dependencies", "04-errors", "05-testing", "06-durable"}
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Go(func() {
			if err := ws.Record(n, Verdict{Passed: true}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := p2(t, ws); len(p) != len(names) {
		t.Errorf("kept %d of %d records: %v", len(p), len(names), p)
	}
}

func p2(t *testing.T, ws *Workspace) Progress {
	t.Helper()
	p, err := ws.Progress()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
