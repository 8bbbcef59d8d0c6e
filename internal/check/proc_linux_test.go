package check

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// leaver is a learner's test that starts processes and returns without
// waiting for them: one in the test's process group, one that calls setsid
// to leave it, and one that a shell starts in the background and abandons.
// It writes their PIDs to $LEAVER_PIDS, one a line, and then, if
// $LEAVER_HANG is set, blocks forever.
const leaver = `package ex

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestLeave(t *testing.T) {
	var pids []string
	plain := exec.Command("sleep", "301")
	own := exec.Command("sleep", "302")
	own.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	for _, c := range []*exec.Cmd{plain, own} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, strconv.Itoa(c.Process.Pid))
	}
	out, err := exec.Command("sh", "-c", "setsid sleep 303 >/dev/null 2>&1 & echo $!").Output()
	if err != nil {
		t.Fatal(err)
	}
	pids = append(pids, strings.TrimSpace(string(out)))
	tmp := os.Getenv("LEAVER_PIDS") + ".tmp"
	os.WriteFile(tmp, []byte(strings.Join(pids, "\n")), 0o644)
	os.Rename(tmp, os.Getenv("LEAVER_PIDS"))
	if os.Getenv("LEAVER_HANG") != "" {
		select {}
	}
}
`

// readPIDs reads the PIDs leaver wrote.
func readPIDs(t *testing.T, file string) []int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("pid %q: %v", f, err)
		}
		pids = append(pids, pid)
	}
	if len(pids) != 3 {
		t.Fatalf("the test wrote %d PIDs, want 3", len(pids))
	}
	return pids
}

// killAll kills pids, should a test fail and leave them running.
func killAll(pids []int) {
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// A check that ends normally leaves nothing running: not a process the
// learner's test left in its process group, nor one that called setsid.
// run returns only once they are gone, so the assertion needs no waiting.
func TestRunLeavesNoProcessBehind(t *testing.T) {
	mod := filepath.Join(module(t, leaver), "ex")
	pidFile := filepath.Join(t.TempDir(), "pids")
	t.Setenv("LEAVER_PIDS", pidFile)
	_, _, err := run(context.Background(), mod, "go", "test", "-count=1", ".")
	if err != nil {
		t.Fatalf("go test: %v", err)
	}
	pids := readPIDs(t, pidFile)
	t.Cleanup(func() { killAll(pids) })
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("process %d, started by the learner's test, still runs after the check", pid)
		}
	}
}

// When the tutor itself is killed, SIGKILL included, everything its check
// started dies too. The tutor here is this test binary, started again to
// run TestFakeTutor.
func TestRunKillsEverythingWhenTheTutorDies(t *testing.T) {
	mod := filepath.Join(module(t, leaver), "ex")
	pidFile := filepath.Join(t.TempDir(), "pids")
	tutor := exec.Command(os.Args[0], "-test.run=^TestFakeTutor$", "-test.count=1")
	tutor.Env = append(os.Environ(), "FAKE_TUTOR_MODULE="+mod, "LEAVER_PIDS="+pidFile, "LEAVER_HANG=1")
	if err := tutor.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- tutor.Wait() }()
	t.Cleanup(func() { tutor.Process.Kill() })

	// Building the learner's test takes a while; the PID file says it runs.
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the tutor ended before the learner's test started: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the learner's test never started")
		}
	}
	pids := readPIDs(t, pidFile)
	t.Cleanup(func() { killAll(pids) })
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("process %d is not running before the tutor is killed", pid)
		}
	}

	if err := tutor.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	// Nothing signals their end to this test: look until they are gone,
	// for far longer than it takes.
	for _, pid := range pids {
		for deadline := time.Now().Add(30 * time.Second); alive(pid); {
			if time.Now().After(deadline) {
				t.Fatalf("process %d still runs 30s after the tutor was killed", pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// TestFakeTutor is the tutor for TestRunKillsEverythingWhenTheTutorDies:
// it checks $FAKE_TUTOR_MODULE and waits to be killed.
func TestFakeTutor(t *testing.T) {
	mod := os.Getenv("FAKE_TUTOR_MODULE")
	if mod == "" {
		t.Skip("run by TestRunKillsEverythingWhenTheTutorDies")
	}
	_, _, err := run(context.Background(), mod, "go", "test", "-count=1", ".")
	t.Fatalf("the check ended before the tutor was killed: %v", err)
}

// Without the reaper (where the tutor cannot start itself again), a check
// still kills what is left in go test's process group when it ends.
func TestGroupCommandKillsTheGroup(t *testing.T) {
	mod := filepath.Join(module(t, leaver), "ex")
	pidFile := filepath.Join(t.TempDir(), "pids")
	t.Setenv("LEAVER_PIDS", pidFile)
	path, err := exec.LookPath("go")
	if err != nil {
		t.Skip(err)
	}
	cmd, cleanup, _ := groupCommand(context.Background(), path, []string{"test", "-count=1", "."})
	cmd.Dir = mod
	err = cmd.Run()
	cleanup()
	if err != nil {
		t.Fatalf("go test: %v", err)
	}
	pids := readPIDs(t, pidFile)
	t.Cleanup(func() { killAll(pids) })
	// The kill is asynchronous: the sleep in the group dies soon after.
	for deadline := time.Now().Add(30 * time.Second); alive(pids[0]); {
		if time.Now().After(deadline) {
			t.Fatalf("process %d, in go test's group, still runs after the check", pids[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A command the reaper cannot start is reported as exec reports it.
func TestRunWithoutTheCommand(t *testing.T) {
	_, _, err := run(context.Background(), t.TempDir(), "no-such-go-command")
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("err = %v, want exec.ErrNotFound", err)
	}
}

// A test that prints without end is stopped at maxOutput with a verdict
// that says so, and go test's own memory stays bounded: it keeps a copy of
// all the output of its test binary, so a 256 MiB flood took it to about
// 1 GB before run stopped it.
func TestRunStopsAnOutputFlood(t *testing.T) {
	mod := module(t, `package ex

import (
	"os"
	"strings"
	"testing"
)

func TestFlood(t *testing.T) {
	line := strings.Repeat("x", 1023) + "\n"
	for range 256 << 10 { // 256 MiB
		os.Stdout.WriteString(line)
	}
}
`)
	// Build once first, so that the measured run's peak is not the
	// compiler's on a cold cache.
	if _, _, err := run(context.Background(), filepath.Join(mod, "ex"), "go", "vet", "."); err != nil {
		t.Fatalf("go vet: %v", err)
	}
	var maxRSS int64 // KiB
	lim := defaultLimits()
	lim.exited = func(ps *os.ProcessState) {
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			maxRSS = ru.Maxrss
		}
	}
	withLimits(t, lim)
	res := checkModule(t, mod)
	if res.Passed || !strings.Contains(res.Message, "printed more than 16 MiB") {
		t.Errorf("Result %+v: want a failure saying the output limit was reached", res)
	}
	if res.Hint != "the lesson's hint" {
		t.Errorf("Hint = %q, want the lesson's", res.Hint)
	}
	// go test's baseline is under 100 MB, and 16 MiB of output costs it
	// about 60 MB; 256 MiB cost it 900.
	t.Logf("peak memory of the check's processes: %d MiB", maxRSS>>10)
	if maxRSS == 0 || maxRSS > 400<<10 {
		t.Errorf("the check's processes peaked at %d MiB, want under 400", maxRSS>>10)
	}
}
