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

// The whole timeline, in order: the README's recorded run reads the same.
func TestScenarioTimeline(t *testing.T) {
	events := runScenario(t)
	var got []string
	for _, e := range events {
		if e.Kind != scenario.KindNote {
			got = append(got, e.Kind+" "+e.Name)
		}
	}
	want := []string{
		"request POST /send-notification/ada@example.com",
		"queued write log",
		"queued send email",
		"response POST /send-notification/ada@example.com",
		"started write log",
		"finished write log",
		"started send email",
		"finished send email",
		"request POST /send-notification/ada.example.com",
		"response POST /send-notification/ada.example.com",
		"file log.txt",
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	last := events[len(events)-1]
	if want := "notification for ada@example.com: Your order has shipped\nemail sent to ada@example.com\n"; last.Detail != want {
		t.Errorf("log.txt = %q, want %q", last.Detail, want)
	}
}
