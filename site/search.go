package site

import (
	"strings"

	"github.com/yuin/goldmark/ast"
)

// The search index is small enough to fetch whole on a reader's first
// search: per section of each lesson, its words and its code, capped.
const (
	maxSectionText = 4000
	maxSectionCode = 4000
)

// A section is the text and the code under one heading, for search.
type section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
	Code  string `json:"code,omitempty"`
}

// sections cuts a README into the sections of search: one per heading, with
// the words of its prose and, apart, of its code, so that a search for
// From or WithoutCancel finds the blocks that show them.
func sections(doc ast.Node, src []byte) []section {
	var out []section
	var text, code []string
	flush := func() {
		if len(out) > 0 {
			s := &out[len(out)-1]
			s.Text = capped(strings.Join(text, " "), maxSectionText)
			s.Code = capped(strings.Join(strings.Fields(strings.Join(code, " ")), " "), maxSectionCode)
		}
		text, code = nil, nil
	}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			flush()
			out = append(out, section{ID: headingID(h), Title: plainText(h, src)})
			continue
		}
		_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if b, ok := c.(*ast.FencedCodeBlock); ok && entering {
				code = append(code, string(b.Lines().Value(src)))
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		})
		if t := plainText(n, src); t != "" {
			text = append(text, t)
		}
	}
	flush()
	return out
}

// capped is s cut to at most max bytes, at a space.
func capped(s string, max int) string {
	if len(s) <= max {
		return s
	}
	if i := strings.LastIndexByte(s[:max], ' '); i > 0 {
		return s[:i]
	}
	return s[:max]
}

// searchEntry is one lesson in the search index.
type searchEntry struct {
	Slug     string    `json:"slug"`
	Title    string    `json:"title"`
	Sections []section `json:"sections"`
}
