package check_test

import (
	"testing"

	"github.com/bgtasks/tutorial/internal/check/checktest"
)

// The check, run as the tutor runs it, fails the starter, passes the
// solution, and fails each wrong solution in testdata/wrong with the
// message written on its first line. Each run is a go test process.
func TestCheckVerdicts(t *testing.T) {
	checktest.Starter(t, "04-errors", "step 3/7: after 7 of the app's tasks failed or were abandoned, there is no deadletter.jsonl")
	checktest.Solution(t, "04-errors")
	checktest.Wrong(t, "04-errors")
	checktest.Right(t, "04-errors")
}

// The hints go from the idea to the API to the code, and only the last
// shows the code.
func TestHints(t *testing.T) { checktest.Hints(t, "04-errors") }
