package site

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

// A change is what the learner has to do to one file of an exercise: the
// starter made into the solution, as a unified diff.
type change struct {
	File string // the starter's name in the exercise folder, such as "exercise.go"
	Diff string // without the diff's header lines
}

// solutionChanges compares each Go file of a lesson's solution with the
// starter it solves: the starter of the same name, or the one starter left
// when each folder has one file more (solution.go solves exercise.go). A
// solution file with no starter is shown whole, as a new file; one that
// differs from its starter only in its package clause is left out.
func solutionChanges(l tour.Lesson) ([]change, error) {
	starters := l.Starter()
	solved, err := solutionFiles(l.Slug)
	if err != nil {
		return nil, err
	}
	pairs := map[string]string{} // solution file -> starter file
	var loneSolved, loneStarters []string
	for _, f := range solved {
		if slices.Contains(starters, f) {
			pairs[f] = f
		} else {
			loneSolved = append(loneSolved, f)
		}
	}
	for _, f := range starters {
		if !slices.Contains(solved, f) {
			loneStarters = append(loneStarters, f)
		}
	}
	if len(loneSolved) == 1 && len(loneStarters) == 1 {
		pairs[loneSolved[0]] = loneStarters[0]
	}
	var changes []change
	for _, f := range solved {
		after, err := fs.ReadFile(lessons.Files(), l.Slug+"/solution/"+f)
		if err != nil {
			return nil, err
		}
		starter, ok := pairs[f]
		if !ok {
			changes = append(changes, change{File: f, Diff: stripHeader(diff.Diff(f, nil, f, after))})
			continue
		}
		before, err := fs.ReadFile(lessons.Files(), l.Slug+"/exercise/"+starter)
		if err != nil {
			return nil, err
		}
		after, err = withHeaderOf(before, after)
		if err != nil {
			return nil, fmt.Errorf("%s/solution/%s: %w", l.Slug, f, err)
		}
		if d := diff.Diff(starter, before, starter, after); d != nil {
			changes = append(changes, change{File: starter, Diff: stripHeader(d)})
		}
	}
	return changes, nil
}

// withHeaderOf gives the solution the starter's package doc and clause: the
// two packages differ in name and doc by design, which is nothing the
// learner has to change.
func withHeaderOf(starter, solution []byte) ([]byte, error) {
	s, err := headerEnd(starter)
	if err != nil {
		return nil, err
	}
	e, err := headerEnd(solution)
	if err != nil {
		return nil, err
	}
	return append(append([]byte(nil), starter[:s]...), solution[e:]...), nil
}

// headerEnd is the offset just past the line of src's package clause.
func headerEnd(src []byte) (int, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.PackageClauseOnly)
	if err != nil {
		return 0, err
	}
	end := fset.Position(f.Name.End()).Offset
	if nl := bytes.IndexByte(src[end:], '\n'); nl >= 0 {
		return end + nl + 1, nil
	}
	return len(src), nil
}

// stripHeader drops the "diff", "---" and "+++" lines that start a unified
// diff: the page names the file in the block's caption.
func stripHeader(d []byte) string {
	s := string(d)
	for range 3 {
		_, s, _ = strings.Cut(s, "\n")
	}
	return s
}

// solutionFiles lists the Go files of a lesson's solution, as
// tour.Lesson.Starter lists the starter's: all but the check's own test.
func solutionFiles(slug string) ([]string, error) {
	entries, err := fs.ReadDir(lessons.Files(), slug+"/solution")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && path.Ext(e.Name()) == ".go" && e.Name() != "check_test.go" {
			files = append(files, e.Name())
		}
	}
	return files, nil
}
