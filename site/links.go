package site

import (
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/bgtasks/tutorial/lessons"
)

// resolveLinks points the relative links of a lesson's README at this site.
//
// A README is also read on a code host, where a link to a file of the
// lesson folder opens the file. The site has no page for a file: such a
// link goes to the first block on the page that shows the file (shown maps
// a file, relative to the lesson folder dir, to that block's id), or else loses
// its link and stays as text. A link to another lesson's folder or README
// goes to that lesson's page. Anything else is left as written, and the
// link check of the built site fails on one that leads nowhere.
func resolveLinks(doc ast.Node, slug string, dir fs.FS, shown map[string]string) {
	var links []*ast.Link
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering {
			links = append(links, l)
		}
		return ast.WalkContinue, nil
	})
	for _, l := range links {
		dest, keep := siteLink(string(l.Destination), slug, dir, shown)
		if keep {
			l.Destination = []byte(dest)
			continue
		}
		parent := l.Parent()
		for c := l.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, l, c)
			c = next
		}
		parent.RemoveChild(parent, l)
	}
}

// siteLink is where a README's link to dest leads on the site, or keep
// false when it should be no link at all.
func siteLink(dest, slug string, dir fs.FS, shown map[string]string) (_ string, keep bool) {
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" {
		return dest, true // a page elsewhere, or a place on this one
	}
	target := path.Clean(path.Join(slug, u.Path)) // relative to the lessons folder
	if strings.HasPrefix(target, "../") {
		return dest, true
	}
	fragment := ""
	if u.Fragment != "" {
		fragment = "#" + u.Fragment
	}
	lesson, rest, _ := strings.Cut(target, "/")
	if isLesson(lesson) && (rest == "" || rest == "README.md") {
		if lesson == slug {
			return "./" + fragment, true
		}
		return "../" + lesson + "/" + fragment, true
	}
	if lesson != slug {
		return dest, true
	}
	if id, ok := shown[rest]; ok {
		return "#" + id, true
	}
	if _, err := fs.Stat(dir, rest); err == nil {
		return "", false
	}
	return dest, true
}

func isLesson(slug string) bool {
	for _, l := range lessons.All() {
		if l.Slug == slug {
			return true
		}
	}
	return false
}

// fileID is the id of the first block on a page that shows file.
func fileID(file string) string {
	return "file-" + strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			return r
		}
		return '-'
	}, file)
}
