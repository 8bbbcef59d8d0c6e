package check

import (
	"slices"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// TestScenario runs the lesson's scenario and checks the lines it prints.
func TestScenario(t *testing.T) {
	events, err := scenario.Record(t.Context(), App, Scenario)
	var lines []string
	for _, e := range events {
		e.At, e.Took = 0, 0
		var b strings.Builder
		scenario.WriteText(&b, e)
		lines = append(lines, strings.Join(strings.Fields(b.String()), " "))
	}
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	// The lesson's point: the response does not wait for the tasks. The card
	// processor takes NetworkDelay (tens of milliseconds) once the handler
	// has returned, far longer than the client needs to read it, so
	// "completed charge card" comes after the response line. Only a machine
	// stalled for that long could reorder them. (Whether a task STARTS before
	// the client has read the response is not determined.)
	index := func(suffix string) int {
		return slices.IndexFunc(lines, func(l string) bool { return strings.HasSuffix(l, suffix) })
	}
	response := index(`<- response POST /orders/42: 201 {"order":42,"status":"created"}`)
	if charged := index(`ok completed charge card`); response < 0 || charged < response {
		t.Errorf("the response (line %d) did not come before the card was charged (line %d):\n%s", response+1, charged+1, text)
	}
	for _, want := range []string{
		`<- response POST /orders/42: 201 {"order":42,"status":"created"}`,
		`!! failed sync to CRM: crm: order 42: 503 Service Unavailable`,
		`!! failed update stats: panic: assignment to entry in nil map`,
		`ok completed send receipt`,
		`<- response POST /orders/abc: 400 {"error":"id \"abc\" is not a positive number"}`,
		`<- response POST /payments/7: 502 {"error":"payment provider unavailable"}`,
		`ok completed audit payment attempt`,
		`xx abandoned notify customer: bgtasks: task abandoned: handler panicked`,
		`log level=ERROR msg="handler panicked" method=POST path=/refunds/9 panic="assignment to entry in nil map"`,
		`# note no response: the server closed the connection`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("timeline lacks %q:\n%s", want, text)
		}
	}
}
