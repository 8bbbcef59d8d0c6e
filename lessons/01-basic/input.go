package basic

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"unicode"

	"github.com/bgtasks/tutorial/lessons/internal/httpjson"
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

// decodeJSON reads the request's JSON body into v and returns the status to
// answer a refusal with. It reads strictly: only a body sent as
// application/json, which a page on another site cannot send without the
// browser first asking this server (a CORS preflight it never answers); at
// most maxBody bytes; one object, and only v's fields, spelt exactly as
// their tags spell them, each once.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) (int, error) {
	return httpjson.Decode(w, r, v, maxBody)
}
