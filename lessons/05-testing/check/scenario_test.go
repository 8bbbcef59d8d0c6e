package check

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
)

// TestScenario runs the lesson's scenario and checks the story its timeline
// tells: in process, the tasks end before the response; over loopback, the
// response comes before the mail task ends.
func TestScenario(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events, err := scenario.Record(ctx, App, Scenario)
	if err != nil {
		t.Fatal(err)
	}
	first := func(kind, id string) int {
		i := slices.IndexFunc(events, func(e scenario.Event) bool { return e.Kind == kind && e.ID == id })
		if i < 0 {
			t.Fatalf("no %s event for %s in %+v", kind, id, events)
		}
		return i
	}
	// A task's last event is its end, whatever the kind is called.
	ended := func(id string) int {
		for i, e := range slices.Backward(events) {
			if e.ID == id && e.Kind != scenario.KindQueued && e.Kind != scenario.KindStarted {
				return i
			}
		}
		t.Fatalf("task %s never ended in %+v", id, events)
		return -1
	}
	if ended("task-2:1.1") > first(scenario.KindResponse, "req-1") {
		t.Error("in process: the response came before the tasks had ended")
	}
	if first(scenario.KindResponse, "req-2") > ended("task-1.1") {
		t.Error("over loopback: the response waited for the mail task")
	}
	var files []string
	for _, e := range events {
		if e.Kind == scenario.KindFile {
			files = append(files, e.Name+": "+e.Detail)
		}
	}
	want := []string{
		"in-process/log.txt: notification for ada@example.com: Your order has shipped\nemail sent to ada@example.com\n",
		"server/log.txt: notification for ada@example.com: Your order has shipped\nemail sent to ada@example.com\n",
	}
	if !slices.Equal(files, want) {
		t.Errorf("files %q, want %q", files, want)
	}
}
