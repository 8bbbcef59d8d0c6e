package apptests

import "context"

// T is the part of *testing.T that the exercise's test uses. A *testing.T
// satisfies it, so the test runs under go test as it is; so does the
// recorder Exercise uses to watch the test fail against a broken app
// without failing the check itself, which a *testing.T cannot do.
type T interface {
	Helper()
	Context() context.Context
	Cleanup(fn func())
	TempDir() string
	Log(args ...any)
	Logf(format string, args ...any)
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}
