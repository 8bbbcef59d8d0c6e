//go:build check

package exercise_test

import (
	"testing"
	"testing/synctest"

	async "github.com/bgtasks/tutorial/lessons/02-async"
	"github.com/bgtasks/tutorial/lessons/02-async/exercise"
)

// TestCheck runs the exercise's check on a fake clock: its pauses take no
// real time.
func TestCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if err := async.CheckDigest(exercise.SendDigest); err != nil {
			t.Fatal(err)
		}
	})
}
