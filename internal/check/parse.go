package check

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// testEvent is one line of go test -json (see go doc test2json), including
// the build events go test adds since Go 1.24.
type testEvent struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string // build events
	FailedBuild string // a package that failed because a build did
}

// report is what a go test -json stream says about one package.
type report struct {
	sawPackage  bool // go test got as far as the package
	passed      bool // the package passed
	noTests     bool // nothing ran: no test files, or none matched
	buildFailed bool
	build       []string            // compiler and vet output
	tests       map[string][]string // output lines of each test
	failed      []string            // tests that failed, in order
	all         []string            // every output line, in order
}

// parse reads a go test -json stream. Lines that are not JSON (go test
// writes some errors as plain text) count as package output.
func parse(stream []byte) *report {
	r := &report{tests: map[string][]string{}}
	sc := bufio.NewScanner(bytes.NewReader(stream))
	sc.Buffer(make([]byte, 64<<10), maxKept)
	for sc.Scan() {
		line := sc.Bytes()
		var e testEvent
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			r.all = append(r.all, string(line))
			continue
		}
		switch e.Action {
		case "build-output":
			r.build = append(r.build, strings.TrimSuffix(e.Output, "\n"))
		case "build-fail":
			r.buildFailed = true
		case "start":
			r.sawPackage = true
		case "output":
			out := strings.TrimSuffix(e.Output, "\n")
			r.all = append(r.all, out)
			if e.Test != "" {
				r.tests[e.Test] = append(r.tests[e.Test], out)
			}
		case "pass":
			if e.Test == "" {
				r.passed = true
			}
		case "skip":
			if e.Test == "" {
				r.noTests = true
			}
		case "fail":
			if e.Test != "" {
				r.failed = append(r.failed, e.Test)
			} else if e.FailedBuild != "" {
				r.buildFailed = true
			}
		}
	}
	return r
}

var (
	// stepLine matches the first line of a check's error, after the file
	// and line that t.Fatal puts before it.
	stepLine = regexp.MustCompile(`(?:^|: )step (\d+/\d+): (.*)$`)
	// logPrefix is what t.Log and t.Fatal put before a message.
	logPrefix = regexp.MustCompile(`^\S+\.go:\d+: `)
)

// fill sets res's outcome from r.
func (r *report) fill(res *Result) {
	switch {
	case r.buildFailed:
		what := "your code does not compile"
		for _, l := range r.build {
			if strings.HasPrefix(l, "# [") { // go vet's heading, as go test runs it
				what = "go vet, which go test runs first, reports a problem"
			}
		}
		var lines []string
		for _, l := range r.build {
			if !strings.HasPrefix(l, "# ") {
				lines = append(lines, l)
			}
		}
		res.Message = what + ":\n" + firstLines(strings.Join(lines, "\n"), 10)
		if notes := buildNotes(lines); notes != "" {
			res.Message += "\n" + notes
		}
		res.Output = capText(strings.Join(r.build, "\n"))
	case r.passed && len(r.failed) == 0:
		res.Passed = true
		res.Output = capText(strings.Join(r.all, "\n"))
	case len(r.failed) > 0:
		name := r.failed[0]
		for _, t := range r.failed { // the first that says which step failed
			if hasStep(r.tests[t]) {
				name = t
				break
			}
		}
		lines := r.tests[name]
		res.Output = capText(strings.Join(lines, "\n"))
		res.Step, res.Message, res.Hint = explain(lines)
		if res.Message == "" {
			res.Message = fmt.Sprintf("%s failed", name)
		}
	default:
		// A timeout or a panic outside a test ends the test binary before
		// any test reports a failure.
		res.Message = crash(r.all)
		if res.Message == "" {
			res.Message = "the check failed before any test ran"
			if msg := firstLines(strings.Join(r.all, "\n"), 10); msg != "" {
				res.Message += ":\n" + msg
			}
		}
		res.Output = capText(strings.Join(r.all, "\n"))
	}
}

func hasStep(lines []string) bool {
	for _, l := range lines {
		if stepLine.MatchString(l) {
			return true
		}
	}
	return false
}

// explain finds the check's words in a failed test's output: the line
// "step N/M: what is wrong", the lines after it, and a last line "hint: ...".
// Without a step line, it describes a panic or a timeout, or else returns the
// test's first message.
func explain(lines []string) (step, msg, hint string) {
	var body []string
	in := false
	for _, raw := range lines {
		l := strings.TrimSpace(raw)
		if m := stepLine.FindStringSubmatch(l); m != nil && !in {
			in = true
			step = m[1]
			body = append(body, m[2])
			continue
		}
		if !in {
			continue
		}
		switch {
		case strings.HasPrefix(l, "hint: "):
			hint = strings.TrimPrefix(l, "hint: ")
			in = false
		case strings.HasPrefix(l, "--- "), strings.HasPrefix(l, "=== "), logPrefix.MatchString(l):
			in = false // the message has ended
		default:
			body = append(body, l)
		}
		if !in {
			break
		}
	}
	if step != "" {
		return step, strings.TrimSpace(strings.Join(body, "\n")), hint
	}
	if msg := crash(lines); msg != "" {
		return "", msg, ""
	}
	for _, raw := range lines {
		l := strings.TrimSpace(raw)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- ") {
			continue
		}
		return "", logPrefix.ReplaceAllString(l, ""), ""
	}
	return "", "", ""
}

// crash describes a timeout or a panic in lines, or returns "".
func crash(lines []string) string {
	for i, raw := range lines {
		l := strings.TrimSpace(raw)
		switch {
		case strings.HasPrefix(l, "panic: test timed out after "):
			return fmt.Sprintf("the check timed out after %s: something in your code waits forever (a channel nobody sends on, a lock never released, a Wait for work never started?)",
				strings.TrimPrefix(l, "panic: test timed out after "))
		case strings.HasPrefix(l, "panic: "):
			msg := "your code panicked: " + strings.TrimPrefix(l, "panic: ")
			msg = strings.TrimSuffix(msg, " [recovered, repanicked]")
			msg = strings.TrimSuffix(msg, " [recovered]")
			if at := panicSite(lines[i:]); at != "" {
				msg += "\n" + at
			}
			return msg
		}
	}
	return ""
}

// panicSite returns the first frame of a panic's stack that is neither the
// runtime's nor the testing package's: where the learner's code went wrong.
func panicSite(lines []string) string {
	for i := 0; i+1 < len(lines); i++ {
		fn := strings.TrimSpace(lines[i])
		at := strings.TrimSpace(lines[i+1])
		if !strings.HasPrefix(lines[i+1], "\t") || strings.HasPrefix(fn, "panic(") ||
			strings.HasPrefix(fn, "testing.") || strings.HasPrefix(fn, "runtime.") ||
			strings.HasPrefix(fn, "created by ") {
			continue
		}
		at, _, _ = strings.Cut(at, " +0x")
		return "at " + at
	}
	return ""
}

// firstLines returns s's first n non-empty lines.
func firstLines(s string, n int) string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if len(out) == n {
			out = append(out, "…")
			break
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// capText trims s and keeps at most maxShown bytes of it.
func capText(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxShown {
		s = strings.ToValidUTF8(s[:maxShown], "") + "\n… (output cut)"
	}
	return s
}
