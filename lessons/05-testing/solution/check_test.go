package solution

import (
	"testing"

	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
)

// TestCheck runs the solution's test against the working app, where it must
// pass, and against broken copies of it, where it must fail.
func TestCheck(t *testing.T) {
	if err := apptests.CheckLearnerTest(TestNotificationIsLogged); err != nil {
		t.Fatal(err)
	}
}
