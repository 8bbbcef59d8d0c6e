//go:build check

package exercise

import (
	"testing"
	"testing/synctest"

	"github.com/bgtasks/tutorial/lessons/01-basic/check"
)

// TestCheck is what `tutor check 01` runs against your code. It runs on a
// fake clock: the check's waiting takes no real time.
func TestCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if err := check.Exercise(NewApp); err != nil {
			t.Fatal(err)
		}
	})
}
