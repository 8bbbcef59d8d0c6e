package dependencies

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// runScenario runs the lesson's scenario and returns its events.
func runScenario(t *testing.T) []scenario.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var (
		mu     sync.Mutex
		text   strings.Builder
		events []scenario.Event
	)
	err := scenario.Run(ctx, App, Scenario, func(e scenario.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		_ = scenario.WriteText(&text, e)
	})
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		t.Fatalf("scenario: %v\n%s", err, text.String())
	}
	t.Log("\n" + text.String())
	return slices.Clone(events)
}

func TestScenarioTimeline(t *testing.T) {
	events := runScenario(t)

	// A task's end is reported a moment after Wait sees it, so "finished"
	// and "failed" lines, and the failure's log line, may come late: they
	// are checked apart from the rest.
	var got, ends, logs []string
	files := map[string]string{}
	for _, e := range events {
		switch e.Kind {
		case scenario.KindNote:
		case scenario.KindLog:
			logs = append(logs, e.Name)
		case scenario.KindFinished, scenario.KindFailed:
			ends = append(ends, e.ID+" "+e.Kind+" "+e.Name+" "+e.Detail)
		case scenario.KindFile:
			files[e.Name] = e.Detail
			fallthrough
		default:
			got = append(got, e.Kind+" "+e.Name)
		}
	}
	want := []string{
		"request POST /orders?ref=newsletter",
		"queued audit", "queued count referral", "queued email confirmation", "queued reorder stock",
		"response POST /orders?ref=newsletter",
		"started audit", "started count referral", "started email confirmation", "started reorder stock",
		"request POST /leaky/orders",
		"queued audit", "queued email confirmation",
		"response POST /leaky/orders",
		"started audit", "started email confirmation",
		"request POST /orders",
		"queued audit",
		"response POST /orders",
		"started audit",
		"file audit.log", "file log.txt",
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	slices.Sort(ends)
	wantEnds := []string{
		"task-1.0 finished audit ", "task-1.1 finished count referral ", "task-1.2 finished email confirmation ",
		"task-1.3 finished reorder stock ",
		"task-2.0 failed audit write audit.log: file already closed", "task-2.1 finished email confirmation ",
		"task-3.0 finished audit ",
	}
	if !slices.Equal(ends, wantEnds) {
		t.Errorf("task ends:\n%s\nwant:\n%s", strings.Join(ends, "\n"), strings.Join(wantEnds, "\n"))
	}
	if len(logs) != 1 || !strings.Contains(logs[0], `error="write audit.log: file already closed"`) {
		t.Errorf("logged %q, want one line about the closed file", logs)
	}
	if got, want := files["audit.log"], "req-1 POST /orders\nreq-3 POST /orders\n"; got != want {
		t.Errorf("audit.log = %q, want %q", got, want)
	}
	wantLog := "referral: newsletter\nconfirmation to ada@example.com: order 1, 2 x book\nreorder book: 1 left\n" +
		"confirmation to grace@example.com: order 2, 1 x mug\n"
	if got := files["log.txt"]; got != wantLog {
		t.Errorf("log.txt = %q, want %q", got, wantLog)
	}
}
