package check

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	dependencies "github.com/bgtasks/tutorial/lessons/03-dependencies"

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
// to the next request's.
type part struct{ lines []string }

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

// The timeline shows what every run guarantees. A request's tasks start once
// its handler has returned, while the client may still be reading it:
// the quick ones (audit, count referral, reorder stock) may start, or even
// end, before the response line. So for each request the test asserts what
// holds on every run: every task is queued before the response, and the
// tasks run one at a time in the order added. The scenario waits for a
// request's tasks before it sends the next, so each request's lines stay
// together.
//
// It also asserts what the lesson is about, the response not waiting: the
// email confirmation takes SendDelay (tens of milliseconds) after the
// handler has returned, far longer than the client needs to read it,
// so its "completed" line comes after the response line. Only a machine
// stalled for that long could reorder them.
func TestScenarioTimeline(t *testing.T) {
	events := runScenario(t)
	var ps []part
	files := map[string]string{}
	for _, e := range events {
		line := e.Kind + " " + e.Name
		switch e.Kind {
		case scenario.KindNote:
			continue
		case scenario.KindFile:
			files[e.Name] = e.Detail
			continue
		case scenario.KindRequest:
			ps = append(ps, part{})
		case scenario.KindFailed:
			line += ": " + e.Detail
		case scenario.KindLog:
			line = "log " + durationRE.ReplaceAllString(e.Name, "D")
		}
		if len(ps) == 0 {
			t.Fatalf("%q before the first request", line)
		}
		ps[len(ps)-1].lines = append(ps[len(ps)-1].lines, line)
	}

	want := []struct {
		name   string
		queued []string // then the response
		ran    []string // started, finished, failed and log lines, in order
	}{
		{"POST /orders?ref=newsletter",
			[]string{"queued audit", "queued count referral", "queued email confirmation", "queued reorder stock"},
			[]string{"started audit", "completed audit",
				"started count referral", "completed count referral",
				"started email confirmation", "completed email confirmation",
				"started reorder stock", "completed reorder stock"}},
		{"POST /leaky/orders",
			[]string{"queued audit", "queued email confirmation"},
			[]string{"started audit",
				`log level=ERROR msg="background task failed" task=audit method=POST path=/leaky/orders duration=D error="write audit.log: file already closed"`,
				"failed audit: write audit.log: file already closed",
				"started email confirmation", "completed email confirmation"}},
		{"POST /orders",
			[]string{"queued audit"},
			[]string{"started audit", "completed audit"}},
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d requests, want %d", len(ps), len(want))
	}
	for i, w := range want {
		p := ps[i]
		if got := p.of("request"); !slices.Equal(got, []string{"request " + w.name}) {
			t.Errorf("request %d: %q, want %q", i+1, got, "request "+w.name)
			continue
		}
		if got, want := p.of("queued", "response"), append(slices.Clone(w.queued), "response "+w.name); !slices.Equal(got, want) {
			t.Errorf("%s: queued, then the response: got %q, want %q", w.name, got, want)
		}
		if got := p.of("started", "completed", "failed", "log"); !slices.Equal(got, w.ran) {
			t.Errorf("%s: tasks ran\n%s\nwant\n%s", w.name, strings.Join(got, "\n"), strings.Join(w.ran, "\n"))
		}
		if slices.Contains(w.ran, "completed email confirmation") {
			if got := p.of("response", "completed"); slices.Index(got, "response "+w.name) > slices.Index(got, "completed email confirmation") {
				t.Errorf("%s: the email confirmation (%v) finished before the response:\n%s", w.name, dependencies.SendDelay, strings.Join(got, "\n"))
			}
		}
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
