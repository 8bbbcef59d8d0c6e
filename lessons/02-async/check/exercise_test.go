package check

import (
	"strings"
	"testing"
	"testing/synctest"

	"github.com/bgtasks/tutorial/lessons/02-async/exercise"
	"github.com/bgtasks/tutorial/lessons/02-async/solution"
)

// TestExerciseBothWays proves the check: the starter fails it with a
// message that says what to do, and the solution passes.
func TestExerciseBothWays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		err := Exercise(exercise.SendDigest)
		if err == nil {
			t.Fatal("the starter passes the check")
		}
		first, _, _ := strings.Cut(err.Error(), "\n")
		if first != "step 2/3: SendDigest went on after its context was cancelled; it sent to 5 recipients in all" {
			t.Errorf("starter: %v", err)
		}
		if !strings.Contains(err.Error(), "\nhint: ") {
			t.Errorf("starter: no hint in %v", err)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		if err := Exercise(solution.SendDigest); err != nil {
			t.Errorf("solution: %v", err)
		}
	})
}
