package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

// listCmd prints every lesson with what can be known of its exercise
// without running it: the TODO markers left in its code. With -check it
// runs the checks too.
func listCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	runChecks := fs.Bool("check", false, "run each exercise's check (slower)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, rest, 0, ""); err != nil {
		return err
	}
	root, rootErr := lessons.Root()
	if rootErr != nil && *runChecks {
		return fmt.Errorf("list -check: %v", rootErr)
	}

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	header := "#\tLESSON\tTITLE\tEXERCISE"
	if *runChecks {
		header += "\tCHECK"
	}
	fmt.Fprintln(tw, header)
	for _, l := range tour.All() {
		status := "?"
		if rootErr == nil {
			status = todoStatus(filepath.Join(root, filepath.FromSlash(l.Dir()), "exercise"))
		}
		line := fmt.Sprintf("%d\t%s\t%s\t%s", l.Number, l.Slug, l.Title, status)
		if *runChecks {
			res, err := check.Run(ctx, root, l.Exercise())
			if ctx.Err() != nil {
				return ctx.Err()
			}
			line += "\t" + verdict(res, err)
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rootErr != nil {
		fmt.Fprintf(stdout, "\nExercise status unknown: %v.\n", rootErr)
	}
	return nil
}

// todoStatus counts the TODO markers left in an exercise's code: the
// starter marks each place to change with one.
func todoStatus(dir string) string {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		return "missing"
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return "unreadable"
		}
		n += strings.Count(string(b), "TODO")
	}
	switch n {
	case 0:
		return "no TODO left"
	case 1:
		return "1 TODO left"
	}
	return fmt.Sprintf("%d TODOs left", n)
}

// verdict says in a few words how a check went.
func verdict(res check.Result, err error) string {
	switch {
	case err != nil:
		return "could not run"
	case res.Passed:
		return "passes"
	case res.Step != "":
		return "fails at step " + res.Step
	}
	return "fails"
}
