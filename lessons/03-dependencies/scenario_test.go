package dependencies

import (
	"context"
	"regexp"
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
	files := map[string]string{}
	for _, e := range events {
		switch e.Kind {
		case scenario.KindNote:
			continue
		case scenario.KindFile:
			files[e.Name] = e.Detail
		case scenario.KindFailed:
			got = append(got, e.Kind+" "+e.Name+": "+e.Detail)
			continue
		case scenario.KindLog:
			got = append(got, "log "+durationRE.ReplaceAllString(e.Name, "D"))
			continue
		}
		got = append(got, e.Kind+" "+e.Name)
	}
	want := []string{
		"request POST /orders?ref=newsletter",
		"queued audit", "queued count referral", "queued email confirmation", "queued reorder stock",
		"response POST /orders?ref=newsletter",
		"started audit", "finished audit",
		"started count referral", "finished count referral",
		"started email confirmation", "finished email confirmation",
		"started reorder stock", "finished reorder stock",

		"request POST /leaky/orders",
		"queued audit", "queued email confirmation",
		"response POST /leaky/orders",
		"started audit",
		`log level=ERROR msg="background task failed" task=audit method=POST path=/leaky/orders duration=D error="write audit.log: file already closed"`,
		"failed audit: write audit.log: file already closed",
		"started email confirmation", "finished email confirmation",

		"request POST /orders",
		"queued audit",
		"response POST /orders",
		"started audit", "finished audit",

		"file audit.log", "file log.txt",
	}
	if !slices.Equal(got, want) {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
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

var durationRE = regexp.MustCompile(`[0-9.]+(ns|µs|ms|s)\b`)
