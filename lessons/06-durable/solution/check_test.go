package solution

import (
	"testing"

	"github.com/bgtasks/tutorial/lessons/06-durable/check/harness"
)

// TestCheck runs the exercise's check against the solution.
func TestCheck(t *testing.T) {
	if err := harness.Exercise(New); err != nil {
		t.Fatal(err)
	}
}
