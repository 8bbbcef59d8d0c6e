package include

import (
	"errors"
	"fmt"
	"path"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzParse parses any Markdown. A malformed directive is an *Error that
// names the file, a line that exists and the directive on it, as its
// message begins; every directive found is well formed (a clean relative
// file, lines to highlight in order, a lesson number); and rewriting each
// block with what it holds gives Markdown that parses to the same
// directives and that a second rewrite leaves as it is (but for lone CRs,
// see below).
// The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add("# Lesson\n\n<!-- include: app.go#Handler.ServeHTTP hl=2,4-6 -->\n```go\nold\n```\n\n<!-- output: tutor run 01 -->\n```text\n```\n")
	f.Fuzz(func(t *testing.T, md string) {
		const name = "01-basic/README.md"
		lines := splitLines([]byte(md))
		ds, err := Parse(name, []byte(md))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse error %v is not an *Error", err)
			}
			if e.File != name || e.Line < 1 || e.Line > len(lines) || e.Directive != strings.TrimSpace(lines[e.Line-1]) || e.Err == nil {
				t.Errorf("Parse error %+v: want the file, a line that exists and the directive on it", e)
			}
			if want := fmt.Sprintf("%s:%d: %s: ", name, e.Line, e.Directive); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Parse error %q, want it to begin %q", err, want)
			}
			return
		}
		prev := 0
		for _, d := range ds {
			if d.Line <= prev || d.Line > len(lines) || d.Text != strings.TrimSpace(lines[d.Line-1]) {
				t.Errorf("directive %+v: its line is out of order or does not hold it", d)
			}
			prev = d.Line
			switch d.Kind {
			case KindInclude:
				if d.File == "" || path.Clean(d.File) != d.File || path.IsAbs(d.File) || d.File == ".." || strings.HasPrefix(d.File, "../") {
					t.Errorf("include of %q: not a clean path inside the lesson", d.File)
				}
				for i, n := range d.HL {
					if n < 1 || i > 0 && n <= d.HL[i-1] {
						t.Errorf("hl %v: not lines from 1 in order", d.HL)
					}
				}
			case KindOutput:
				if _, err := strconv.Atoi(d.Lesson); err != nil {
					t.Errorf("output of lesson %q: not a number", d.Lesson)
				}
			default:
				t.Errorf("directive of kind %q", d.Kind)
			}
		}

		same := func(d Directive) (string, error) { return d.Body, nil }
		out, err := Rewrite(name, []byte(md), same)
		if err != nil {
			t.Fatalf("Rewrite of Markdown that parses: %v", err)
		}
		again, err := Parse(name, out)
		if err != nil {
			t.Fatalf("the rewritten Markdown does not parse: %v\n%s", err, out)
		}
		if got, want := essentials(again), essentials(ds); !reflect.DeepEqual(got, want) {
			t.Errorf("rewritten, the directives are\n%+v\nwant\n%+v", got, want)
		}
		// A lone CR before a line's end makes one of the CR LF pairs that
		// the first rewrite turns into LF: only then may the second
		// rewrite differ.
		if twice, err := Rewrite(name, out, same); err != nil || string(twice) != string(out) && !strings.Contains(string(out), "\r\n") {
			t.Errorf("a second rewrite changed the Markdown: %v\n%q\n%q", err, out, twice)
		}
	})
}

// essentials are what a directive says, without where it is.
func essentials(ds []Directive) []Directive {
	var es []Directive
	for _, d := range ds {
		es = append(es, Directive{Kind: d.Kind, Text: d.Text, File: d.File, Name: d.Name, HL: d.HL, Lesson: d.Lesson, Lang: d.Lang, Body: d.Body})
	}
	return es
}
