//go:build check

package exercise

import (
	"testing"

	"github.com/bgtasks/tutorial/lessons/04-errors/check"
)

// TestCheck runs the exercise's check.
func TestCheck(t *testing.T) {
	if err := check.Exercise(DeadLetterHook); err != nil {
		t.Fatal(err)
	}
}
