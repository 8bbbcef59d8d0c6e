package check

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

// Step 6 asks for a record at level ERROR that holds the lost entry, not for
// one way of writing it: each of these hooks must pass, however it puts the
// task's name and error in the record. The wrong ways are in testdata/wrong.
func TestLossLoggedAnyWay(t *testing.T) {
	line := func(te *bgtasks.TaskError) []byte {
		b, _ := json.Marshal(map[string]string{"task": te.Task, "method": te.Method, "path": te.Path, "error": te.Err.Error()})
		return b
	}
	for name, hook := range map[string]func(context.Context, *bgtasks.TaskError){
		"attributes": func(ctx context.Context, te *bgtasks.TaskError) {
			slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "error", te.Err)
		},
		"message": func(_ context.Context, te *bgtasks.TaskError) {
			slog.Error(fmt.Sprintf("dead letter lost: %s: %v", te.Task, te.Err))
		},
		"the TaskError": func(_ context.Context, te *bgtasks.TaskError) {
			slog.Error("dead letter lost", "failure", te)
		},
		"the line as bytes": func(_ context.Context, te *bgtasks.TaskError) {
			slog.Error("dead letter lost", "entry", json.RawMessage(line(te)))
		},
		"the line as text": func(_ context.Context, te *bgtasks.TaskError) {
			slog.Error("dead letter lost", "entry", string(line(te)))
		},
		"With and a group": func(_ context.Context, te *bgtasks.TaskError) {
			slog.With("task", te.Task).WithGroup("dead").Error("letter lost", slog.Group("entry", "error", te.Err))
		},
		"a level above ERROR": func(ctx context.Context, te *bgtasks.TaskError) {
			slog.Log(ctx, slog.LevelError+4, "dead letter lost", "task", te.Task, "error", te.Err)
		},
	} {
		h, err := listen(hook, lostEntry, probeLimit)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.judge("when the file cannot be written", "say so"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
