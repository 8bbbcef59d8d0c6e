package main

import (
	"regexp"
	"strings"
)

var (
	codeSpan = regexp.MustCompile("`+")
	link     = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	strong   = regexp.MustCompile(`\*\*([^*\s](?:[^*]*[^*\s])?)\*\*|__([^_\s](?:[^_]*[^_\s])?)__`)
	emphasis = regexp.MustCompile(`(^|[\s(])(?:\*([^*\s](?:[^*]*[^*\s])?)\*|_([^_\s](?:[^_]*[^_\s])?)_)([\s.,;:!?)]|$)`)
)

// plainText turns a hint's inline Markdown into text for a terminal: code
// spans lose their backticks and keep their content as written, emphasis
// loses its marks, a link becomes "text (URL)". The hints are written for
// the page, where Markdown is rendered; in a terminal the marks are noise,
// and the code reads as code without them.
func plainText(md string) string {
	var out strings.Builder
	for md != "" {
		loc := codeSpan.FindStringIndex(md)
		if loc == nil {
			out.WriteString(plainProse(md))
			break
		}
		fence := md[loc[0]:loc[1]]
		end := strings.Index(md[loc[1]:], fence)
		if end < 0 { // an unclosed span is text
			out.WriteString(plainProse(md))
			break
		}
		out.WriteString(plainProse(md[:loc[0]]))
		code := md[loc[1] : loc[1]+end]
		if len(fence) > 1 { // ``a `b` c``: one space of padding either side
			code = strings.TrimPrefix(strings.TrimSuffix(code, " "), " ")
		}
		out.WriteString(code)
		md = md[loc[1]+end+len(fence):]
	}
	return out.String()
}

// plainProse strips the marks of prose outside code spans.
func plainProse(s string) string {
	s = link.ReplaceAllString(s, "$1 ($2)")
	s = strong.ReplaceAllString(s, "$1$2")
	// Twice: two emphases one space apart share that space, and one
	// pass sees only the first.
	for range 2 {
		s = emphasis.ReplaceAllString(s, "$1$2$3$4")
	}
	return s
}
