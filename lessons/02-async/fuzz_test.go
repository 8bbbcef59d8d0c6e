package async

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// FuzzDecodeRegistration reads any body as a registration. A refusal is a
// 4xx with a reason; an accepted registration is what encoding/json reads
// from the body, with a bare address and a trimmed name of 1 to 100
// characters, and the welcome mail made from it has exactly its four
// header lines: no input injects a header.
// The seed corpus is in testdata/fuzz/FuzzDecodeRegistration.
func FuzzDecodeRegistration(f *testing.F) {
	f.Add(`{"email":"ada@example.com","name":"Ada"}`)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/register", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		reg, status, err := decodeRegistration(httptest.NewRecorder(), req)
		if err != nil {
			if status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge || err.Error() == "" {
				t.Errorf("refused with %d %q: want 400 or 413 and a reason", status, err)
			}
			return
		}
		var in struct{ Email, Name string }
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			t.Fatalf("accepted a body encoding/json cannot read: %q", body)
		}
		checkKeys(t, topKeys(t, body), "email", "name")
		if reg.Email != in.Email || reg.Name != strings.TrimSpace(in.Name) {
			t.Errorf("read %+v from %q, want %+v with the name trimmed", reg, body, in)
		}
		if a, err := mail.ParseAddress(reg.Email); err != nil || a.Address != reg.Email || a.Name != "" {
			t.Errorf("accepted the address %q", reg.Email)
		}
		if reg.Name == "" || len(reg.Name) > 100 || reg.Name != strings.TrimSpace(reg.Name) || strings.ContainsFunc(reg.Name, unicode.IsControl) {
			t.Errorf("accepted the name %q", reg.Name)
		}
		// The mail handleRegister sends: its header lines are its own.
		msg := Message{To: reg.Email, Subject: "Welcome, " + reg.Name + "!", Body: "Hi " + reg.Name + ",\n"}
		head, _, ok := strings.Cut(string(msg.bytes("welcome@example.com")), "\r\n\r\n")
		lines := strings.Split(head, "\r\n")
		if !ok || len(lines) != 4 || strings.ContainsAny(strings.Join(lines, ""), "\r\n") ||
			!strings.HasPrefix(lines[0], "From: ") || !strings.HasPrefix(lines[1], "To: ") ||
			!strings.HasPrefix(lines[2], "Subject: ") || !strings.HasPrefix(lines[3], "Content-Type: ") {
			t.Errorf("the mail's header for %+v is %q: want exactly From, To, Subject and Content-Type", reg, head)
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
