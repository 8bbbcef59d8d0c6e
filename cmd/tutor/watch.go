package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
)

// watchCmd checks an exercise now and again whenever its files are saved,
// until Ctrl-C, as rustlings' watch does. Without a lesson it starts at the
// first exercise not passed and moves on to the next each time one passes.
func watchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return usagef("watch: unexpected argument %q", rest[1])
	}
	var only *tour.Lesson
	if len(rest) == 1 {
		l, err := tour.Find(rest[0])
		if err != nil {
			return usageError{err.Error()}
		}
		only = &l
	}
	ws, err := openWorkspace("watch", stderr)
	if err != nil {
		return err
	}
	// Ctrl-C is how a watch ends: it is no failure.
	if only != nil {
		watchLesson(ctx, ws, *only, false, stdout, stderr)
		fmt.Fprintln(stdout, "Stopped watching.")
		return nil
	}
	for {
		l, ok := firstNotPassed(ws)
		if !ok {
			fmt.Fprintln(stdout, "Every exercise passes. Well done!")
			return nil
		}
		if !watchLesson(ctx, ws, l, true, stdout, stderr) {
			fmt.Fprintln(stdout, "Stopped watching.")
			return nil
		}
		fmt.Fprintf(stdout, "%s passes.\n\n", l.Slug)
	}
}

// firstNotPassed returns the first lesson whose exercise does not pass by
// the record.
func firstNotPassed(ws *workspace.Workspace) (tour.Lesson, bool) {
	p, _ := ws.Progress()
	for _, l := range tour.All() {
		if ws.State(l.Slug, p) != workspace.Passed {
			return l, true
		}
	}
	return tour.Lesson{}, false
}

// watchLesson checks l now and after every save until ctx ends, or, with
// untilPassed, until l passes; it reports whether l passed.
func watchLesson(ctx context.Context, ws *workspace.Workspace, l tour.Lesson, untilPassed bool, out, stderr io.Writer) (passed bool) {
	// The folder is made before the watch begins, or its making would
	// look like a save.
	if made, err := l.Prepare(ws); err != nil {
		fmt.Fprintf(out, "%s ... error\n%s\n", l.Slug, indent(err.Error()))
	} else if made {
		fmt.Fprintf(out, "Made %s from the lesson's starter: your code goes there.\n", ws.Show(l.Slug))
	}
	fmt.Fprintf(out, "Watching %s: each save checks it again (Ctrl-C stops).\n", strings.Join(l.LearnerFiles(ws), " and "))

	lessonCtx, stop := context.WithCancel(ctx)
	defer stop()
	changes := workspace.Changes(lessonCtx, ws.Path(l.Slug), workspace.PollEvery)
	checkOnce := func(ctx context.Context) {
		res, err := checkAndRecord(ctx, ws, l, out, stderr, "\n"+l.Slug+" ... ")
		if ctx.Err() != nil {
			fmt.Fprintln(out, "stopped")
			return
		}
		report(out, ws, l, res, err, false)
		if err == nil && res.Passed {
			passed = true
			if untilPassed {
				stop()
			}
		} else {
			passed = false
		}
	}
	checkOnce(lessonCtx)
	workspace.Loop(lessonCtx, changes, workspace.Settle, checkOnce)
	return passed && ctx.Err() == nil
}
