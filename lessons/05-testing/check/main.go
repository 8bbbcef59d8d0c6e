package check

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// Main is the TestMain that the check adds beside the learner's test in each
// of its go test runs: it runs the test and then, if it passed, fails the
// run when the test left goroutines behind, such as a server it never
// closed or tasks it never waited for.
func Main(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if kind, stacks := leftRunning(); kind != "" {
			fmt.Printf("%s%s\n%s\n", leakMark, kind, stacks)
			code = 1
		}
	}
	os.Exit(code)
}

// leakMark starts the line Main prints about goroutines left running; the
// kind of leak follows it.
const leakMark = "bgtasks-check: left running: "

// Kinds of leak Main reports, named for what the learner left running.
const (
	leakServer = "server"
	leakTasks  = "tasks"
	leakOther  = "goroutines"
)

// leftRunning says what the test left running, if anything. goleak retries
// for about half a second while goroutines end; a closed server's take
// microseconds, so a few rounds of it leave only what will never end.
func leftRunning() (kind, stacks string) {
	var err error
	for range 4 {
		if err = goleak.Find(); err == nil {
			return "", ""
		}
	}
	stacks = err.Error()
	switch {
	case strings.Contains(stacks, "net/http/httptest.(*Server)"):
		return leakServer, stacks
	case strings.Contains(stacks, "github.com/bgtasks/tutorial/bgtasks."):
		return leakTasks, stacks
	}
	return leakOther, stacks
}

// mainFile is the test file that makes Main the learner's TestMain, for a
// package of the given name.
func mainFile(pkg string) string {
	return "package " + pkg + "\n\n" +
		"import (\n\t\"testing\"\n\n\tcheck \"github.com/bgtasks/tutorial/lessons/05-testing/check\"\n)\n\n" +
		"func TestMain(m *testing.M) { check.Main(m) }\n"
}
