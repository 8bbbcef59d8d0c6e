package check_test

import (
	"testing"

	"github.com/bgtasks/tutorial/internal/check/checktest"
)

// The check, run as the tutor runs it, fails the starter, passes the
// solution, and fails each wrong solution in testdata/wrong with the
// message written on its first line. Each run is a go test process.
func TestCheckVerdicts(t *testing.T) {
	checktest.Starter(t, "01-basic", "step 1/6: POST /orders got no answer within 10s, while the confirmation mail was still being sent")
	checktest.Solution(t, "01-basic")
	checktest.Wrong(t, "01-basic")
	checktest.Right(t, "01-basic")
}

// The hints go from the idea to the API to the code, and only the last
// shows the code.
func TestHints(t *testing.T) { checktest.Hints(t, "01-basic") }
