package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

// checkCmd checks one exercise, or all of them in order, and reports each
// outcome; it fails if any check does not pass.
func checkCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "show go test's output for a check that fails")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, rest, 1, "LESSON (or all)"); err != nil {
		return err
	}
	all := rest[0] == "all"
	ls := tour.All()
	if !all {
		l, err := tour.Find(rest[0])
		if err != nil {
			return usageError{err.Error()}
		}
		ls = []tour.Lesson{l}
	}
	root, err := lessons.Root()
	if err != nil {
		return fmt.Errorf("check reads your exercise code from the tutorial's folder: %v; cd into your copy of the tutorial and try again", err)
	}

	passed := 0
	for i, l := range ls {
		prefix := l.Slug + " ... "
		if all {
			prefix = fmt.Sprintf("[%d/%d] %s", i+1, len(ls), prefix)
		}
		fmt.Fprint(stdout, prefix)
		res, err := check.Run(ctx, root, l.Exercise())
		if ctx.Err() != nil {
			fmt.Fprintln(stdout, "interrupted")
			return errors.New("interrupted")
		}
		report(stdout, l, res, err, *verbose)
		if err == nil && res.Passed {
			passed++
		}
	}
	if all {
		fmt.Fprintf(stdout, "%d of %d exercises pass.\n", passed, len(ls))
	}
	if passed < len(ls) {
		return errFailed
	}
	return nil
}

// report finishes a check's line and explains a failure below it.
func report(w io.Writer, l tour.Lesson, res check.Result, err error, verbose bool) {
	took := res.Took.Round(100 * time.Millisecond)
	switch {
	case err != nil:
		fmt.Fprintf(w, "error\n%s\n", indent(err.Error()))
		return
	case res.Passed:
		fmt.Fprintf(w, "ok (%s)\n", took)
		return
	}
	fmt.Fprintf(w, "FAIL (%s)\n", took)
	msg := res.Message
	if res.Step != "" {
		msg = "step " + res.Step + ": " + msg
	}
	fmt.Fprintln(w, indent(msg))
	if res.Hint != "" {
		fmt.Fprintln(w, indent("hint: "+res.Hint))
	}
	if verbose && res.Output != "" {
		fmt.Fprintf(w, "  go test said:\n%s\n", indent(indent(res.Output)))
	}
	fmt.Fprintf(w, "  Edit %s/exercise, then run: tutor check %02d\n", l.Dir(), l.Number)
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
