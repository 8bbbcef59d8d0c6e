//go:build unix

package async_test

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServerDrainsOnSIGTERM builds server.go, the lesson's main, registers
// a user whose welcome mail takes two seconds, sends SIGTERM while the mail
// is in flight, and checks that the program stops taking requests, delivers
// the mail, counts it completed and exits 0.
func TestServerDrainsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "server")
	if out, err := exec.Command("go", "build", "-o", bin, "server.go").CombinedOutput(); err != nil {
		t.Fatalf("go build server.go: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-dir", tmp, "-mail-latency", "2s")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var log []string
	next := func(want string) string {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("the server's log ended before %q:\n%s", want, strings.Join(log, "\n"))
				}
				log = append(log, l)
				if strings.Contains(l, want) {
					return l
				}
			case <-timeout:
				t.Fatalf("no %q in the server's log:\n%s", want, strings.Join(log, "\n"))
			}
		}
	}
	_, url, _ := strings.Cut(next("listening on "), "listening on ")

	resp, err := http.Post(url+"/register", "application/json", strings.NewReader(`{"email":"ada@example.com","name":"Ada"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /register: %s", resp.Status)
	}
	mail := filepath.Join(tmp, "outbox", "ada@example.com.eml")
	if _, err := os.Stat(mail); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the mail was delivered before SIGTERM (%v): nothing left to drain", err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	next("shutting down")
	last := next("stopped: ")
	for range lines { // the rest, if any, until stderr closes
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("the server exited with %v, want 0:\n%s", err, strings.Join(log, "\n"))
	}
	if !strings.HasSuffix(last, "stopped: {Queued:1 Running:0 Completed:1 Failed:0 Abandoned:0}") {
		t.Errorf("last line %q, want the mail completed", last)
	}
	if _, err := os.Stat(mail); err != nil {
		t.Errorf("the mail in flight at SIGTERM was not delivered: %v", err)
	}

	// The server stopped taking requests before it exited.
	if resp, err := http.Post(url+"/register", "application/json", strings.NewReader(`{"email":"grace@example.com","name":"Grace"}`)); err == nil {
		resp.Body.Close()
		t.Error("the stopped server still answered")
	}
}
