package check

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// runScenario runs the lesson's scenario and returns its events.
func runScenario(t *testing.T) []scenario.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events, err := scenario.Record(ctx, App, Scenario)
	var text strings.Builder
	for _, e := range events {
		_ = scenario.WriteText(&text, e)
	}
	if err != nil {
		t.Fatalf("scenario: %v\n%s", err, text.String())
	}
	t.Log("\n" + text.String())
	return events
}

// A request's part of the timeline: its own lines, from its request line up
// to the next request's, as "kind name".
type part struct{ lines []string }

// parts splits a timeline at each request line. The scenario waits for a
// request's tasks before it sends the next, so each part holds one request,
// its response and its tasks. Notes and files are left out.
func parts(events []scenario.Event) []part {
	var ps []part
	for _, e := range events {
		switch {
		case e.Kind == scenario.KindNote || e.Kind == scenario.KindFile:
			continue
		case e.Kind == scenario.KindRequest:
			ps = append(ps, part{})
		case len(ps) == 0:
			continue // nothing happens before the first request
		}
		ps[len(ps)-1].lines = append(ps[len(ps)-1].lines, e.Kind+" "+e.Name)
	}
	return ps
}

// of returns p's lines whose kind is one of kinds, in order.
func (p part) of(kinds ...string) []string {
	var out []string
	for _, l := range p.lines {
		kind, _, _ := strings.Cut(l, " ")
		if slices.Contains(kinds, kind) {
			out = append(out, l)
		}
	}
	return out
}

// The timeline shows what every run guarantees. A task starts once its
// request's handler has returned, while the client may still be reading
// it, so "started write log" may come just before the response line; the
// assertions below hold on every run and are what a learner should see.
func TestScenarioTimeline(t *testing.T) {
	events := runScenario(t)
	ps := parts(events)
	if len(ps) != 2 {
		t.Fatalf("got %d requests, want 2", len(ps))
	}

	good := ps[0]
	if got, want := good.of("request", "response"), []string{
		"request POST /send-notification/ada@example.com",
		"response POST /send-notification/ada@example.com",
	}; !slices.Equal(got, want) {
		t.Errorf("requests and responses %q, want %q", got, want)
	}
	// Both tasks are queued while the handler runs, before it responds.
	if got, want := good.of("queued", "response"), []string{
		"queued write log", "queued send email", "response POST /send-notification/ada@example.com",
	}; !slices.Equal(got, want) {
		t.Errorf("queued, then the response: got %q, want %q", got, want)
	}
	// One at a time, in the order added.
	if got, want := good.of("started", "completed", "failed"), []string{
		"started write log", "completed write log", "started send email", "completed send email",
	}; !slices.Equal(got, want) {
		t.Errorf("tasks ran %q, want %q", got, want)
	}
	// The client has its answer while the mail is still being sent.
	resp := slices.Index(good.lines, "response POST /send-notification/ada@example.com")
	if sent := slices.Index(good.lines, "completed send email"); resp > sent {
		t.Errorf("the response came after the mail was sent:\n%s", strings.Join(good.lines, "\n"))
	}

	if got, want := ps[1].lines, []string{
		"request POST /send-notification/ada.example.com",
		"response POST /send-notification/ada.example.com",
	}; !slices.Equal(got, want) {
		t.Errorf("a malformed address: got %q, want %q (nothing queued)", got, want)
	}

	last := events[len(events)-1]
	if last.Kind != scenario.KindFile || last.Name != "log.txt" {
		t.Fatalf("last event %s %s, want file log.txt", last.Kind, last.Name)
	}
	if want := "notification for ada@example.com: Your order has shipped\nemail sent to ada@example.com\n"; last.Detail != want {
		t.Errorf("log.txt = %q, want %q", last.Detail, want)
	}
}
