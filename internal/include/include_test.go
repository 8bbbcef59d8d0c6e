package include

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

const appGo = `// Package demo is a lesson's app.
package demo

import "net/http"

// Limit caps a request body.
const Limit = 1 << 10

const (
	// First is grouped.
	First = 1
	Second = 2 // trailing comment
)

// Store keeps orders.
type Store struct {
	orders []string
}

// Add keeps one order.
func (s *Store) Add(o string) {
	s.orders = append(s.orders, o)
}

// Box is generic.
type Box[T any] struct{ v T }

// Get returns the value.
func (b *Box[T]) Get() T { return b.v }

// Handler serves orders.
func Handler() http.Handler {
	mux := http.NewServeMux()
	// region routes
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		// region inner
		w.WriteHeader(http.StatusAccepted)
		// endregion inner
	})
	// endregion routes
	return mux
}

var errBad = 1
`

var lesson = fstest.MapFS{
	"app.go":         {Data: []byte(appGo)},
	"run.sh":         {Data: []byte("#!/bin/sh\n# region call\ncurl -X POST localhost\n# endregion call\n")},
	"open.go":        {Data: []byte("package demo\n// region open\nvar x = 1\n")},
	"twice.go":       {Data: []byte("package demo\n// region a\n// region a\n// endregion a\n")},
	"early.go":       {Data: []byte("package demo\n// endregion a\n// region a\n// endregion a\n")},
	"broken.go":      {Data: []byte("package demo\nfunc {\n")},
	"sub/whole.txt":  {Data: []byte("one\ntwo\n")},
	"exercise/ex.go": {Data: []byte("package exercise\n\n// TODO: write it.\nfunc Do() {}\n")},
}

