package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// The scenario's timeline shows what the README says: every order queued,
// three confirmations killed mid-mail, and every order confirmed after the
// restart, the killed ones on a second attempt.
func TestScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("the scenario waits some 20 s for River to rescue the killed jobs")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	events, err := scenario.Record(ctx, App, Scenario)
	var text strings.Builder
	for _, e := range events {
		scenario.WriteText(&text, e)
	}
	if err != nil {
		t.Fatalf("%v\n%s", err, text.String())
	}
	kinds := map[string]int{}
	finished := map[string]bool{}
	for _, e := range events {
		kinds[e.Kind]++
		if e.Kind == scenario.KindCompleted {
			order, _, _ := strings.Cut(e.Name, ",")
			finished[order] = true
		}
	}
	if kinds[scenario.KindQueued] != orders || kinds[scenario.KindAbandoned] != workers ||
		kinds[scenario.KindCompleted] != orders || len(finished) != orders {
		t.Errorf("queued %d, abandoned %d, finished %d (%d orders); want %d, %d, %d, %d\n%s",
			kinds[scenario.KindQueued], kinds[scenario.KindAbandoned], kinds[scenario.KindCompleted], len(finished),
			orders, workers, orders, orders, text.String())
	}
	if !strings.Contains(text.String(), "attempt 2") {
		t.Errorf("no job ran a second attempt:\n%s", text.String())
	}
	t.Logf("\n%s", text.String())
}
