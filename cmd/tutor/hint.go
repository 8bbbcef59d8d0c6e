package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/bgtasks/tutorial/internal/tour"
)

// hintCmd shows one of a lesson's hints: the next the learner has not read,
// or the one asked for. The hints go from a nudge to nearly the answer, so
// they come one at a time, and the record remembers how far the learner
// has read.
func hintCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hint", flag.ContinueOnError)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("hint: missing LESSON")
	}
	if len(rest) > 2 {
		return usagef("hint: unexpected argument %q", rest[2])
	}
	l, err := tour.Find(rest[0])
	if err != nil {
		return usageError{err.Error()}
	}
	hints := l.Hints()
	if len(hints) == 0 {
		fmt.Fprintf(stdout, "Lesson %s has no hints.\n", l.Slug)
		return nil
	}
	n := 0 // the next unread
	if len(rest) == 2 {
		n, err = strconv.Atoi(rest[1])
		if err != nil || n < 1 || n > len(hints) {
			return usagef("hint: lesson %s has hints 1 to %d, not %q", l.Slug, len(hints), rest[1])
		}
	}
	// Outside the repository the hints can be read but not remembered.
	ws, wsErr := openWorkspace("hint", stderr)
	if n == 0 {
		n = 1
		if wsErr == nil {
			n = min(hintsSeen(ws, l)+1, len(hints))
		}
	}
	fmt.Fprintf(stdout, "Hint %d of %d for %s:\n%s\n", n, len(hints), l.Slug, indent(plainText(hints[n-1])))
	if n < len(hints) {
		fmt.Fprintf(stdout, "The next: %s hint %02d %d\n", self, l.Number, n+1)
	} else {
		fmt.Fprintf(stdout, "That is the last hint. The solution is in %s/solution, and on the lesson's page.\n", l.Dir())
	}
	if wsErr == nil {
		if err := ws.SawHint(l.Slug, n); err != nil {
			fmt.Fprintf(stderr, "tutor: which hints you have read was not recorded: %v\n", err)
		}
	}
	return nil
}
