package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bgtasks/tutorial/internal/tour"
)

// resetCmd puts a lesson's starter back in the learner's workspace.
func resetCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("reset", flag.ContinueOnError)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, rest, 1, "LESSON"); err != nil {
		return err
	}
	l, err := tour.Find(rest[0])
	if err != nil {
		return usageError{err.Error()}
	}
	ws, err := openWorkspace("reset", stderr)
	if err != nil {
		return err
	}
	backup, err := l.Reset(ws)
	if backup != "" {
		fmt.Fprintf(stdout, "Moved your files to %s.\n", backup)
	}
	if err != nil {
		return fmt.Errorf("reset %s: %w", l.Slug, err)
	}
	if err := ws.Restart(l.Slug); err != nil {
		fmt.Fprintf(stderr, "tutor: the record of progress was not updated: %v\n", err)
	}
	fmt.Fprintf(stdout, "Put the starter back in %s/. Edit %s, then run: %s check %02d\n",
		ws.Show(l.Slug), strings.Join(l.LearnerFiles(ws), " and "), self, l.Number)
	return nil
}
