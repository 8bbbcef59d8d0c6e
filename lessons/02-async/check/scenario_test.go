package check

import (
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// TestScenario runs the lesson's scenario and checks that its timeline holds
// the lines that matter, wherever they fall: concurrent tasks interleave.
func TestScenario(t *testing.T) {
	events, err := scenario.Record(t.Context(), App, Scenario)
	var lines []string
	for _, e := range events {
		e.At, e.Took = 0, 0
		var b strings.Builder
		scenario.WriteText(&b, e)
		lines = append(lines, strings.TrimRight(b.String(), "\n"))
	}
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		`request   POST /register: {"email":"ada@example.com","name":"Ada"}`,
		`response  POST /register: 201 {"email":"ada@example.com","status":"registered"}`,
		`queued    welcome mail to edsger@example.com`,
		`completed welcome mail to grace@example.com`,
		`response  POST /register: 400 {"error":"invalid JSON body: unknown field \"admin\""}`,
		`file      outbox/alan@example.com.eml`,
		`msg="mail server stored a message" to=ada@example.com file=outbox/ada@example.com.eml`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("timeline lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "completed welcome mail"); n != 4 {
		t.Errorf("%d mails sent, want 4:\n%s", n, text)
	}
}
