//go:build check

package exercise_test

import (
	"testing"

	basic "github.com/bgtasks/tutorial/lessons/01-basic"
	"github.com/bgtasks/tutorial/lessons/01-basic/exercise"
)

// TestCheck is what `tutor check 01` runs against your code.
func TestCheck(t *testing.T) {
	if err := basic.CheckOrders(exercise.NewApp); err != nil {
		t.Fatal(err)
	}
}
