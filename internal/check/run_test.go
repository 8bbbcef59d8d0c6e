package check

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A check whose test hangs, having started a process of its own, is killed
// with everything it started as soon as its context is cancelled.
func TestRunKillsProcessGroupOnCancel(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc to see whether a process is alive")
	}
	mod := t.TempDir()
	pidFile := filepath.Join(t.TempDir(), "pid")
	write(t, filepath.Join(mod, "go.mod"), "module example.com/hang\n\ngo 1.25\n")
	write(t, filepath.Join(mod, "hang_test.go"), `package hang

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

func TestHang(t *testing.T) {
	child := exec.Command("sleep", "300")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(os.Getenv("HANG_PID_FILE"), []byte(strconv.Itoa(child.Process.Pid)), 0o644)
	select {}
}
`)
	t.Setenv("HANG_PID_FILE", pidFile)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := run(ctx, mod, "go", "test", "-count=1", ".")
		done <- err
	}()

	// Building the test takes a while; the pid file says it is running.
	var pid int
	deadline := time.Now().Add(time.Minute)
	for {
		if b, err := os.ReadFile(pidFile); err == nil && len(b) > 0 {
			pid, _ = strconv.Atoi(string(b))
			break
		}
		select {
		case err := <-done:
			t.Fatalf("go test ended before the test started: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the hanging test never started")
		}
	}
	if !alive(pid) {
		t.Fatalf("the test's child %d is not running before the cancel", pid)
	}

	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("run returned no error for a killed go test")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return within 10s of the cancel")
	}
	for end := time.Now().Add(5 * time.Second); alive(pid); {
		if time.Now().After(end) {
			t.Fatalf("the test's child %d still runs after the cancel", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive reports whether pid is a running process (a zombie is not).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses.
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z") && !strings.HasPrefix(rest, "X")
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// module writes a Go module holding one package, ex, whose only test file
// holds test, and returns the module's directory; the package is in its ex
// folder.
func module(t *testing.T, test string) string {
	t.Helper()
	mod := t.TempDir()
	if err := os.Mkdir(filepath.Join(mod, "ex"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(mod, "go.mod"), "module example.com/learner\n\ngo 1.25\n")
	write(t, filepath.Join(mod, "ex", "ex.go"), "package ex\n")
	write(t, filepath.Join(mod, "ex", "learner_test.go"), test)
	return mod
}

// checkModule runs the check of a module made by module, as Run runs an
// exercise: mod is the root, and ex's test is the check.
func checkModule(t *testing.T, mod string) Result {
	t.Helper()
	res, err := Run(context.Background(), mod, Exercise{Lesson: "00-test", Dir: "ex", Hint: "the lesson's hint"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// withLimits makes run apply lim for the rest of the test.
func withLimits(t *testing.T, lim limits) {
	old := currentLimits
	currentLimits = func() limits { return lim }
	t.Cleanup(func() { currentLimits = old })
}

// A correct solution that prints more than the 1 MiB the tutor once read
// still passes: the pass event at the end of the stream is kept.
func TestRunPassesWithLargeOutput(t *testing.T) {
	mod := module(t, `package ex

import (
	"fmt"
	"strings"
	"testing"
)

func TestLoud(t *testing.T) {
	line := strings.Repeat("x", 1000)
	for i := range 3000 { // 3 MB
		fmt.Println(i, line)
	}
}
`)
	res := checkModule(t, mod)
	if !res.Passed {
		t.Fatalf("a passing check that prints 3 MB failed: %q", res.Message)
	}
	if len(res.Output) > maxShown+100 {
		t.Errorf("Output holds %d bytes, more than the %d shown", len(res.Output), maxShown)
	}
}

// A loop in init is never seen by go test's -timeout, which starts with the
// tests. The test binary is stopped once it has run for its limit, with a
// verdict that says what to look for.
func TestRunStopsALoopInInit(t *testing.T) {
	mod := module(t, `package ex

import "testing"

var spins int

func init() {
	for {
		spins++
	}
}

func TestNothing(t *testing.T) {}
`)
	// The time limit is the thing under test: two seconds for the test
	// binary, against Timeout's two minutes for the whole check.
	lim := defaultLimits()
	lim.binary = 2 * time.Second
	withLimits(t, lim)
	res := checkModule(t, mod)
	if res.Passed || !strings.Contains(res.Message, "your code never returned: a loop in init or a test that never ends") ||
		!strings.Contains(res.Message, "before any test had started") {
		t.Errorf("Message = %q, want the never-returned verdict", res.Message)
	}
	if res.Took >= Timeout {
		t.Errorf("the check took %s, as long as the whole check's limit", res.Took)
	}
}

// The verdict names the test still running when the limit passed.
func TestNeverReturnedNamesTheTest(t *testing.T) {
	got := neverReturned(30*time.Second, []string{"TestSpin"})
	if want := "your code never returned: a loop in init or a test that never ends (the check stopped it after 30s, in TestSpin)"; got != want {
		t.Errorf("neverReturned = %q, want %q", got, want)
	}
}

// jsonLine is one go test -json event.
func jsonLine(action, test, output string) string {
	b, _ := json.Marshal(map[string]string{"Action": action, "Package": "example.com/x", "Test": test, "Output": output})
	return string(b) + "\n"
}

// The stream keeps every event, the start and end of each test's output,
// and what a failing test said last, however much came before it.
func TestStreamKeepsEventsAndBoundsOutput(t *testing.T) {
	s := &stream{limit: 1 << 40, tests: map[string]*testOutput{}}
	write := func(line string) {
		if n, err := s.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	write(jsonLine("start", "", ""))
	for _, name := range []string{"TestLoud", "TestFails"} {
		write(jsonLine("run", name, ""))
		write(jsonLine("output", name, "=== RUN   "+name+"\n"))
		for i := range 20000 {
			write(jsonLine("output", name, fmt.Sprintf("line %d %s\n", i, strings.Repeat("y", 100))))
		}
	}
	write(jsonLine("output", "TestFails", "    x_test.go:9: step 2/3: the mail was sent first\n"))
	write(jsonLine("output", "TestFails", "    hint: queue it\n"))
	write(jsonLine("output", "TestFails", "--- FAIL: TestFails (0.00s)\n"))
	write(jsonLine("fail", "TestFails", ""))
	write(jsonLine("output", "TestLoud", "--- PASS: TestLoud (0.00s)\n"))
	write(jsonLine("pass", "TestLoud", ""))
	write(jsonLine("output", "", "FAIL\n"))
	// The last line comes in two writes, without a final newline.
	last := jsonLine("fail", "", "")
	write(last[:10])
	write(strings.TrimSuffix(last[10:], "\n"))
	s.close()

	kept := s.bytes()
	if len(kept) > 3*maxKept {
		t.Errorf("kept %d bytes of a 5 MB stream", len(kept))
	}
	r := parse(kept)
	if !r.sawPackage || r.passed || len(r.failed) != 1 || r.failed[0] != "TestFails" {
		t.Fatalf("parsed %+v: want the package seen and TestFails failed", r)
	}
	var res Result
	r.fill(&res)
	if res.Step != "2/3" || res.Message != "the mail was sent first" || res.Hint != "queue it" {
		t.Errorf("fill = %q, %q, %q: want the failing step's words", res.Step, res.Message, res.Hint)
	}
	loud := r.tests["TestLoud"]
	if len(loud) < 2 || loud[0] != "=== RUN   TestLoud" || !strings.Contains(strings.Join(loud, "\n"), "lines of output cut") {
		t.Errorf("TestLoud's output kept %d lines, want its first and a line saying some were cut", len(loud))
	}
}

// A line longer than maxLine is cut and does not grow the stream's memory.
func TestStreamCutsLongLines(t *testing.T) {
	s := &stream{limit: 1 << 40, tests: map[string]*testOutput{}}
	long := strings.Repeat("z", 10*maxLine)
	for range 3 {
		s.Write([]byte(long))
	}
	s.Write([]byte("\n" + jsonLine("start", "", "")))
	s.close()
	if cap(s.line) > 2*maxLine {
		t.Errorf("the line buffer grew to %d bytes", cap(s.line))
	}
	r := parse(s.bytes())
	if !r.sawPackage || len(r.all) != 1 || len(r.all[0]) != maxLine {
		t.Errorf("parsed %d lines, want the long one cut to %d bytes, then the start event", len(r.all), maxLine)
	}
}

// The stream says once that the limit has passed, and drops what follows.
func TestStreamOverCalledOnce(t *testing.T) {
	calls := 0
	s := &stream{limit: 150, tests: map[string]*testOutput{}, over: func() { calls++ }}
	for range 10 {
		s.Write([]byte(jsonLine("output", "", strings.Repeat("o", 50)+"\n")))
	}
	s.close()
	if calls != 1 {
		t.Errorf("over called %d times, want once", calls)
	}
	if n := len(parse(s.bytes()).all); n != 2 {
		t.Errorf("kept %d lines, want the 2 that came before the limit passed", n)
	}
}
