package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
	"github.com/bgtasks/tutorial/lessons"
)

// learnEnv names the variable that puts the learner's workspace somewhere
// other than learn/ in the repository: tests use it to leave a real
// learner's work alone.
const learnEnv = "TUTOR_LEARN"

// openWorkspace finds the repository from the working directory, and the
// learner's workspace in it, whose go.mod it repairs if need be. cmd names
// the command that needs them, for the error.
func openWorkspace(cmd string, stderr io.Writer) (*workspace.Workspace, error) {
	root, err := lessons.Root()
	if err != nil {
		return nil, fmt.Errorf("%s reads your exercise code from the tutorial's folder: %w; cd into your copy of the tutorial and try again", cmd, err)
	}
	ws, err := workspace.New(root, os.Getenv(learnEnv))
	if err != nil {
		return nil, err
	}
	if err := ws.Repair(); err != nil {
		fmt.Fprintf(stderr, "tutor: warning: %v\n", err)
	}
	return ws, nil
}

// checkAndRecord checks the learner's copy of l's exercise, saying so if it
// had to be made first, and keeps the verdict in the record of progress.
// An interrupted check records nothing: it said nothing of the code.
//
// prefix starts the check's line once the folder is ready: its first
// words, printed before the check runs, so that a slow check shows what it
// is doing.
func checkAndRecord(ctx context.Context, ws *workspace.Workspace, l tour.Lesson, stdout, stderr io.Writer, prefix string) (check.Result, error) {
	if made, err := l.Prepare(ws); err != nil {
		fmt.Fprint(stdout, prefix)
		return check.Result{Lesson: l.Slug}, fmt.Errorf("checking %s: %w", l.Slug, err)
	} else if made {
		fmt.Fprintf(stdout, "Made %s from the lesson's starter: your code goes there.\n", ws.Show(l.Slug))
	}
	fmt.Fprint(stdout, prefix)
	res, err := l.Check(ctx, ws)
	if ctx.Err() != nil {
		return res, err
	}
	if recErr := ws.Record(l.Slug, tour.Verdict(res, err, time.Now())); recErr != nil {
		fmt.Fprintf(stderr, "tutor: the verdict was not recorded: %v\n", recErr)
	}
	return res, err
}

// hintsSeen returns how many of l's hints the learner has asked for, as the
// record says; 0 if it says nothing.
func hintsSeen(ws *workspace.Workspace, l tour.Lesson) int {
	p, _ := ws.Progress()
	return min(p[l.Slug].HintsSeen, len(l.Hints()))
}
