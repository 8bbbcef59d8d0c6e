package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
	"github.com/bgtasks/tutorial/lessons"
)

// learnerWorkspace gives the test a workspace of its own, outside the
// repository, as TUTOR_LEARN does for a learner.
func learnerWorkspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(learnEnv, dir)
	root, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.New(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func lesson(t *testing.T, name string) tour.Lesson {
	t.Helper()
	l, err := tour.Find(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// solve writes the lesson's solution where the learner's code goes.
func solve(t *testing.T, ws *workspace.Workspace, l tour.Lesson) {
	t.Helper()
	if _, err := l.Prepare(ws); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(ws.Root(), filepath.FromSlash(l.Dir()), "solution", "solution.go"))
	if err != nil {
		t.Fatal(err)
	}
	b = regexp.MustCompile(`(?m)^package solution$`).ReplaceAll(b, []byte("package exercise"))
	writeFile(t, ws.Path(l.Slug, "exercise.go"), b)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func tutor(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// The learner's loop on the command line: the first check makes the
// folder and fails in the learner's terms without giving the answer away;
// a hint is asked for and remembered; the solution passes; list, from the
// record, agrees; reset puts the starter back and keeps the learner's code.
func TestLearnerLoop(t *testing.T) {
	ws := learnerWorkspace(t)
	l := lesson(t, "01")
	file := ws.Show(l.Slug, "exercise.go")

	code, out, errOut := tutor(t, "check", "01")
	if code != 1 || errOut != "" {
		t.Fatalf("check of the starter: exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"Made " + ws.Show(l.Slug) + " from the lesson's starter",
		"01-basic ... FAIL (",
		"  step ",
		"  Edit " + file + ", then run: go run ./cmd/tutor check 01\n",
		"  Stuck? go run ./cmd/tutor hint 01 shows hint 1 of ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check of the starter lacks %q:\n%s", want, out)
		}
	}
	for _, h := range l.Hints() {
		if strings.Contains(out, plainText(h)) {
			t.Errorf("check printed one of the lesson's hints unasked: %q", h)
		}
	}
	if strings.Contains(out, "`") {
		t.Errorf("check printed Markdown's backticks:\n%s", out)
	}

	if code, out, _ := tutor(t, "hint", "01"); code != 0 || !strings.HasPrefix(out, "Hint 1 of ") || !strings.Contains(out, plainText(l.Hints()[0])) {
		t.Errorf("hint 01: exit %d:\n%s", code, out)
	}
	if _, out, _ := tutor(t, "check", "01"); !strings.Contains(out, "shows hint 2 of ") {
		t.Errorf("after one hint, check does not point to the second:\n%s", out)
	}

	solve(t, ws, l)
	code, out, _ = tutor(t, "check", "1")
	if code != 0 || !strings.Contains(out, "01-basic ... ok (") || !strings.Contains(out, "Next: lesson 02-async. Edit ") {
		t.Errorf("check of the solution: exit %d:\n%s", code, out)
	}
	code, out, _ = tutor(t, "list")
	if code != 0 || !regexp.MustCompile(`(?m)^1 +01-basic +.+✓ passed$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^2 +02-async +.+not started$`).MatchString(out) ||
		!strings.Contains(out, "1 of "+strconv.Itoa(len(tour.All()))+" exercises pass. Next: go run ./cmd/tutor check 02") {
		t.Errorf("list after a pass: exit %d:\n%s", code, out)
	}

	code, out, _ = tutor(t, "reset", "01")
	if code != 0 || !strings.Contains(out, "Moved your files to ") || !strings.Contains(out, "Put the starter back in "+ws.Show(l.Slug)) {
		t.Errorf("reset: exit %d:\n%s", code, out)
	}
	if _, out, _ := tutor(t, "list"); !regexp.MustCompile(`(?m)^1 +01-basic +.+started, not checked yet$`).MatchString(out) {
		t.Errorf("list after a reset:\n%s", out)
	}
}

// A compile error quotes the compiler at the learner's file, says which
// import is missing and which command checks again.
func TestCheckCompileError(t *testing.T) {
	ws := learnerWorkspace(t)
	l := lesson(t, "01")
	solve(t, ws, l)
	b, _ := os.ReadFile(ws.Path(l.Slug, "exercise.go"))
	writeFile(t, ws.Path(l.Slug, "exercise.go"), bytes.Replace(b, []byte("\t\"github.com/bgtasks/tutorial/bgtasks\"\n"), nil, 1))
	_, out, _ := tutor(t, "check", "01")
	file := ws.Show(l.Slug, "exercise.go")
	for _, want := range []string{
		"  your code does not compile:\n  " + file + ":",
		": undefined: bgtasks\n",
		`bgtasks is a package: add import "github.com/bgtasks/tutorial/bgtasks" to ` + file + ".",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the check lacks %q:\n%s", want, out)
		}
	}
}

// Watch checks at once, then on every save, one check at a time, and a
// Ctrl-C stops it cleanly: exit status 0, no goroutine and no process left.
func TestWatch(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ws := learnerWorkspace(t)
	l := lesson(t, "01")
	out := newTranscript()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"watch", "01"}, out, out) }()

	out.wait(t, `Made `+regexp.QuoteMeta(ws.Show(l.Slug))+` from the lesson's starter`)
	out.wait(t, `Watching `+regexp.QuoteMeta(ws.Show(l.Slug, "exercise.go"))+`: each save checks it again`)
	out.wait(t, `\n01-basic \.\.\. FAIL \(`)

	solve(t, ws, l)
	out.wait(t, `\n01-basic \.\.\. ok \(`)
	if p, _ := ws.Progress(); ws.State(l.Slug, p) != workspace.Passed {
		t.Errorf("the pass was not recorded: %+v", p[l.Slug])
	}

	writeFile(t, ws.Path(l.Slug, "exercise.go"), []byte("package exercise\n\nfunc (\n"))
	out.wait(t, `\n01-basic \.\.\. FAIL \(.*\)\n  your code does not compile:\n  `+regexp.QuoteMeta(ws.Show(l.Slug, "exercise.go"))+`:\d+:\d+: syntax error`)

	// A save whose check hangs: the starter, with an init that never
	// returns, so that no test starts. Ctrl-C while it runs.
	starter, err := os.ReadFile(filepath.Join(ws.Root(), filepath.FromSlash(l.Dir()), "exercise", "exercise.go"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws.Path(l.Slug, "exercise.go"), append(starter, "\nfunc init() {\n\tfor {\n\t}\n}\n"...))
	out.wait(t, `\n01-basic \.\.\. $`)
	if runtime.GOOS == "linux" {
		waitFor(t, "the check's test binary to start", func() bool { return len(testBinariesIn(ws.Path(l.Slug))) > 0 })
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d after Ctrl-C, want 0", code)
		}
	case <-time.After(patience):
		t.Fatal("watch did not stop after Ctrl-C")
	}
	out.wait(t, `stopped\nStopped watching\.\n$`)
	if runtime.GOOS == "linux" {
		waitFor(t, "the check's processes to end", func() bool { return len(processesIn(ws.Dir())) == 0 })
	}
}

