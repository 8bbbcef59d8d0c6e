package check

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
)

// readLines returns the lines of the file at path.
func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"), nil
}

// describeLines says what readLines found, for a message.
func describeLines(lines []string, err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "nothing (it does not exist)"
	case err != nil:
		return err.Error()
	}
	return quoteAll(lines)
}

// errText is err's text, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// sameSet reports whether a and b hold the same names, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// quoteAll formats names as ["a", "b"].
func quoteAll(s []string) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

// answer describes a response for a message: "200", or "400 {...}" when it
// has a body.
func answer(status int, body string) string {
	if body == "" {
		return strconv.Itoa(status)
	}
	return strconv.Itoa(status) + " " + body
}
