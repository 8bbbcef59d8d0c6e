package check

import (
	"strings"
	"testing"
)

// Each kind of build error a learner meets gets a note in their terms; the
// compiler's line itself is kept by fill.
func TestBuildNotes(t *testing.T) {
	tests := []struct {
		name, line, want string
	}{
		{"missing import",
			"01-basic/exercise.go:56:2: undefined: bgtasks",
			`bgtasks is a package: add import "github.com/bgtasks/tutorial/bgtasks" to 01-basic/exercise.go.`},
		{"missing standard import",
			"01-basic/exercise.go:9:7: undefined: json",
			`json is a package: add import "encoding/json" to 01-basic/exercise.go.`},
		{"unused import",
			`01-basic/exercise.go:17:2: "strings" imported and not used`,
			`01-basic/exercise.go imports "strings" but does not use it: use it, or delete the import.`},
		{"unused import, older wording",
			`x.go:3:8: imported and not used: "os"`,
			`x.go imports "os" but does not use it: use it, or delete the import.`},
		{"the check's name is gone",
			"/repo/lessons/01-basic/exercise/check_test.go:13:27: undefined: NewApp",
			"The check calls NewApp, which your code does not define: keep NewApp as the starter declares it."},
		{"the check's signature is gone",
			"/repo/lessons/01-basic/exercise/check_test.go:13:27: cannot use NewApp (value of type func() http.Handler) as func(dir string) http.Handler value",
			"That error is in the check's own file, check_test.go, which you do not edit: your code must keep the names and signatures that the starter declares."},
		{"two packages in one folder",
			"found packages exercise (check_test.go) and main (extra.go) in /tmp/learn/01-basic",
			`Every .go file in /tmp/learn/01-basic must begin with "package exercise": extra.go says package main.`},
		{"two packages, the check's second",
			"found packages main (a.go) and exercise (check_test.go) in 01-basic",
			`Every .go file in 01-basic must begin with "package exercise": a.go says package main.`},
		{"an unknown name is the compiler's to explain",
			"01-basic/exercise.go:5:2: undefined: chargeCrad", ""},
		{"a syntax error too",
			"01-basic/exercise.go:2:9: syntax error: unexpected {, expected )", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildNotes([]string{tt.line}); got != tt.want {
				t.Errorf("buildNotes(%q) =\n%q\nwant\n%q", tt.line, got, tt.want)
			}
		})
	}
}

// A note said once is enough, however many lines call for it.
func TestBuildNotesOnce(t *testing.T) {
	got := buildNotes([]string{"x.go:1:1: undefined: bgtasks", "x.go:9:1: undefined: bgtasks"})
	if strings.Count(got, "is a package") != 1 {
		t.Errorf("buildNotes = %q, want one note", got)
	}
}

// A compile error's message quotes the compiler, then the note.
func TestFillCompileNotes(t *testing.T) {
	stream := `{"ImportPath":"x [x.test]","Action":"build-output","Output":"# x [x.test]\n"}
{"ImportPath":"x [x.test]","Action":"build-output","Output":"01-basic/exercise.go:56:2: undefined: bgtasks\n"}
{"ImportPath":"x [x.test]","Action":"build-fail"}
{"Action":"start","Package":"x"}
{"Action":"fail","Package":"x","FailedBuild":"x [x.test]"}
`
	var res Result
	parse([]byte(stream)).fill(&res)
	want := "your code does not compile:\n01-basic/exercise.go:56:2: undefined: bgtasks\n" +
		`bgtasks is a package: add import "github.com/bgtasks/tutorial/bgtasks" to 01-basic/exercise.go.`
	if res.Passed || res.Message != want {
		t.Errorf("Message =\n%s\nwant\n%s", res.Message, want)
	}
}
