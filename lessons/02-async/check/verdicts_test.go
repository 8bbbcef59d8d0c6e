package check_test

import (
	"testing"

	"github.com/bgtasks/tutorial/internal/check/checktest"
)

// The check, run as the tutor runs it, fails the starter, passes the
// solution, and fails each wrong solution in testdata/wrong with the
// message written on its first line. Each run is a go test process.
func TestCheckVerdicts(t *testing.T) {
	checktest.Starter(t, "02-async", "step 3/4: SendDigest went on waiting after its context was cancelled; it sent to 5 recipients in all")
	checktest.Solution(t, "02-async")
	checktest.Wrong(t, "02-async")
	checktest.Right(t, "02-async")
}

// The hints go from the idea to the API to the code, and only the last
// shows the code.
func TestHints(t *testing.T) { checktest.Hints(t, "02-async") }
