package check

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/lessons/04-errors/exercise"
	"github.com/bgtasks/tutorial/lessons/04-errors/solution"
)

// TestExerciseBothWays proves the check: the starter fails it with a
// message that says what to do, and the solution passes.
func TestExerciseBothWays(t *testing.T) {
	err := Exercise(exercise.DeadLetterHook)
	if err == nil {
		t.Fatal("the starter passes the check")
	}
	if first, _, _ := strings.Cut(err.Error(), "\n"); first != "step 1/3: after 7 tasks failed or were abandoned, there is no deadletter.jsonl" {
		t.Errorf("starter: %v", err)
	}
	if !strings.Contains(err.Error(), "\nhint: ") {
		t.Errorf("starter: no hint in %v", err)
	}

	if err := Exercise(solution.DeadLetterHook); err != nil {
		t.Errorf("solution: %v", err)
	}
}

// TestCheckCatchesAHookThatReplaces proves step 3: a hook that rewrites the
// file each time keeps only the last failure.
func TestCheckCatchesAHookThatReplaces(t *testing.T) {
	replacing := func(path string) func(context.Context, *bgtasks.TaskError) {
		hook := solution.DeadLetterHook(path)
		var mu sync.Mutex
		return func(ctx context.Context, te *bgtasks.TaskError) {
			mu.Lock()
			defer mu.Unlock()
			os.Remove(path)
			hook(ctx, te)
		}
	}
	err := Exercise(replacing)
	if err == nil || !strings.HasPrefix(err.Error(), "step 3/3: deadletter.jsonl has 1 entry, want 7") ||
		!strings.Contains(err.Error(), "hint: append") {
		t.Errorf("check of a replacing hook: %v", err)
	}
}
