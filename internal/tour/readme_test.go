package tour_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/internal/include"
	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

var update = flag.Bool("update", false, "rewrite the include and output blocks of every lesson's README.md from the real files and runs")

const fixHow = "to refill every block from the real files and runs: go test ./internal/tour -run TestReadme -update"

// TestReadme proves that each README shows the truth: every included block
// equals its source file now, and every output block equals what a fresh run
// of the scenario prints, timings aside.
func TestReadme(t *testing.T) {
	runs := newRuns()
	for _, l := range tour.All() {
		t.Run(l.Slug, func(t *testing.T) {
			t.Parallel()
			name := l.Slug + "/README.md"
			md := l.README()
			dir, err := fs.Sub(lessons.Files(), l.Slug)
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				out, err := include.Expand(name, md, dir, func(d include.Directive) (string, error) {
					return runs.text(d.Lesson)
				})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out, md) {
					if err := os.WriteFile(filepath.Join(root(t), "lessons", filepath.FromSlash(name)), out, 0o644); err != nil {
						t.Fatal(err)
					}
					t.Logf("rewrote %s", name)
				}
				return
			}
			ds, err := include.Parse(name, md)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				where := fmt.Sprintf("%s:%d: %s", name, d.Line, d.Text)
				switch d.Kind {
				case include.KindInclude:
					want, err := include.Resolve(dir, d)
					if err != nil {
						t.Errorf("%s: %v", where, err)
						continue
					}
					if d.Body != want {
						t.Errorf("%s: the block differs from its source (- README, + source):\n%s\n%s", where, diff(d.Body, want), fixHow)
					}
				case include.KindOutput:
					want, err := runs.text(d.Lesson)
					if err != nil {
						t.Errorf("%s: %v", where, err)
						continue
					}
					if missing, extra := compareOutput(d.Body, want); len(missing)+len(extra) > 0 {
						t.Errorf("%s: the block differs from a fresh run, timings aside.\nlines only in the README:\n%s\nlines only in the run:\n%s\nthe run printed:\n%s\n%s",
							where, strings.Join(missing, "\n"), strings.Join(extra, "\n"), want, fixHow)
					}
				}
			}
		})
	}
}

// runs runs each lesson's scenario at most once per test, however many
// blocks show it.
type runs struct {
	mu   sync.Mutex
	done map[string]func() (string, error)
}

func newRuns() *runs { return &runs{done: map[string]func() (string, error){}} }

func (r *runs) text(name string) (string, error) {
	l, err := tour.Find(name)
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	f, ok := r.done[l.Slug]
	if !ok {
		f = sync.OnceValues(func() (string, error) { return runText(l) })
		r.done[l.Slug] = f
	}
	r.mu.Unlock()
	return f()
}

// runText runs l's scenario and returns its timeline as `tutor run` prints
// it.
func runText(l tour.Lesson) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	events, err := scenario.Record(ctx, l.App, l.Steps)
	var buf bytes.Buffer
	for _, e := range events {
		_ = scenario.WriteText(&buf, e)
	}
	if err != nil {
		return "", fmt.Errorf("running lesson %s's scenario: %w", l.Slug, err)
	}
	return strings.TrimRight(buf.String(), "\n"), nil
}

// A duration as Go prints it: 12µs, 1.5ms, 2m3.5s.
var durationRE = regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|us|ms|s)\b|\b0s\b`)

// normalise turns an output block into the sorted lines it is made of, with
// every duration replaced and runs of spaces squeezed, since timings change
// from run to run and concurrent events may interleave in any order.
func normalise(s string) []string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		l = durationRE.ReplaceAllString(l, "DUR")
		l = strings.Join(strings.Fields(l), " ")
		if l != "" {
			lines = append(lines, l)
		}
	}
	slices.Sort(lines)
	return lines
}

// compareOutput returns the normalised lines only in got and only in want.
func compareOutput(got, want string) (missing, extra []string) {
	a, b := normalise(got), normalise(want)
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			missing = append(missing, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			extra = append(extra, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return missing, extra
}

func TestNormalise(t *testing.T) {
	a := "  +1.2ms  -> request  POST /x\n+15µs  ok finished send (3.4s)\n    +2m3.5s  # note took 0s"
	b := "+7µs  ok finished send (12ms)\n +1h2m3s  # note took 1ns\n+900ms -> request POST /x"
	if missing, extra := compareOutput(a, b); len(missing)+len(extra) > 0 {
		t.Errorf("same output, other timings: missing %q, extra %q", missing, extra)
	}
	c := "+1ms -> request POST /y\n+7µs  ok finished send (12ms)\n+1s  # note took 1ns"
	missing, extra := compareOutput(a, c)
	if !slices.Equal(missing, []string{"+DUR -> request POST /x"}) || !slices.Equal(extra, []string{"+DUR -> request POST /y"}) {
		t.Errorf("different output: missing %q, extra %q", missing, extra)
	}
}

// diff shows a line diff of a and b: "-" lines only in a, "+" only in b.
func diff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// Longest common subsequence, by dynamic programming: blocks are small.
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			out.WriteString("  " + x[i] + "\n")
			i++
			j++
		case j == len(y) || (i < len(x) && lcs[i+1][j] >= lcs[i][j+1]):
			out.WriteString("- " + x[i] + "\n")
			i++
		default:
			out.WriteString("+ " + y[j] + "\n")
			j++
		}
	}
	return out.String()
}

// TestLessonShape checks what every lesson needs for the tutor and the site:
// a title, one to three hints, an exercise and a solution.
func TestLessonShape(t *testing.T) {
	all := tour.All()
	if len(all) == 0 {
		t.Fatal("no lessons")
	}
	for i, l := range all {
		t.Run(l.Slug, func(t *testing.T) {
			if l.Number != i+1 || !strings.HasPrefix(l.Slug, fmt.Sprintf("%02d-", l.Number)) {
				t.Errorf("lesson %d is numbered %d with folder %s", i+1, l.Number, l.Slug)
			}
			if l.Title == "" || strings.HasPrefix(l.Title, "#") {
				t.Errorf("README.md must start with a title line: # Title")
			}
			if n := len(l.Hints()); n < 1 || n > 3 {
				t.Errorf("exercise/HINTS.md has %d hints, want 1 to 3 items written as \"- hint\"", n)
			}
			for _, dir := range []string{"exercise", "solution"} {
				matches, err := fs.Glob(lessons.Files(), l.Slug+"/"+dir+"/*.go")
				if err != nil || len(matches) == 0 {
					t.Errorf("%s/%s has no Go files", l.Slug, dir)
				}
			}
			if l.App == nil || l.Steps == nil {
				t.Errorf("lesson %s has no App or Scenario", l.Slug)
			}
		})
	}
}

// root is the repository on disk, where -update writes.
func root(t *testing.T) string {
	t.Helper()
	dir, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
