//go:build check

package exercise

import (
	"testing"
	"testing/synctest"

	"github.com/bgtasks/tutorial/lessons/02-async/check"
)

// TestCheck runs the exercise's check on a fake clock: its pauses take no
// real time.
func TestCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if err := check.Exercise(SendDigest); err != nil {
			t.Fatal(err)
		}
	})
}
