package apptests_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
	async "github.com/bgtasks/tutorial/lessons/02-async"
)

// TestWelcomeMailOverLoopback tests lesson 02's app, which sends its mail
// over SMTP to a server on loopback. Real network I/O has no place in a
// synctest bubble, so this test runs on the real clock: it takes the
// response, waits for the runner, and then reads the mail server's outbox.
func TestWelcomeMailOverLoopback(t *testing.T) {
	dir := t.TempDir()
	mail, err := async.StartMailServer(async.MailServerConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer mail.Close()
	runner := bgtasks.New()
	srv := httptest.NewServer(async.NewApp(runner, async.Mailer{Addr: mail.Addr(), From: "welcome@example.com"}))
	defer srv.Close()

	resp, err := srv.Client().Post(srv.URL+"/register", "application/json",
		strings.NewReader(`{"email": "ada@example.com", "name": "Ada"}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d, want 201", resp.StatusCode)
	}

	runner.Wait()

	got, err := os.ReadFile(filepath.Join(dir, "outbox", "ada@example.com.eml"))
	if err != nil {
		t.Fatalf("no mail for ada@example.com: %v", err)
	}
	for _, want := range []string{"From: welcome@example.com\n", "To: ada@example.com\n", "Subject: Welcome, Ada!\n", "\nHi Ada,\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the mail lacks %q:\n%s", want, got)
		}
	}
}