// Watch without a lesson starts at the first exercise not passed.
func TestWatchStartsAtTheFirstNotPassed(t *testing.T) {
	ws := learnerWorkspace(t)
	if err := ws.Record("01-basic", workspace.Verdict{Passed: true}); err != nil {
		t.Fatal(err)
	}
	out := newTranscript()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"watch"}, out, out) }()
	out.wait(t, `Watching \S+02-async/exercise\.go`)
	out.wait(t, `\n02-async \.\.\. FAIL`)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit status %d", code)
	}
}

// waitFor waits until cond holds, looking every few milliseconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(patience); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("waited %s for %s", patience, what)
		}
	}
}

// processesIn returns the processes whose working folder is dir or below:
// the go command of a check runs in the workspace, and the test binary in
// the lesson's folder. Only Linux's /proc says.
func processesIn(dir string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cwd, err := os.Readlink(filepath.Join("/proc", e.Name(), "cwd"))
		if err == nil && (cwd == dir || strings.HasPrefix(cwd, dir+string(filepath.Separator))) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// testBinariesIn returns the test binaries running in dir.
func testBinariesIn(dir string) []int {
	var pids []int
	for _, pid := range processesIn(dir) {
		cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		if exe, _, _ := strings.Cut(string(cmdline), "\x00"); strings.HasSuffix(exe, ".test") {
			pids = append(pids, pid)
		}
	}
	return pids
}
