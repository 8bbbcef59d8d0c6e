package check

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// judge returns what is wrong with res, the learner's test run at st, in the
// learner's words, or "" if nothing is.
func judge(st step, res result, src *source) string {
	switch {
	case res.timedOut && st.pass:
		cause, hint := src.hangs()
		return fmt.Sprintf("your test did not finish within %s, where it must pass, against %s. It waits for something that never happens.%s\nhint: %s",
			runTimeout, st.what, cause, hint)
	case res.timedOut:
		return fmt.Sprintf("your test did not finish within %s, where it must fail, against %s. A test must fail, not hang.\nhint: %s",
			runTimeout, st.what, "a test must end by itself: wait for the tasks with the runner, never for a line that may not come")
	case !res.ran:
		return "the check could not run " + testName + ":\n" + quote(res.after, 10)
	case res.skipped:
		return fmt.Sprintf("your test skipped itself, against %s: a skipped test proves nothing.\nhint: a test with no reason to skip runs every time", st.what)
	case st.pass && !res.passed:
		cause, hint := src.tooEarly(st, res.said())
		return fmt.Sprintf("your test failed where it must pass, against %s. It reported:\n%s%s\nhint: %s",
			st.what, quote(res.said(), 12), cause, hint)
	case st.pass:
		return leaked(res.after)
	case res.passed:
		msg := fmt.Sprintf("your test passed where it must fail, against %s: it cannot tell that app from the working one.", st.what)
		hint := st.hint
		if !src.reports {
			msg += " Your test never reports a failure: nothing in it calls t.Error, t.Errorf, t.Fatal or t.Fatalf."
			hint = "a test fails only when it says so: compare what log.txt holds with what it should hold, and report any difference"
		}
		return msg + "\nhint: " + hint
	}
	return ""
}

// leaked describes what the check's TestMain found left running after the
// test passed, or returns "".
func leaked(after []string) string {
	i := slices.IndexFunc(after, func(l string) bool { return strings.HasPrefix(l, leakMark) })
	if i < 0 {
		return ""
	}
	what, hint := "goroutines it started were still running, and the next test in the same process would inherit them",
		"whatever a test starts, it stops before it returns"
	switch strings.TrimPrefix(after[i], leakMark) {
	case leakServer:
		what, hint = "its test server was still running, and the next test in the same process would inherit it",
			"a server a test starts is the test's to stop, when it ends, pass or fail"
	case leakTasks:
		what, hint = "the app's tasks were still queued or running, and the next test in the same process would inherit them",
			"a test must not end before the tasks it caused: wait for them"
	}
	return fmt.Sprintf("your test passed, but when it returned, %s.\nhint: %s", what, hint)
}

// quote shows lines the learner's test printed, each marked as a quote.
func quote(lines []string, max int) string {
	if len(lines) == 0 {
		return "> (nothing: use t.Errorf or t.Fatalf to say what is wrong)"
	}
	var b strings.Builder
	for i, l := range lines {
		if i == max {
			b.WriteString("> …")
			break
		}
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("> " + strings.TrimPrefix(l, "    "))
	}
	return b.String()
}

// unfit says why the check cannot run the learner's file at all, or "".
func (s *source) unfit() string {
	switch {
	case s.test == nil:
		return learnerFile + " has no func " + testName + "(t *testing.T): the check runs that test, by that name\n" +
			"hint: keep the starter's name and signature, and write the test in its body"
	case s.testMain:
		return learnerFile + " declares TestMain, but the check runs your test with a TestMain of its own, which looks for goroutines left behind\n" +
			"hint: the test needs no TestMain"
	}
	return ""
}

