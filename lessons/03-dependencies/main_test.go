package dependencies

import (
	"testing"

	"go.uber.org/goleak"
)

// Every task, server and timer a test starts must be gone when it ends.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
