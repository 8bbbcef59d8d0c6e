//go:build check

package exercise

import (
	"testing"
	"testing/synctest"

	"github.com/bgtasks/tutorial/lessons/03-dependencies/check"
)

// TestCheck is what `tutor check 03` runs against your code. It runs on a
// fake clock, in a testing/synctest bubble, so that the check can tell what
// your handler did before its tasks ran.
func TestCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if err := check.Exercise(New); err != nil {
			t.Fatal(err)
		}
	})
}
