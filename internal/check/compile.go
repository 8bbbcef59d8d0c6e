package check

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

var (
	// compileError is one compiler or vet error: file:line:col: message.
	compileError = regexp.MustCompile(`^(\S+\.go):\d+(?::\d+)?: (.*)$`)
	undefined    = regexp.MustCompile(`^undefined: (\w+)$`)
	// unusedImport matches both of the compiler's wordings, old and new.
	unusedImport = regexp.MustCompile(`^(?:"([^"]+)" imported and not used|imported and not used: "([^"]+)")`)
	// mixedPackages is the go command's error for a folder whose files
	// declare different packages.
	mixedPackages = regexp.MustCompile(`^found packages (\w+) \((\S+)\) and (\w+) \((\S+)\) in (.+)$`)
)

// checkFile is the check's own file: it is the course's, not the learner's.
const checkFile = "check_test.go"

// knownPackages maps the package names the lessons use to their import
// paths, so that "undefined: json" can say which import is missing.
var knownPackages = map[string]string{
	"bgtasks": "github.com/bgtasks/tutorial/bgtasks",
	"atomic":  "sync/atomic", "bytes": "bytes", "context": "context", "errors": "errors",
	"filepath": "path/filepath", "fmt": "fmt", "http": "net/http", "httptest": "net/http/httptest",
	"io": "io", "json": "encoding/json", "log": "log", "mail": "net/mail", "os": "os",
	"slices": "slices", "slog": "log/slog", "sql": "database/sql", "strconv": "strconv",
	"strings": "strings", "sync": "sync", "synctest": "testing/synctest", "testing": "testing",
	"time": "time",
}

// buildNotes explains, in a learner's terms, the build errors among lines
// that the compiler's own words leave puzzling: an error in the check's file
// (which the learner does not edit), a missing or unused import, files of
// different packages in one folder. It returns "" when it has nothing to add.
func buildNotes(lines []string) string {
	var notes []string
	add := func(format string, args ...any) {
		if n := fmt.Sprintf(format, args...); !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
	}
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if m := mixedPackages.FindStringSubmatch(l); m != nil {
			want, other, otherFile := m[1], m[3], m[4]
			if base(m[4]) == checkFile {
				want, other, otherFile = m[3], m[1], m[2]
			}
			add("Every .go file in %s must begin with \"package %s\": %s says package %s.", m[5], want, otherFile, other)
			continue
		}
		m := compileError.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		file, msg := m[1], m[2]
		if base(file) == checkFile {
			if u := undefined.FindStringSubmatch(msg); u != nil {
				add("The check calls %s, which your code does not define: keep %s as the starter declares it.", u[1], u[1])
			} else {
				add("That error is in the check's own file, %s, which you do not edit: your code must keep the names and signatures that the starter declares.", checkFile)
			}
			continue
		}
		if u := undefined.FindStringSubmatch(msg); u != nil {
			if imp, ok := knownPackages[u[1]]; ok {
				add("%s is a package: add import %q to %s.", u[1], imp, file)
			}
			continue
		}
		if u := unusedImport.FindStringSubmatch(msg); u != nil {
			add("%s imports %q but does not use it: use it, or delete the import.", file, u[1]+u[2])
		}
	}
	return strings.Join(notes, "\n")
}

// base is the last element of a path as the go command prints it, with
// either separator.
func base(p string) string { return path.Base(filepath.ToSlash(p)) }
