package check

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// testName is the learner's test, the only one each run of the check runs.
const testName = "TestNotification"

// runTimeout bounds one run of the learner's test. A good test takes
// milliseconds; one that waits for something that never comes is stopped
// here, with time to spare for the other runs within the check's own limit.
const runTimeout = 5 * time.Second

// innerEnv marks the check's own runs of the learner's test, where Exercise
// refuses to run: the check never checks itself.
const innerEnv = "BGTASKS_CHECK_05_INNER"

// buildTest builds the learner's package's test binary into bin, as go
// test would before running it, with the files o replaces. It returns the
// compiler's complaints, if the test does not build.
//
// The check builds once and runs the binary once per app: linking a test
// binary takes seconds, running one takes milliseconds.
func buildTest(ctx context.Context, dir, o, bin string) (complaints []string, err error) {
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, "-vet=off", "-overlay", o, ".")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if _, exited := err.(*exec.ExitError); exited {
		return strings.Split(strings.TrimSpace(stderr.String()), "\n"), nil
	}
	if err != nil {
		return nil, fmt.Errorf("building your test: %w", err)
	}
	return nil, nil
}

// test2json returns the path of go's test2json, which turns a test binary's
// -test.v=test2json output into go test -json's events.
func test2json(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "tool", "-n", "test2json").Output()
	if err != nil {
		return "", fmt.Errorf("finding go tool test2json: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// runTest runs the learner's test from bin in dir, against the app named
// app (see appEnv), as go test -run '^TestNotification$' -count=1 -json
// would. Only a run that could not start is an error; a test that fails or
// hangs is a result.
func runTest(ctx context.Context, conv, dir, bin, app string) (result, error) {
	cmd := exec.CommandContext(ctx, conv, "-t", bin,
		"-test.run=^"+testName+"$", "-test.count=1", "-test.timeout="+runTimeout.String(), "-test.v=test2json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), innerEnv+"=1", appEnv+"="+app)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		return result{}, fmt.Errorf("running your test: %w", err)
	}
	res := parseTestJSON(stdout.Bytes())
	if !res.ran && len(res.after) == 0 {
		return res, fmt.Errorf("running your test: nothing ran: %s", strings.TrimSpace(stderr.String()))
	}
	return res, nil
}

// A result is what one run said about the learner's test.
type result struct {
	ran      bool     // the test started
	passed   bool     // and passed
	skipped  bool     // or called t.Skip
	timedOut bool     // -test.timeout stopped it
	output   []string // what the test printed, its subtests' included
	after    []string // what the binary printed outside any test: the check's TestMain
}

// testEvent is one line of go test -json; see go doc test2json.
type testEvent struct {
	Action string
	Test   string
	Output string
}

func parseTestJSON(stream []byte) result {
	var res result
	sc := bufio.NewScanner(bytes.NewReader(stream))
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var e testEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		ours := e.Test == testName || strings.HasPrefix(e.Test, testName+"/")
		line := strings.TrimSuffix(e.Output, "\n")
		switch {
		case e.Action == "output" && ours:
			res.output = append(res.output, line)
		case e.Action == "output" && e.Test == "":
			res.after = append(res.after, line)
		case e.Test != testName:
		case e.Action == "run":
			res.ran = true
		case e.Action == "pass":
			res.passed = true
		case e.Action == "skip":
			res.skipped = true
		}
	}
	for _, l := range append(res.output, res.after...) {
		if strings.HasPrefix(strings.TrimSpace(l), "panic: test timed out after ") {
			res.timedOut = true
		}
	}
	return res
}

// said returns what the test itself reported, without the framing lines.
func (r result) said() []string {
	var lines []string
	for _, l := range r.output {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "=== ") && !strings.HasPrefix(t, "--- ") {
			lines = append(lines, l)
		}
	}
	return lines
}
