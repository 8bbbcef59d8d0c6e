package bgtasks_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every test must leave no goroutine behind: a task runner that leaks is
// the bug this package exists to prevent.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
