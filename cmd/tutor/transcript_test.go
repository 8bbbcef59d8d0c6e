package main

import (
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// patience bounds how long a test waits for output that must come. It only
// turns a hang into a failure: no verdict depends on it.
const patience = 2 * time.Minute

// transcript is an io.Writer for a command running in the background that
// a test can wait on: wait blocks until the output, past what earlier
// waits matched, matches a pattern.
type transcript struct {
	mu      sync.Mutex
	buf     strings.Builder
	read    int           // where the next wait looks from
	changed chan struct{} // closed and replaced at each write
}

func newTranscript() *transcript { return &transcript{changed: make(chan struct{})} }

func (tr *transcript) Write(p []byte) (int, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.buf.Write(p)
	close(tr.changed)
	tr.changed = make(chan struct{})
	return len(p), nil
}

func (tr *transcript) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.buf.String()
}

// wait returns the first match of pattern after the last wait's match, and
// moves past it.
func (tr *transcript) wait(t *testing.T, pattern string) string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(patience)
	for {
		tr.mu.Lock()
		rest := tr.buf.String()[tr.read:]
		changed := tr.changed
		if loc := re.FindStringIndex(rest); loc != nil {
			tr.read += loc[1]
			tr.mu.Unlock()
			return rest[loc[0]:loc[1]]
		}
		tr.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("no output matching %q within %s; the output so far:\n%s", pattern, patience, tr.String())
		}
	}
}
