package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Limits that run enforces while go test runs, besides Timeout and
// TestTimeout. A learner's code may print without end or never return;
// neither may hang the tutor or fill its memory, or the go command's.
const (
	// maxOutput is how much go test -json may print before run stops it.
	// It bounds the go command's memory as well as the tutor's: go test
	// keeps a copy of everything the test binary prints until it exits.
	maxOutput = 16 << 20
	// binaryGrace is how long the test binary may run past TestTimeout.
	// go test's -timeout starts only once the tests do, so it cannot stop
	// a loop in init, in a package variable's initialiser or in TestMain.
	binaryGrace = 10 * time.Second
	// headKept and tailKept are how much of each test's output run keeps:
	// its first lines and its last, where t.Fatal and panics write.
	headKept = 16 << 10
	tailKept = 16 << 10
	// maxLine is the longest line of go test's output that run keeps; the
	// rest of a longer line is dropped.
	maxLine = 64 << 10
)

// limits are the bounds of one run, replaced by tests that need smaller ones.
type limits struct {
	output int64         // bytes go test may write to stdout
	binary time.Duration // from go test's start event, when the test binary is run, to its end
	// exited, if set, is given the command's state once it has been waited for.
	exited func(*os.ProcessState)
}

func defaultLimits() limits {
	return limits{output: maxOutput, binary: TestTimeout + binaryGrace}
}

// currentLimits are the limits run applies; tests replace it.
var currentLimits = defaultLimits

// A stopError is run's verdict when it stopped go test before it ended: the
// learner's code printed too much, or never returned. Its message is for
// the learner.
type stopError struct{ msg string }

func (e *stopError) Error() string { return e.msg }

// run runs name with args in dir and returns what it wrote: of stdout, a go
// test -json stream that keeps every event but output, and of each test's
// output the first headKept and last tailKept bytes; of stderr, the first
// maxKept bytes. It stops the command with a *stopError once stdout passes
// maxOutput or the test binary outlives TestTimeout by binaryGrace. When
// ctx ends, or run stops it, the command and every process it started are
// killed; on Linux they are killed as well when the command ends by itself,
// and when the tutor dies (see proc_linux.go).
func run(ctx context.Context, dir, name string, args ...string) (stdout, stderr []byte, err error) {
	return runLimited(ctx, dir, currentLimits(), name, args...)
}

func runLimited(ctx context.Context, dir string, lim limits, name string, args ...string) (stdout, stderr []byte, err error) {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	var mu sync.Mutex
	var timer *time.Timer
	out := &stream{limit: lim.output, tests: map[string]*testOutput{}}
	out.over = func() {
		stop(&stopError{fmt.Sprintf("your code printed more than %d MiB, so the check was stopped: "+
			"print less (a log line inside a loop?)", lim.output>>20)})
	}
	out.started = func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(lim.binary, func() {
			stop(&stopError{neverReturned(lim.binary, out.running())})
		})
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		if timer != nil {
			timer.Stop()
		}
	}()

	var errOut capped
	cmd, cleanup, err := command(ctx, dir, name, args...)
	if err != nil {
		return nil, nil, err
	}
	defer cleanup()
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, &errOut
	// A child that outlives the kill could hold the pipes open; stop
	// waiting for it.
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	if lim.exited != nil && cmd.ProcessState != nil {
		lim.exited(cmd.ProcessState)
	}
	out.close()
	var stopped *stopError
	if errors.As(context.Cause(ctx), &stopped) {
		err = stopped
	}
	return out.bytes(), errOut.Bytes(), err
}

// neverReturned is the verdict on a test binary that ran for d, with the
// tests that were running then.
func neverReturned(d time.Duration, running []string) string {
	msg := fmt.Sprintf("your code never returned: a loop in init or a test that never ends (the check stopped it after %s", d)
	switch {
	case len(running) > 0:
		msg += ", in " + strings.Join(running, ", ")
	default:
		msg += ", before any test had started"
	}
	return msg + ")"
}

// capped keeps the first maxKept bytes written to it and drops the rest,
// never failing a write, so the process it reads from is not blocked.
type capped struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := maxKept - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}

// stream reads go test -json as it arrives and keeps a shorter stream that
// says the same: every event but output as it came, and of each test's
// output (the package's own included) its first headKept bytes and its last
// tailKept, with a line saying how many lines were cut between. The first
// lines of passing tests share a budget of maxKept bytes in all; the last
// lines of a failing test, which say why it failed, are always kept. It
// never fails a write, so go test is never blocked on it.
type stream struct {
	limit   int64  // bytes to read before calling over
	over    func() // called once, when more than limit bytes have come
	started func() // called once, at the package's start event

	mu       sync.Mutex
	seen     int64
	full     bool   // over has been called: the rest is dropped
	didStart bool   // started has been called
	line     []byte // the line being read, up to maxLine bytes
	long     bool   // the line being read is longer than maxLine
	pkg      string // the package tested, for the lines stream writes itself
	kept     bytes.Buffer
	budget   int64                  // bytes of passing output kept, against maxKept
	tests    map[string]*testOutput // output of each test not yet ended ("" for the package)
	order    []string               // the keys of tests, in the order first seen
	active   []string               // tests started and not yet ended
}

