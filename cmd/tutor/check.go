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
	"github.com/bgtasks/tutorial/internal/workspace"
)

// checkCmd checks one exercise, or all of them in order, and reports each
// outcome; it fails if any check does not pass.
func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
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
	ws, err := openWorkspace("check", stderr)
	if err != nil {
		return err
	}

	passed := 0
	for i, l := range ls {
		prefix := l.Slug + " ... "
		if all {
			prefix = fmt.Sprintf("[%d/%d] %s", i+1, len(ls), prefix)
		}
		res, err := checkAndRecord(ctx, ws, l, stdout, stderr, prefix)
		if ctx.Err() != nil {
			fmt.Fprintln(stdout, "interrupted")
			return errors.New("interrupted")
		}
		report(stdout, ws, l, res, err, *verbose)
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
	if !all {
		if next, ok := nextLesson(ls[0]); ok {
			fmt.Fprintf(stdout, "Next: lesson %s. Edit %s, then run: %s check %02d\n",
				next.Slug, strings.Join(next.LearnerFiles(ws), " and "), self, next.Number)
		}
	}
	return nil
}

// nextLesson returns the lesson after l, if there is one.
func nextLesson(l tour.Lesson) (tour.Lesson, bool) {
	all := tour.All()
	for i := range all {
		if all[i].Slug == l.Slug && i+1 < len(all) {
			return all[i+1], true
		}
	}
	return tour.Lesson{}, false
}

// report finishes a check's line and, below it, explains a failure in the
// learner's terms: what is wrong, the check's own hint, the file to edit
// and the command to check again, and where the next of the lesson's hints
// is. It never prints one of the lesson's hints: those are asked for.
func report(w io.Writer, ws *workspace.Workspace, l tour.Lesson, res check.Result, err error, verbose bool) {
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
		fmt.Fprintln(w, indent("hint: "+plainText(res.Hint)))
	}
	if verbose && res.Output != "" {
		fmt.Fprintf(w, "  go test said:\n%s\n", indent(indent(res.Output)))
	}
	fmt.Fprintf(w, "  Edit %s, then run: %s check %02d\n", strings.Join(l.LearnerFiles(ws), " and "), self, l.Number)
	if !ws.Exists(l.Slug) || len(ws.Missing(l.Slug, l.Starter())) > 0 {
		fmt.Fprintf(w, "  To start again from the starter: %s reset %02d\n", self, l.Number)
	}
	switch hints, seen := len(l.Hints()), hintsSeen(ws, l); {
	case hints == 0:
	case seen < hints:
		fmt.Fprintf(w, "  Stuck? %s hint %02d shows hint %d of %d.\n", self, l.Number, seen+1, hints)
	default:
		fmt.Fprintf(w, "  You have read all %d hints (%s hint %02d N shows hint N again); the solution is in %s/solution.\n",
			hints, self, l.Number, l.Dir())
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
