// Package scenario runs a lesson's app on loopback, drives it with the
// lesson's requests, and records what happened as a timeline of events: each
// request and response, each task's steps, and the files the app wrote. The
// tutor prints the timeline; the site draws it.
package scenario

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Kinds of Event. Task kinds match bgtasks.EventKind's names.
const (
	KindRequest   = "request"   // a request was sent
	KindResponse  = "response"  // its response was read in full
	KindQueued    = "queued"    // a task was queued
	KindStarted   = "started"   // a task started
	KindCompleted = "completed" // a task ran to its end without error
	KindFailed    = "failed"    // a task returned an error or panicked
	KindAbandoned = "abandoned" // a task will never run to its end
	KindFile      = "file"      // a file the app wrote, read after the run
	KindLog       = "log"       // a line the app logged
	KindNote      = "note"      // narration from the scenario
)

// An Event is one line of a timeline.
type Event struct {
	At   time.Duration `json:"at"`   // since the scenario started
	Kind string        `json:"kind"` // one of the kinds above
	// ID pairs the events of one span: "req-1" for a request and its
	// response, "task-1.0" for the first task queued by the first request that
	// queued any.
	ID     string        `json:"id,omitempty"`
	Name   string        `json:"name"`             // "POST /register", a task's name, a file's name
	Detail string        `json:"detail,omitempty"` // status and body, an error, a file's contents
	Took   time.Duration `json:"took,omitempty"`   // a response's latency, a task's duration
}

// marks set each kind apart at a glance in a plain-text timeline.
var marks = map[string]string{
	KindRequest: "->", KindResponse: "<-", KindQueued: "+ ", KindStarted: "> ", KindCompleted: "ok",
	KindFailed: "!!", KindAbandoned: "xx", KindFile: "[]", KindLog: "  ", KindNote: "# ",
}

// WriteText writes e as one line of a plain-text timeline.
func WriteText(w io.Writer, e Event) error {
	line := fmt.Sprintf("%9s  %s %-9s %s", formatAt(e.At), marks[e.Kind], e.Kind, e.Name)
	if e.Took > 0 {
		line += fmt.Sprintf(" (%s)", round(e.Took))
	}
	if e.Detail != "" {
		detail := strings.TrimRight(e.Detail, "\n")
		if strings.Contains(detail, "\n") {
			detail = "\n" + indent(detail, strings.Repeat(" ", 16))
		} else {
			detail = ": " + detail
		}
		line += detail
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

func formatAt(d time.Duration) string { return "+" + round(d).String() }

// round keeps timelines readable: microseconds under a millisecond,
// tenths of a millisecond above.
func round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(100 * time.Microsecond)
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