func TestResolve(t *testing.T) {
	tests := []struct {
		directive string
		want      string
	}{
		{"app.go#Limit", "// Limit caps a request body.\nconst Limit = 1 << 10"},
		{"app.go#First", "// First is grouped.\nFirst = 1"},
		{"app.go#Second", "Second = 2 // trailing comment"},
		{"app.go#Store", "// Store keeps orders.\ntype Store struct {\n\torders []string\n}"},
		{"app.go#Store.Add", "// Add keeps one order.\nfunc (s *Store) Add(o string) {\n\ts.orders = append(s.orders, o)\n}"},
		{"app.go#Box.Get", "// Get returns the value.\nfunc (b *Box[T]) Get() T { return b.v }"},
		{"app.go#errBad", "var errBad = 1"},
		{"app.go#routes", "mux.HandleFunc(\"POST /orders\", func(w http.ResponseWriter, r *http.Request) {\n\tw.WriteHeader(http.StatusAccepted)\n})"},
		{"app.go#inner", "w.WriteHeader(http.StatusAccepted)"},
		{"app.go#Handler hl=5", "// Handler serves orders.\nfunc Handler() http.Handler {\n\tmux := http.NewServeMux()\n\tmux.HandleFunc(\"POST /orders\", func(w http.ResponseWriter, r *http.Request) {\n\t\tw.WriteHeader(http.StatusAccepted)\n\t})\n\treturn mux\n}"},
		{"run.sh#call", "curl -X POST localhost"},
		{"sub/whole.txt", "one\ntwo"},
		{"sub/../sub/whole.txt hl=1-2", "one\ntwo"},
		{"exercise/ex.go#Do", "// TODO: write it.\nfunc Do() {}"},
	}
	for _, tt := range tests {
		t.Run(tt.directive, func(t *testing.T) {
			md := "<!-- include: " + tt.directive + " -->\n```go\n```\n"
			ds, err := Parse("README.md", []byte(md))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Resolve(lesson, ds[0])
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestErrors feeds every kind of bad directive and checks that the error
// names the file, the line and the directive, and says what is wrong.
func TestErrors(t *testing.T) {
	tests := []struct {
		name, md string
		line     int
		want     string
	}{
		{"no colon", "# T\n\n<!-- include app.go -->\n```go\n```\n", 3, "missing colon"},
		{"no end", "<!-- include: app.go\n```go\n```\n", 1, "must end with -->"},
		{"no file", "<!-- include: -->\n```go\n```\n", 1, "no file named"},
		{"empty name", "<!-- include: app.go# -->\n```go\n```\n", 1, "empty name"},
		{"name only", "<!-- include: #Store -->\n```go\n```\n", 1, "no file named"},
		{"option first", "<!-- include: hl=2 app.go -->\n```go\n```\n", 1, "the file comes first"},
		{"unknown option", "<!-- include: app.go lines=2 -->\n```go\n```\n", 1, "unknown option"},
		{"hl twice", "<!-- include: app.go hl=1 hl=2 -->\n```go\n```\n", 1, "hl= given twice"},
		{"hl empty", "<!-- include: app.go hl= -->\n```go\n```\n", 1, "bad hl spec"},
		{"hl word", "<!-- include: app.go hl=two -->\n```go\n```\n", 1, "bad hl spec"},
		{"hl zero", "<!-- include: app.go hl=0 -->\n```go\n```\n", 1, "lines count from 1"},
		{"hl backwards", "<!-- include: app.go hl=6-4 -->\n```go\n```\n", 1, "runs backwards"},
		{"hl dangling", "<!-- include: app.go hl=2, -->\n```go\n```\n", 1, "bad hl spec"},
		{"escape", "<!-- include: ../secret.go -->\n```go\n```\n", 1, "inside the lesson folder"},
		{"absolute", "<!-- include: /etc/passwd -->\n```go\n```\n", 1, "inside the lesson folder"},
		{"no fence", "<!-- include: app.go -->\nsome text\n", 1, "must open a fenced code block"},
		{"blank before fence", "<!-- include: app.go -->\n\n```go\n```\n", 1, "must open a fenced code block"},
		{"at end", "text\n<!-- include: app.go -->", 2, "no fenced code block"},
		{"unclosed", "<!-- include: app.go -->\n```go\ncode\n", 1, "never closed"},
		{"short closing fence", "<!-- include: app.go -->\n````go\ncode\n```\n", 1, "never closed"},
		{"output args", "<!-- output: tutor 01 -->\n```text\n```\n", 1, "tutor run NN"},
		{"output number", "<!-- output: tutor run one -->\n```text\n```\n", 1, "not a number"},
		{"output no colon", "<!-- output tutor run 01 -->\n```text\n```\n", 1, "missing colon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("01-basic/README.md", []byte(tt.md))
			checkError(t, err, tt.line, tt.want)
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tests := []struct{ directive, want string }{
		{"missing.go", "missing file missing.go"},
		{"app.go#Nope", "missing region: app.go has no declaration or // region called Nope"},
		{"run.sh#nope", "missing region: run.sh has no // region nope"},
		{"open.go#open", "has no // endregion open"},
		{"twice.go#a", "opens twice"},
		{"early.go#a", "before it begins"},
		{"broken.go#X", "cannot parse broken.go"},
		{"app.go#Limit hl=3", "hl line 3 is out of range: the block has 2 lines"},
		{"sub/whole.txt hl=1,3-4", "hl line 4 is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.directive, func(t *testing.T) {
			md := "# Lesson\n\n<!-- include: " + tt.directive + " -->\n```go\n```\n"
			_, err := Expand("01-basic/README.md", []byte(md), lesson, nil)
			checkError(t, err, 3, tt.want)
		})
	}
}

func checkError(t *testing.T, err error, line int, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one saying %q", want)
	}
	var ie *Error
	if !errors.As(err, &ie) {
		t.Fatalf("error %v is a %T, want *include.Error", err, err)
	}
	if ie.File != "01-basic/README.md" || ie.Line != line || !strings.HasPrefix(ie.Directive, "<!--") {
		t.Errorf("error names %s:%d %q, want 01-basic/README.md:%d and the directive", ie.File, ie.Line, ie.Directive, line)
	}
	msg := err.Error()
	if !strings.Contains(msg, want) || !strings.HasPrefix(msg, "01-basic/README.md:") || !strings.Contains(msg, "<!--") {
		t.Errorf("error %q\nwant it to name the file, line and directive and contain %q", msg, want)
	}
}

func TestParse(t *testing.T) {
	md := "# Title\n\n" +
		"```markdown\n<!-- include: shown.go -->\n```\n\n" + // inside a code block: not a directive
		"<!-- a plain comment -->\n" +
		"<!-- include: app.go#Store hl=3,1-2,2 -->\n```go\nold\n```\n\n" +
		"- a list\n\n  <!-- output: tutor run 01 -->\n  ~~~~text\n  line one\n\n  line two\n  ~~~~\n"
	ds, err := Parse("README.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	want := []Directive{
		{Kind: KindInclude, Line: 8, Text: "<!-- include: app.go#Store hl=3,1-2,2 -->", File: "app.go", Name: "Store",
			HL: []int{1, 2, 3}, Lang: "go", Body: "old", start: 8, end: 10, fence: "```"},
		{Kind: KindOutput, Line: 15, Text: "<!-- output: tutor run 01 -->", Lesson: "01", Lang: "text",
			Body: "line one\n\nline two", start: 15, end: 19, fence: "~~~~", indent: "  "},
	}
	if !reflect.DeepEqual(ds, want) {
		t.Errorf("got\n%+v\nwant\n%+v", ds, want)
	}
}

func TestRewrite(t *testing.T) {
	md := "# Title\n\n" +
		"<!-- include: app.go#Limit -->\n```go\nstale\ncode\n```\n\n" +
		"Between.\n\n" +
		"- item\n\n  <!-- output: tutor run 01 -->\n  ```text\n  ```\n\n" +
		"<!-- include: sub/whole.txt -->\n```\n```\n" +
		"End.\n"
	got, err := Expand("README.md", []byte(md), lesson, func(d Directive) (string, error) {
		return "+0s  # note\n\n+1ms  ```fenced```", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "# Title\n\n" +
		"<!-- include: app.go#Limit -->\n```go\n// Limit caps a request body.\nconst Limit = 1 << 10\n```\n\n" +
		"Between.\n\n" +
		"- item\n\n  <!-- output: tutor run 01 -->\n  ````text\n  +0s  # note\n\n  +1ms  ```fenced```\n  ````\n\n" +
		"<!-- include: sub/whole.txt -->\n```\none\ntwo\n```\n" +
		"End.\n"
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Rewriting again changes nothing.
	again, err := Expand("README.md", got, lesson, func(d Directive) (string, error) { return d.Body, nil })
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(got) {
		t.Errorf("second rewrite changed the file:\n%s", again)
	}
	// A file without directives is returned as it was.
	plain := "# Plain\r\n\r\nNo directives.\n"
	if out, err := Expand("README.md", []byte(plain), lesson, nil); err != nil || string(out) != "# Plain\n\nNo directives.\n" {
		t.Errorf("plain file: %q, %v", out, err)
	}
}

func TestRewriteFillError(t *testing.T) {
	md := "x\n<!-- output: tutor run 09 -->\n```text\n```\n"
	_, err := Expand("01-basic/README.md", []byte(md), lesson, func(d Directive) (string, error) {
		return "", errors.New("no lesson 09")
	})
	checkError(t, err, 2, "no lesson 09")
}

func TestParseLines(t *testing.T) {
	got, err := ParseLines("6,2,4-5,5")
	if err != nil || !reflect.DeepEqual(got, []int{2, 4, 5, 6}) {
		t.Errorf("ParseLines = %v, %v", got, err)
	}
}

// A highlighted range past any real block is refused at once, not expanded.
func TestParseLinesRefusesHugeRanges(t *testing.T) {
	if _, err := ParseLines("1-20000000"); err == nil || !strings.Contains(err.Error(), "past any block") {
		t.Fatalf("ParseLines(1-20000000): %v; want an error saying the line is past any block", err)
	}
	if lines, err := ParseLines("1999-2000"); err != nil || len(lines) != 2 {
		t.Fatalf("ParseLines(1999-2000) = %v, %v; want two lines", lines, err)
	}
}
