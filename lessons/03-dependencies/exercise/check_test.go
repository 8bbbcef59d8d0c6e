//go:build check

package exercise_test

import (
	"testing"

	dependencies "github.com/bgtasks/tutorial/lessons/03-dependencies"
	"github.com/bgtasks/tutorial/lessons/03-dependencies/exercise"
)

// TestCheck is what `tutor check 03` runs against your code.
func TestCheck(t *testing.T) {
	if err := dependencies.CheckNewsletter(exercise.New); err != nil {
		t.Fatal(err)
	}
}