// tooEarly explains a test that failed where it must pass, having reported
// said: at the first step, most likely because it did not wait for the
// tasks.
func (s *source) tooEarly(st step, said []string) (cause, hint string) {
	const guess = "a sleep guesses how long the tasks take, and on a busy machine every guess is wrong some day: wait for the tasks themselves"
	// A test that waits, yet finds no log.txt, waited for the wrong thing
	// or at the wrong time, or looked in the wrong folder: its expectations
	// were never compared with anything.
	missing := len(s.waits) > 0 && slices.ContainsFunc(said, logMissing)
	const missingCause = "\nYour test waits for the tasks, but its own report shows log.txt missing: it read log.txt before the tasks had written it, or from another folder than the one the app writes in."
	const missingHint = "read log.txt from the very folder you gave the app, once the wait for this request's tasks, on the runner the app uses, has returned"
	if st.app != steps[0].app {
		if missing {
			return missingCause, missingHint
		}
		return "", "the app is right here: send the request the exercise describes, and expect exactly what the app writes"
	}
	switch {
	case len(s.polls) > 0:
		return fmt.Sprintf("\nYour test polls: the loop at %s looks again and again until %s, but here the tasks run only once your test waits for them.", s.at(s.polls), s.polled()),
			"a loop that looks until something changes guesses how long the work takes, as a sleep does: wait for the tasks themselves"
	case len(s.sleeps) > 0:
		return fmt.Sprintf("\nYour test sleeps (time.Sleep at %s) instead of waiting for the tasks; here no sleep is long enough.", s.at(s.sleeps)), guess
	case len(s.timers) > 0:
		return fmt.Sprintf("\nYour test waits on a timer (%s) instead of waiting for the tasks; here no timer is long enough.", s.at(s.timers)), guess
	case len(s.waits) > 0 && len(s.reads) > 0 && s.reads[0] < s.waits[0]:
		return fmt.Sprintf("\nYour test looks at log.txt (%s) before it waits for the tasks (%s).", s.at(s.reads[:1]), s.at(s.waits[:1])),
			"the tasks have run only once the wait is over: wait first, then look"
	case missing:
		return missingCause, missingHint
	case len(s.waits) > 0 || (s.synchronous && s.recorder && !s.server):
		return "\nYour test waits for the tasks, so it should pass here: what it expects differs from what the app writes.",
			"compare what your test expects with the two lines the exercise names, character by character"
	case s.synchronous && s.server:
		return "\nYour runner is Synchronous, but the request goes to a real server: the response can reach your test before the tasks have run (this copy sends it early, as any handler may), and your test never waits for them.",
			"Synchronous mode holds back ServeHTTP, not the bytes on the wire: call the handler in process, or wait for the tasks"
	case s.recorder && !s.synchronous:
		return "\nYour test calls the handler in process, but with the default runner, which runs the tasks on a goroutine of their own: ServeHTTP returns before they run, and your test never waits for them.",
			"either have the runner run the tasks before ServeHTTP returns, or wait for them"
	}
	return "\nYour test never waits for the tasks: the response comes before they run.",
		"look at log.txt only once the request's tasks have ended; the runner knows when that is"
}

// logMissing reports whether a line the test printed says a file does not
// exist: on Unix "no such file or directory", on Windows "cannot find the
// file".
func logMissing(line string) bool {
	return strings.Contains(line, "log.txt") &&
		(strings.Contains(line, "no such file or directory") || strings.Contains(line, "cannot find the file") || strings.Contains(line, fs.ErrNotExist.Error()))
}

// hangs explains a test that never finished where it must pass.
func (s *source) hangs() (cause, hint string) {
	if len(s.polls) > 0 {
		return fmt.Sprintf("\nYour test polls: the loop at %s looks until %s, but here the tasks run only once your test waits for them.", s.at(s.polls), s.polled()),
			"a test must end by itself: wait for the tasks with the runner, never for a line that may not come"
	}
	return "", "a test must end by itself: wait for the tasks with the runner, never for a line that may not come"
}

// lastResort rejects, from the source alone, what no run can catch in a
// test that passed them all: waiting by the clock on top of waiting for
// the tasks, and t.Fatal where it cannot stop the test.
func (s *source) lastResort() string {
	const spare = "\nhint: the wait for the tasks that your test already does is all it needs"
	switch {
	case len(s.fatals) > 0:
		return fmt.Sprintf("your test calls t.Fatal (or FailNow or Skip) at %s inside a function it hands to other code, which may call it on a goroutine of its own: "+
			"there t.Fatal cannot stop your test, and testing allows it only on the test's own goroutine (go doc testing.T.FailNow).\n"+
			"hint: let the function note what it saw, and judge that in the test itself once the tasks have ended", s.at(s.fatals))
	case len(s.polls) > 0:
		return fmt.Sprintf("your test passes, but it polls: the loop at %s looks again and again, and every run pays for it.", s.at(s.polls)) + spare
	case len(s.sleeps) > 0:
		return fmt.Sprintf("your test passes, but it sleeps (time.Sleep at %s): every run pays for the sleep, which guards against nothing.", s.at(s.sleeps)) + spare
	case len(s.timers) > 0:
		return fmt.Sprintf("your test passes, but it waits on a timer (%s): every run pays for it.", s.at(s.timers)) + spare
	}
	return ""
}
