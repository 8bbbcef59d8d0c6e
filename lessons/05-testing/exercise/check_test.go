//go:build check

package exercise

import (
	"testing"

	"github.com/bgtasks/tutorial/lessons/05-testing/check"
)

// TestCheck runs your TestNotification, each time with go test, against
// lesson 01's app, where it must pass, and against broken copies of it,
// where it must fail.
func TestCheck(t *testing.T) {
	if err := check.Exercise(t.Context()); err != nil {
		t.Fatal(err)
	}
}
