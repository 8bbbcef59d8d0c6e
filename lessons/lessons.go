// Package lessons is the index of the tutorial: every lesson in order, with
// its prose, its hints and its files. It is data only: the apps, and the
// scenarios and checks that drive them, live in each lesson's folder.
package lessons

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// files holds each lesson's prose and code, so that the site can show them
// wherever the tutor runs.
//
//go:embed */README.md */*.go */check/*.go */exercise/*.go */exercise/*.md */solution/*.go */testdata/*.txtar
var files embed.FS

// A Lesson is one step of the tutorial.
type Lesson struct {
	Number int
	Slug   string // its folder, such as "01-basic"
	Title  string // the first heading of its README.md
	// Race says the exercise's check runs under the race detector: shared
	// state is what the exercise is about.
	Race bool
}

var all = []Lesson{
	{Number: 1, Slug: "01-basic"},
	{Number: 2, Slug: "02-async"},
	{Number: 3, Slug: "03-dependencies"},
	{Number: 4, Slug: "04-errors", Race: true},
	{Number: 5, Slug: "05-testing"},
	{Number: 6, Slug: "06-durable"},
}

func init() {
	for i := range all {
		all[i].Title = title(all[i].README())
	}
}

// All returns every lesson, in order.
func All() []Lesson { return append([]Lesson(nil), all...) }

// Find returns the lesson named by its number ("1" or "01"), its folder
// ("01-basic") or its folder without the number ("basic").
func Find(name string) (Lesson, error) {
	key := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(name, "lessons/"), "/"))
	n, numErr := strconv.Atoi(key)
	for _, l := range all {
		if (numErr == nil && n == l.Number) || key == l.Slug || key == l.Slug[3:] {
			return l, nil
		}
	}
	names := make([]string, len(all))
	for i, l := range all {
		names[i] = l.Slug
	}
	return Lesson{}, fmt.Errorf("unknown lesson %q (try 1-%d or one of %s)", name, len(all), strings.Join(names, ", "))
}

// Dir is the lesson's folder, relative to the repository root.
func (l Lesson) Dir() string { return "lessons/" + l.Slug }

// README returns the lesson's prose, as Markdown.
func (l Lesson) README() []byte {
	b, err := files.ReadFile(l.Slug + "/README.md")
	if err != nil {
		panic(err) // the embed pattern guarantees it
	}
	return b
}

// Hints returns the exercise's hints, one per item of exercise/HINTS.md's
// list, easiest first.
func (l Lesson) Hints() []string {
	b, err := files.ReadFile(l.Slug + "/exercise/HINTS.md")
	if err != nil {
		return nil
	}
	var hints []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "- "):
			hints = append(hints, strings.TrimPrefix(line, "- "))
		case len(hints) > 0 && strings.HasPrefix(line, "  "):
			hints[len(hints)-1] += " " + strings.TrimSpace(line)
		}
	}
	return hints
}

// Files returns every lesson's prose and code, rooted at the lessons folder:
// "01-basic/app.go".
func Files() fs.FS { return files }

func title(readme []byte) string {
	line, _, _ := bytes.Cut(readme, []byte("\n"))
	return strings.TrimSpace(strings.TrimPrefix(string(line), "# "))
}

// Module is the module path that marks the repository's go.mod.
const Module = "github.com/bgtasks/tutorial"

// Root finds the repository on disk, from the working directory upwards, so
// that checks see the learner's current files rather than the embedded ones.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(b, []byte("module "+Module+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("not inside the tutorial repository (no go.mod for %s above the working directory)", Module)
		}
		dir = parent
	}
}
