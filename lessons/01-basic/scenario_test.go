package basic

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
	// lines may come late; each must still follow its "started".
	var got []string
	started := map[string]bool{}
	for _, e := range events {
		switch e.Kind {
		case scenario.KindNote, scenario.KindLog:
		case scenario.KindFinished:
			if !started[e.ID] {
				t.Errorf("%s finished before it started", e.Name)
			}
			delete(started, e.ID)
		case scenario.KindStarted:
			started[e.ID] = true
			fallthrough
		default:
			got = append(got, e.Kind+" "+e.Name)
		}
	}
	if len(started) > 0 {
		t.Errorf("tasks started and never finished: %v", started)
	}
	want := []string{
		"request POST /send-notification/ada@example.com",
		"queued write log",
		"queued send email",
		"response POST /send-notification/ada@example.com",
		"started write log",
		"started send email",
		"request POST /send-notification/ada.example.com",
		"response POST /send-notification/ada.example.com",
		"file log.txt",
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var log string
	for _, e := range events {
		if e.Kind == scenario.KindFile && e.Name == "log.txt" {
			log = e.Detail
		}
	}
	if want := "notification for ada@example.com: Your order has shipped\nemail sent to ada@example.com\n"; log != want {
		t.Errorf("log.txt = %q, want %q", log, want)
	}
}
