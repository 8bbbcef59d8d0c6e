package tour

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/workspace"
	"github.com/bgtasks/tutorial/lessons"
)

// checkFile is the check's own test in a lesson's exercise folder. It stays
// in the course: a check adds it to the learner's folder for go test only.
const checkFile = "check_test.go"

// Starter returns the names of the files the learner's copy of l's
// exercise is made of: every Go file of its exercise folder but the check.
// It reads the embedded course, so pages that show it never depend on the
// files on disk.
func (l Lesson) Starter() []string {
	entries, err := fs.ReadDir(lessons.Files(), l.Slug+"/exercise")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && path.Ext(e.Name()) == ".go" && e.Name() != checkFile {
			names = append(names, e.Name())
		}
	}
	return names
}

// LearnerFiles returns the files the learner edits for l, as someone at the
// repository's root names them: learn/01-basic/exercise.go. They are the
// starter's files that mark a place to change with a TODO, as every
// starter does; all of the starter if none does. ws nil means the default
// workspace, as pages name it.
func (l Lesson) LearnerFiles(ws *workspace.Workspace) []string {
	var todo, all []string
	for _, name := range l.Starter() {
		all = append(all, name)
		if b, err := fs.ReadFile(lessons.Files(), l.Slug+"/exercise/"+name); err == nil && bytes.Contains(b, []byte("TODO")) {
			todo = append(todo, name)
		}
	}
	if len(todo) == 0 {
		todo = all
	}
	files := make([]string, len(todo))
	for i, name := range todo {
		if ws == nil {
			files[i] = workspace.DefaultDir + "/" + l.Slug + "/" + name
		} else {
			files[i] = ws.Show(l.Slug, name)
		}
	}
	return files
}

// starterPaths returns the starter's files on disk in the repository at
// root, where a check reads them.
func (l Lesson) starterPaths(root string) ([]string, error) {
	var paths []string
	for _, name := range l.Starter() {
		paths = append(paths, filepath.Join(root, filepath.FromSlash(l.Dir()), "exercise", name))
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("lesson %s has no starter files", l.Slug)
	}
	return paths, nil
}

// Prepare makes the learner's copy of l's exercise in ws from the starter,
// if there is none yet, and reports whether it made it.
func (l Lesson) Prepare(ws *workspace.Workspace) (made bool, err error) {
	starter, err := l.starterPaths(ws.Root())
	if err != nil {
		return false, err
	}
	return ws.Ensure(l.Slug, starter)
}

// Reset puts the starter back in ws, moving what was there aside. It
// returns where the learner's files went, as Show names it; "" if there
// were none.
func (l Lesson) Reset(ws *workspace.Workspace) (backup string, err error) {
	starter, err := l.starterPaths(ws.Root())
	if err != nil {
		return "", err
	}
	backup, err = ws.Reset(l.Slug, starter)
	if backup != "" {
		if rel, relErr := filepath.Rel(ws.Dir(), backup); relErr == nil {
			backup = ws.Show(rel)
		}
	}
	return backup, err
}

// Check checks the learner's copy of l's exercise in ws, making it from the
// starter first if there is none. go test runs in the workspace's module
// with the course's check_test.go added by an overlay, so whatever the
// learner did to their folder, the check is the course's. Messages name the
// learner's files as ws.Show does.
func (l Lesson) Check(ctx context.Context, ws *workspace.Workspace) (check.Result, error) {
	if _, err := l.Prepare(ws); err != nil {
		return check.Result{Lesson: l.Slug}, fmt.Errorf("checking %s: %w", l.Slug, err)
	}
	course := filepath.Join(ws.Root(), filepath.FromSlash(l.Dir()), "exercise", checkFile)
	overlay, cleanup, err := ws.Overlay(l.Slug, map[string]string{checkFile: course})
	if err != nil {
		return check.Result{Lesson: l.Slug}, fmt.Errorf("checking %s: %w", l.Slug, err)
	}
	defer cleanup()
	res, err := check.Run(ctx, ws.Dir(), check.Exercise{Lesson: l.Slug, Dir: l.Slug, Show: ws.Show(l.Slug), Overlay: overlay, Race: l.Race})
	// The compiler names the check's file as the go command found it, from
	// the workspace (../lessons/...); the learner reads it from the root.
	shown := l.Dir() + "/exercise/" + checkFile
	for _, form := range []string{course, relativeTo(ws.Dir(), course)} {
		res.Message = strings.ReplaceAll(res.Message, form, shown)
		res.Output = strings.ReplaceAll(res.Output, form, shown)
	}
	if err == nil && !res.Passed {
		if missing := ws.Missing(l.Slug, l.Starter()); len(missing) > 0 {
			res.Message += fmt.Sprintf("\n%s has no %s: the starter had it.", ws.Show(l.Slug), strings.Join(missing, " and no "))
		}
	}
	return res, err
}

// relativeTo names path from dir, as the go command does when it is
// shorter; path itself if it cannot.
func relativeTo(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil {
		return rel
	}
	return path
}

// Verdict is res, or err, as the record of progress keeps it.
func Verdict(res check.Result, err error, at time.Time) workspace.Verdict {
	if err != nil {
		return workspace.Verdict{At: at, Error: err.Error()}
	}
	return workspace.Verdict{At: at, Passed: res.Passed, Step: res.Step, Message: res.Message}
}
