//go:build check

package exercise_test

import (
	"testing"

	failures "github.com/bgtasks/tutorial/lessons/04-errors"
	"github.com/bgtasks/tutorial/lessons/04-errors/exercise"
)

// TestCheck runs the exercise's check.
func TestCheck(t *testing.T) {
	if err := failures.CheckDeadLetter(exercise.DeadLetterHook); err != nil {
		t.Fatal(err)
	}
}
