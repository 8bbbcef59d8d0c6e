package check

import (
	"context"
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
