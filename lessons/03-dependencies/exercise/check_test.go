//go:build check

package exercise

import (
	"testing"

	"github.com/bgtasks/tutorial/lessons/03-dependencies/check"
)

// TestCheck is what `tutor check 03` runs against your code.
func TestCheck(t *testing.T) {
	if err := check.Exercise(New); err != nil {
		t.Fatal(err)
	}
}
