package check

import (
	"path/filepath"
	"regexp"
	"strings"
)

// rename rewrites the paths of ex's folder in s, as the go command and the
// compiler print them, to ex.Show: a learner opens the file a message names,
// and "01-basic/exercise.go" relative to a module they never cd into, or an
// absolute path into a temporary folder, names nothing they know.
//
// A relative path is rewritten only where a path can start (the start of a
// line, after a space, a quote or a parenthesis), so that a longer path that
// merely contains it, such as lessons/01-basic/exercise, is left alone.
func (ex Exercise) rename(root, s string) string {
	show := ex.Show
	if show == "" {
		show = ex.Dir
	}
	if abs, err := filepath.Abs(filepath.Join(root, filepath.FromSlash(ex.Dir))); err == nil {
		for _, form := range uniq(abs, filepath.ToSlash(abs)) {
			s = regexp.MustCompile(regexp.QuoteMeta(form)+`([/\\:,)\s]|$)`).ReplaceAllString(s, strings.ReplaceAll(show, "$", "$$")+"$1")
		}
	}
	if show == ex.Dir {
		return s
	}
	for _, form := range uniq(ex.Dir, filepath.FromSlash(ex.Dir)) {
		re := regexp.MustCompile(`(?m)(^|[\s"'(])` + regexp.QuoteMeta(form) + `([/\\])`)
		s = re.ReplaceAllString(s, "${1}"+strings.ReplaceAll(show, "$", "$$")+"${2}")
	}
	return s
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}
