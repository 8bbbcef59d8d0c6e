package solution_test

import (
	"testing"

	failures "github.com/bgtasks/tutorial/lessons/04-errors"
	"github.com/bgtasks/tutorial/lessons/04-errors/solution"
)

// TestCheck runs the exercise's check against the solution.
func TestCheck(t *testing.T) {
	if err := failures.CheckDeadLetter(solution.DeadLetterHook); err != nil {
		t.Fatal(err)
	}
}
