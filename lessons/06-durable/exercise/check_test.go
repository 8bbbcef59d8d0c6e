//go:build check

package exercise

import (
	"testing"

	"github.com/bgtasks/tutorial/lessons/06-durable/check/harness"
)

// TestCheck is what `tutor check 06` runs against your code.
func TestCheck(t *testing.T) {
	if err := harness.Exercise(New); err != nil {
		t.Fatal(err)
	}
}
