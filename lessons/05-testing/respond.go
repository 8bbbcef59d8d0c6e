package apptests

import (
	"encoding/json"
	"net/http"
	"net/mail"
	"strconv"
)

// validEmail accepts a bare address such as ada@example.com, and nothing
// with a display name, spaces or angle brackets.
func validEmail(s string) bool {
	if len(s) > 254 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// writeJSON sends v as JSON with status and its Content-Length, so that a
// client knows it has the whole response when the last byte arrives, even
// from a handler that flushes before its tasks have run.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a client that has gone cannot be told
}
