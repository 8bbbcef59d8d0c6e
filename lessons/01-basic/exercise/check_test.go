//go:build check

package exercise

import (
	"testing"

	"github.com/bgtasks/tutorial/lessons/01-basic/check"
)

// TestCheck is what `tutor check 01` runs against your code.
func TestCheck(t *testing.T) {
	if err := check.Exercise(NewApp); err != nil {
		t.Fatal(err)
	}
}
