package solution

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
)

// TestNotification tests lesson 01's notification app, which
// apptests.NotificationApp(runner, dir) serves. It sends
//
//	POST /send-notification/ada@example.com
//	Content-Type: application/json
//
//	{"message": "Your order has shipped"}
//
// expects 202 Accepted, waits for the request's tasks, and then expects
// dir/log.txt to hold exactly these two lines:
//
//	notification for ada@example.com: Your order has shipped
//	email sent to ada@example.com
func TestNotification(t *testing.T) {
	dir := t.TempDir()
	runner := bgtasks.New() // the default, asynchronous mode, as in production
	srv := httptest.NewServer(apptests.NotificationApp(runner, dir))
	defer srv.Close()

	resp, err := srv.Client().Post(srv.URL+"/send-notification/ada@example.com",
		"application/json", strings.NewReader(`{"message": "Your order has shipped"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d %s, want 202", resp.StatusCode, body)
	}

	// The response is here; the tasks may not have run yet.
	runner.Wait()

	got, err := os.ReadFile(filepath.Join(dir, "log.txt"))
	if err != nil {
		t.Fatalf("log.txt: %v", err)
	}
	want := "notification for ada@example.com: Your order has shipped\n" +
		"email sent to ada@example.com\n"
	if string(got) != want {
		t.Errorf("log.txt holds %q, want %q", got, want)
	}
}
