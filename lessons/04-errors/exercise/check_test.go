//go:build check

package exercise

import (
	"testing"

	"github.com/bgtasks/tutorial/lessons/04-errors/check"
)

// TestCheck is what `tutor check 04` runs against your code, with the race
// detector on: it calls your hook from many goroutines at once.
func TestCheck(t *testing.T) {
	if err := check.Exercise(t, DeadLetterHook); err != nil {
		t.Fatal(err)
	}
}