// testOutput is the output of one test that stream holds back: the lines
// after its first headKept bytes, of which it keeps the last tailKept bytes.
type testOutput struct {
	head      int64
	tail      []string // whole JSON lines, oldest first
	tailBytes int
	cut       int // lines dropped between the head and the tail
}

func (s *stream) Write(p []byte) (int, error) {
	n := len(p)
	s.mu.Lock()
	if s.full {
		s.mu.Unlock()
		return n, nil
	}
	s.seen += int64(n)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if room := maxLine - len(s.line); len(chunk) > room {
			chunk, s.long = chunk[:room], true
		}
		s.line = append(s.line, chunk...)
		if i < 0 {
			break
		}
		s.handle(s.line)
		s.line, s.long = s.line[:0], false
		p = p[i+1:]
	}
	over := s.seen > s.limit
	s.full = over
	s.mu.Unlock()
	if over {
		s.over()
	}
	return n, nil
}

// event is what stream reads of a go test -json line.
type event struct {
	Action  string
	Package string
	Test    string
}

// handle takes one line of go test's stdout.
func (s *stream) handle(line []byte) {
	var e event
	if len(line) == 0 || line[0] != '{' || s.long || json.Unmarshal(line, &e) != nil {
		// Plain text: go test prints some errors so. It counts against the
		// budget, as the package's output would.
		if s.budget < maxKept {
			s.keep(line)
			s.budget += int64(len(line)) + 1
		}
		return
	}
	if s.pkg == "" {
		s.pkg = e.Package
	}
	switch e.Action {
	case "output":
		s.output(e.Test, line)
		return
	case "start":
		if e.Test == "" && !s.didStart && s.started != nil {
			s.didStart = true
			s.started()
		}
	case "run":
		s.active = append(s.active, e.Test)
	case "pass", "fail", "skip":
		if e.Test == "" {
			s.flushAll()
			break
		}
		s.end(e.Test)
		s.flush(e.Test, e.Action == "fail")
	}
	s.keep(line)
}

func (s *stream) keep(line []byte) {
	s.kept.Write(line)
	s.kept.WriteByte('\n')
}

// output takes one output event of test.
func (s *stream) output(test string, line []byte) {
	t := s.tests[test]
	if t == nil {
		t = &testOutput{}
		s.tests[test] = t
		s.order = append(s.order, test)
	}
	n := int64(len(line)) + 1
	if t.tail == nil && t.head+n <= headKept && s.budget+n <= maxKept {
		s.keep(line)
		t.head += n
		s.budget += n
		return
	}
	t.tail = append(t.tail, string(line))
	t.tailBytes += len(line) + 1
	for t.tailBytes > tailKept && len(t.tail) > 1 {
		t.tailBytes -= len(t.tail[0]) + 1
		t.tail[0] = ""
		t.tail = t.tail[1:]
		t.cut++
	}
}

// flush writes what it held back of test's output, once the test has ended:
// all of it for a failed test or the package, which say what went wrong;
// for a passing test, only while the budget lasts.
func (s *stream) flush(test string, failed bool) {
	t := s.tests[test]
	if t == nil {
		return
	}
	delete(s.tests, test)
	if i := indexOf(s.order, test); i >= 0 {
		s.order = append(s.order[:i], s.order[i+1:]...)
	}
	keepTail := failed || test == "" || s.budget < maxKept
	if !keepTail {
		t.cut += len(t.tail)
	}
	if t.cut > 0 {
		b, _ := json.Marshal(map[string]string{"Action": "output", "Package": s.pkg, "Test": test,
			"Output": fmt.Sprintf("… (%d lines of output cut)\n", t.cut)})
		s.keep(b)
	}
	if keepTail {
		for _, l := range t.tail {
			s.keep([]byte(l))
		}
		s.budget += int64(t.tailBytes)
	}
}

// flushAll writes every test's held-back output, in the order the tests
// first printed: at the package's end, or when go test was stopped.
func (s *stream) flushAll() {
	for len(s.order) > 0 {
		s.flush(s.order[0], true)
	}
}

func (s *stream) end(test string) {
	if i := indexOf(s.active, test); i >= 0 {
		s.active = append(s.active[:i], s.active[i+1:]...)
	}
}

// running returns the tests started and not yet ended, top-level tests
// only.
func (s *stream) running() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, t := range s.active {
		if !strings.Contains(t, "/") {
			names = append(names, t)
		}
	}
	return names
}

// close takes a last line without a newline, and whatever output is held
// back: go test may have been stopped before the end.
func (s *stream) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.line) > 0 && !s.full {
		s.handle(s.line)
		s.line = nil
	}
	s.flushAll()
}

func (s *stream) bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.kept.Bytes())
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// stoppedOutput is what to show of a go test that run stopped: the output
// it kept, as text.
func stoppedOutput(stdout []byte) string {
	return capText(strings.Join(parse(stdout).all, "\n"))
}
