package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
)

// Step 7 asks for a record at level ERROR that holds the lost entry and why
// it was lost, not for one way of writing it: each of these hooks must pass,
// however it puts the task's name, its error and the file's error in the
// record. The wrong ways are in testdata/wrong.
func TestLossLoggedAnyWay(t *testing.T) {
	const why = "no space left on device"
	lost := fmt.Errorf("write full.jsonl: %w", errors.New(why))
	line := func(te *bgtasks.TaskError) []byte {
		b, _ := json.Marshal(map[string]string{"task": te.Task, "method": te.Method, "path": te.Path, "error": te.Err.Error()})
		return b
	}
	for name, hook := range map[string]func(context.Context, *bgtasks.TaskError){
		"attributes": func(ctx context.Context, te *bgtasks.TaskError) {
			slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "task_error", te.Err, "error", lost)
		},
		"message": func(_ context.Context, te *bgtasks.TaskError) {
			slog.Error(fmt.Sprintf("dead letter lost: %s: %v: %v", te.Task, te.Err, lost))
		},
		"the TaskError": func(_ context.Context, te *bgtasks.TaskError) {
			slog.Error("dead letter lost", "failure", te, "error", lost)
		},
		"the line as bytes": func(_ context.Context, te *bgtasks.TaskError) {
			slog.Error("dead letter lost", "entry", json.RawMessage(line(te)), "error", lost)
		},
		"the line as text": func(_ context.Context, te *bgtasks.TaskError) {
			slog.Error("dead letter lost", "entry", string(line(te)), "error", lost)
		},
		"With and a group": func(_ context.Context, te *bgtasks.TaskError) {
			slog.With("task", te.Task).WithGroup("dead").Error("letter lost", slog.Group("entry", "error", te.Err), "cause", lost)
		},
		"a level above ERROR": func(ctx context.Context, te *bgtasks.TaskError) {
			slog.Log(ctx, slog.LevelError+4, "dead letter lost", "task", te.Task, "error", errors.Join(te.Err, lost))
		},
	} {
		h, err := listen(func() func(context.Context, *bgtasks.TaskError) { return hook }, lostEntry, probeLimit)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.judge("when the file cannot be written", why, "say so"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A record that names the lost entry but not why it was lost is not enough:
// nobody can tell what to mend.
func TestLossWithoutCause(t *testing.T) {
	hook := func(ctx context.Context, te *bgtasks.TaskError) {
		slog.ErrorContext(ctx, "dead letter lost", "error", te)
	}
	h, err := listen(func() func(context.Context, *bgtasks.TaskError) { return hook }, lostEntry, probeLimit)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.judge("when the file cannot be written", "no space left on device", "say so"); err == nil {
		t.Error("a record without the file's error passes")
	}
}
