package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
)

// listCmd prints every lesson with where its exercise stands, as the record
// of progress says; with -check it checks each first.
func listCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	runChecks := fs.Bool("check", false, "check each exercise first (slower)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, rest, 0, ""); err != nil {
		return err
	}
	ws, wsErr := openWorkspace("list", stderr)
	if wsErr != nil && *runChecks {
		return wsErr
	}
	if *runChecks {
		for _, l := range tour.All() {
			_, _ = checkAndRecord(ctx, ws, l, io.Discard, stderr, "")
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	var progress workspace.Progress
	var progressErr error
	if wsErr == nil {
		progress, progressErr = ws.Progress()
	}

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tLESSON\tTITLE\tEXERCISE")
	passed := 0
	var next *tour.Lesson
	for _, l := range tour.All() {
		status := "?"
		if wsErr == nil {
			status = describe(ws, l, progress)
			if ws.State(l.Slug, progress) == workspace.Passed {
				passed++
			} else if next == nil {
				next = &l
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", l.Number, l.Slug, l.Title, status)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if wsErr != nil {
		why := errors.Unwrap(wsErr) // the reason, without check's advice
		if why == nil {
			why = wsErr
		}
		fmt.Fprintf(stdout, "\nExercise status unknown: %v.\n", why)
		return nil
	}
	if progressErr != nil {
		fmt.Fprintf(stdout, "\n%v.\n", progressErr)
	}
	fmt.Fprintf(stdout, "\nYour code is in %s/. %d of %d exercises pass.", ws.Show(), passed, len(tour.All()))
	if next != nil {
		fmt.Fprintf(stdout, " Next: %s check %02d", self, next.Number)
	}
	fmt.Fprintln(stdout)
	return nil
}

// describe says in a few words where l's exercise stands.
func describe(ws *workspace.Workspace, l tour.Lesson, p workspace.Progress) string {
	r := p[l.Slug]
	switch ws.State(l.Slug, p) {
	case workspace.Passed:
		return "✓ passed"
	case workspace.Failing:
		s := "not passing yet"
		if r.Last.Step != "" {
			s = "failing at step " + r.Last.Step
		}
		if !r.PassedAt.IsZero() {
			s += " (it passed before)"
		}
		return s
	case workspace.Started:
		return "started, not checked yet"
	}
	return "not started"
}
