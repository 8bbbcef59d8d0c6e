package check_test

import (
	"testing"

	"github.com/bgtasks/tutorial/internal/check/checktest"
)

// The check, run as the tutor runs it, fails the starter, passes the
// solution, and fails each wrong solution in testdata/wrong with the
// message written on its first line. Each run is a go test process.
func TestCheckVerdicts(t *testing.T) {
	checktest.Starter(t, "06-durable", "step 1/4: POST /subscribers answered 201 for ada@example.com, but no welcome job was queued")
	checktest.Solution(t, "06-durable")
	checktest.Wrong(t, "06-durable")
	checktest.Right(t, "06-durable")
}

// The hints go from the idea to the API to the code, and only the last
// shows the code.
func TestHints(t *testing.T) { checktest.Hints(t, "06-durable") }
