package check

import "time"

// SetTestTimeout shortens the check's limit on one run of a learner's test,
// and returns a function that restores it.
func SetTestTimeout(d time.Duration) (restore func()) {
	old := testTimeout
	testTimeout = d
	return func() { testTimeout = old }
}
