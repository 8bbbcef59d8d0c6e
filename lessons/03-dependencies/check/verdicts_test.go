package check_test

import (
	"testing"

	"github.com/bgtasks/tutorial/internal/check/checktest"
)

// The check, run as the tutor runs it, fails the starter, passes the
// solution, and fails each wrong solution in testdata/wrong with the
// message written on its first line. Each run is a go test process.
func TestCheckVerdicts(t *testing.T) {
	checktest.Starter(t, "03-dependencies", "step 1/5: Subscribe panicked when called outside an HTTP request")
	checktest.Solution(t, "03-dependencies")
	checktest.Wrong(t, "03-dependencies")
	checktest.Right(t, "03-dependencies")
}

// The hints go from the idea to the API to the code, and only the last
// shows the code.
func TestHints(t *testing.T) { checktest.Hints(t, "03-dependencies") }
