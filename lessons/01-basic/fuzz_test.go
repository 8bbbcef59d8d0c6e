package basic

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/bgtasks/tutorial/bgtasks"
)

// FuzzSendNotification sends any address and body to the endpoint. Whatever
// they are, the answer is a JSON object; a refusal is a 4xx with an error
// and leaves log.txt untouched; and an accepted notification writes exactly
// the two lines the lesson promises, with the address as given and the
// message as encoding/json reads it, so no input forges a line.
// The seed corpus is in testdata/fuzz/FuzzSendNotification.
func FuzzSendNotification(f *testing.F) {
	f.Add("ada@example.com", `{"message":"Your order has shipped"}`)
	f.Add("ada@example.com", `{"Message":"hi"}`)
	f.Fuzz(func(t *testing.T, email, body string) {
		dir := t.TempDir()
		runner := bgtasks.New(bgtasks.Synchronous(), bgtasks.WithLogger(slog.New(slog.DiscardHandler)))
		app := runner.Middleware(NewApp(dir, func(context.Context, string, string) error { return nil }))
		req := httptest.NewRequest("POST", "/send-notification/"+url.PathEscape(email), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req) // Synchronous: the tasks have run when it returns

		if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			// A path the router does not take to the endpoint: no address,
			// or one it cleans, such as "..". It answers in plain text.
			if rec.Code != http.StatusNotFound && (rec.Code < 300 || rec.Code > 399) {
				t.Errorf("POST %s: %d %q, want JSON, or the router's 404 or a redirect", req.URL.Path, rec.Code, rec.Body)
			}
			if n := runner.Stats().Queued; n != 0 {
				t.Errorf("POST %s: %d tasks queued for a request the endpoint never saw", req.URL.Path, n)
			}
			return
		}
		var reply map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil {
			t.Fatalf("%d %q: the reply is not a JSON object of strings: %v", rec.Code, rec.Body, err)
		}
		log, err := os.ReadFile(filepath.Join(dir, "log.txt"))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if rec.Code != http.StatusAccepted {
			if rec.Code < 400 || rec.Code > 499 || reply["error"] == "" {
				t.Errorf("refused with %d %v: want a 4xx and an error", rec.Code, reply)
			}
			if len(log) > 0 {
				t.Errorf("a refused request wrote log.txt: %q", log)
			}
			return
		}
		var in struct{ Message string }
		if err := json.Unmarshal([]byte(body), &in); err != nil || !json.Valid([]byte(body)) {
			t.Fatalf("accepted a body encoding/json cannot read: %q", body)
		}
		checkKeys(t, topKeys(t, body), "message")
		if _, err := parseEmail(email); err != nil {
			t.Fatalf("accepted the address %q: %v", email, err)
		}
		want := "notification for " + email + ": " + in.Message + "\nemail sent to " + email + "\n"
		if string(log) != want {
			t.Errorf("log.txt = %q, want %q", log, want)
		}
	})
}

// FuzzParseMessage checks what parseMessage promises: what it accepts is
// returned as it came, is not blank, has no control characters and is at
// most maxMessage characters; what it refuses, it says why.
func FuzzParseMessage(f *testing.F) {
	f.Add("Your order has shipped")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseMessage(s)
		if err != nil {
			if got != "" || !strings.HasPrefix(err.Error(), `"message" `) {
				t.Errorf("parseMessage(%q) = %q, %v: want \"\" and an error about \"message\"", s, got, err)
			}
			return
		}
		if got != s || strings.TrimSpace(s) == "" || strings.ContainsFunc(s, unicode.IsControl) || len([]rune(s)) > maxMessage {
			t.Errorf("parseMessage accepted %q as %q", s, got)
		}
	})
}

// topKeys returns the keys of the JSON object in body, in order, repeats
// included.
func topKeys(t *testing.T, body string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("accepted %q, which is not a JSON object", body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// checkKeys fails the test unless keys are among want, each at most once.
func checkKeys(t *testing.T, keys []string, want ...string) {
	t.Helper()
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] || !slices.Contains(want, k) {
			t.Errorf("accepted the keys %q: want only %q, spelt so, each once", keys, want)
			return
		}
		seen[k] = true
	}
}
