package checktest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/lessons"
)

// minFragment is the shortest piece of code that counts as giving an answer
// away: shorter ones, such as "return err" or "}", are in every program.
const minFragment = 16

// An Answer is the code the solution adds to the starter, as fragments: each
// line the starter lacks, and the expression it assigns or returns. A check's
// messages, and every hint but the last, may point toward it but must not
// print it.
type Answer []string

// AnswerOf reads slug's solution and starter and returns the answer.
func AnswerOf(t testing.TB, slug string) Answer {
	t.Helper()
	dir := lessonDir(t, slug)
	starter := readAll(t, goFiles(t, filepath.Join(dir, "exercise")))
	var a Answer
	for _, line := range strings.Split(readAll(t, goFiles(t, filepath.Join(dir, "solution"))), "\n") {
		for _, frag := range fragments(line) {
			if len(frag) >= minFragment && !strings.Contains(starter, frag) {
				a = append(a, frag)
			}
		}
	}
	return a
}

// In returns the first fragment of a that text holds, or "".
func (a Answer) In(text string) string {
	for _, frag := range a {
		if strings.Contains(text, frag) {
			return frag
		}
	}
	return ""
}

// fragments returns a line of code without its comment, and what follows
// each ":=", "=" and "return" in it.
func fragments(line string) []string {
	line = strings.TrimSpace(line)
	if i := strings.Index(line, "//"); i >= 0 && !strings.Contains(line[:i], `"`) {
		line = strings.TrimSpace(line[:i])
	}
	if line == "" || strings.HasPrefix(line, "package ") {
		return nil
	}
	frags := []string{line}
	for _, sep := range []string{":= ", " = ", "return "} {
		for i := strings.Index(line, sep); i >= 0; {
			frags = append(frags, trimBlock(line[i+len(sep):]))
			next := strings.Index(line[i+len(sep):], sep)
			if next < 0 {
				break
			}
			i += len(sep) + next
		}
	}
	return frags
}

// trimBlock drops what closes or opens a block at the end of a fragment,
// such as the " })" of a one-line func literal or an if's " {".
func trimBlock(s string) string {
	s = strings.TrimSpace(s)
	for _, end := range []string{" })", " }", " {"} {
		s = strings.TrimSuffix(s, end)
	}
	return s
}

func readAll(t testing.TB, files []string) string {
	t.Helper()
	var b strings.Builder
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(src)
		b.WriteByte('\n')
	}
	return b.String()
}

// Hints checks slug's exercise/HINTS.md: three hints, the idea, then the
// API to use, then the code. Only the third may show the answer.
func Hints(t *testing.T, slug string) {
	t.Helper()
	l, err := lessons.Find(slug)
	if err != nil {
		t.Fatal(err)
	}
	hints := l.Hints()
	if len(hints) != 3 {
		t.Fatalf("%s has %d hints; want three: the idea, the API to use, then the code", slug, len(hints))
	}
	answer := AnswerOf(t, slug)
	for i, h := range hints[:2] {
		if leak := answer.In(h); leak != "" {
			t.Errorf("hint %d of %s gives away the solution's %q: %s", i+1, slug, leak, h)
		}
	}
}
