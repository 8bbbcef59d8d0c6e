package basic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
)

// Limits on what a client may send. Anything queued is held in memory
// until its task runs, so the app decides how much it accepts.
const (
	maxBody    = 4 << 10 // bytes of JSON
	maxMessage = 500     // characters of a message
	maxEmail   = 254     // characters of an address (RFC 5321)
)

// parseEmail accepts a bare address such as ada@example.com, not a display
// name such as "Ada <ada@example.com>".
func parseEmail(s string) (string, error) {
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || len(s) > maxEmail {
		return "", fmt.Errorf("invalid email address %q", s)
	}
	return s, nil
}

// parseMessage refuses empty messages and control characters: a newline in a
// message would forge a second line in log.txt.
func parseMessage(s string) (string, error) {
	switch {
	case strings.TrimSpace(s) == "":
		return "", errors.New(`"message" is required`)
	case len([]rune(s)) > maxMessage:
		return "", fmt.Errorf(`"message" is longer than %d characters`, maxMessage)
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", errors.New(`"message" must not contain control characters such as newlines`)
	}
	return s, nil
}

// decodeJSON reads one JSON object into v. It refuses bodies over maxBody
// bytes, unknown fields and trailing data, and returns the status to answer
// with.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("body must hold a single JSON object")
	}
	if tooLarge := new(http.MaxBytesError); errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge, fmt.Errorf("body is larger than %d bytes", tooLarge.Limit)
	}
	switch {
	case errors.Is(err, io.EOF):
		return http.StatusBadRequest, errors.New("body must be a JSON object")
	case err != nil:
		return http.StatusBadRequest, fmt.Errorf("invalid JSON body: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return 0, nil
}

// writeJSON sends v with its length set, so the client knows it has the whole
// response as soon as the bytes arrive.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // an API's errors read better with <, > and & as they are
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"internal error"}` + "\n")
	}
	b := buf.Bytes()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a client that has gone cannot be told
}

// writeError answers {"error": "..."}.
func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
