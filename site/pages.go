package site

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

var (
	indexTemplate  = template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/index.html"))
	lessonTemplate = template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/lesson.html"))
)

// pages renders the site's pages once each, on first use, so that the
// server starts at once and every later request is a copy of bytes.
type pages struct {
	static  bool // a built copy: recorded runs, no checks
	lessons []tour.Lesson

	index  func() ([]byte, error)              // the contents
	search func() ([]byte, error)              // search.json
	css    func() []byte                       // site.css with chroma's rules
	byName map[string]func() ([]byte, error)   // each lesson's page, by slug
	prose  map[string]func() (rendered, error) // each lesson's README as HTML, by slug
	// summaries are the first paragraph of each lesson, for the contents.
	summaries map[string]func() string
}

func newPages(static bool) *pages {
	p := &pages{static: static, lessons: tour.All(),
		byName: map[string]func() ([]byte, error){}, prose: map[string]func() (rendered, error){},
		summaries: map[string]func() string{}}
	for _, l := range p.lessons {
		p.prose[l.Slug] = sync.OnceValues(func() (rendered, error) { return renderLesson(l) })
		p.byName[l.Slug] = sync.OnceValues(func() ([]byte, error) { return p.renderLessonPage(l) })
		p.summaries[l.Slug] = sync.OnceValue(func() string { return firstParagraph(l.README()) })
	}
	p.index = sync.OnceValues(p.renderIndex)
	p.search = sync.OnceValues(p.renderSearch)
	p.css = sync.OnceValue(func() []byte {
		b, err := staticFiles.ReadFile("static/site.css")
		if err != nil {
			panic(err) // embedded
		}
		return append(b, chromaCSS()...)
	})
	return p
}

// warm renders every page, so that no reader waits for the first render of
// one. Serve calls it once it listens; requests meanwhile render what they
// need themselves (each page renders once, whoever asks first).
func (p *pages) warm() {
	_, _ = p.index()
	for _, l := range p.lessons {
		_, _ = p.byName[l.Slug]()
	}
	_, _ = p.search()
	_ = p.css()
}

// lesson returns the lesson whose folder is slug. Only the index's names
// are accepted, so no request can name a path of its own.
func (p *pages) lesson(slug string) (tour.Lesson, bool) {
	for _, l := range p.lessons {
		if l.Slug == slug {
			return l, true
		}
	}
	return tour.Lesson{}, false
}

// The data every page's template sees.
type pageData struct {
	Base    string // the way back to the site's root: "" or "../../"
	Static  bool
	Title   string
	Lessons []lessonLink
	Lesson  *lessonData
}

type lessonLink struct {
	Number        int
	Slug, Title   string
	Summary       string
	Num           string // "01"
	HintCount     int
	ExerciseFiles []string
}

type lessonData struct {
	lessonLink
	Body       template.HTML
	TOC        []heading
	Hints      []template.HTML
	Solution   []template.HTML
	Prev, Next *lessonLink
}

func (p *pages) links() []lessonLink {
	links := make([]lessonLink, len(p.lessons))
	for i, l := range p.lessons {
		links[i] = lessonLink{Number: l.Number, Slug: l.Slug, Title: l.Title, Num: fmt.Sprintf("%02d", l.Number),
			HintCount: len(l.Hints())}
		links[i].Summary = p.summaries[l.Slug]()
	}
	return links
}

// firstParagraph is the text of the first paragraph of a README, found
// without rendering it, so that the contents page is quick to build.
func firstParagraph(md []byte) string {
	doc := markdown.Parser().Parse(text.NewReader(md))
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if _, ok := n.(*ast.Paragraph); ok {
			return summary(plainText(n, md))
		}
	}
	return ""
}

// summary is the start of a lesson's first paragraph.
func summary(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= 220 {
		return s
	}
	cut := strings.LastIndex(s[:220], " ")
	if cut < 0 {
		cut = 220
	}
	return s[:cut] + "…"
}

func (p *pages) renderIndex() ([]byte, error) {
	var buf bytes.Buffer
	err := indexTemplate.ExecuteTemplate(&buf, "layout", pageData{
		Static: p.static, Title: "Run work after the response: a Go tutorial", Lessons: p.links()})
	return buf.Bytes(), err
}

func (p *pages) renderLessonPage(l tour.Lesson) ([]byte, error) {
	r, err := p.prose[l.Slug]()
	if err != nil {
		return nil, err
	}
	links := p.links()
	d := &lessonData{Body: r.HTML, TOC: r.TOC}
	for i := range links {
		if links[i].Slug != l.Slug {
			continue
		}
		d.lessonLink = links[i]
		if i > 0 {
			d.Prev = &links[i-1]
		}
		if i+1 < len(links) {
			d.Next = &links[i+1]
		}
	}
	if len(d.TOC) < 3 { // a short lesson needs no table of contents
		d.TOC = nil
	}
	for _, h := range l.Hints() {
		d.Hints = append(d.Hints, renderInline(h))
	}
	d.ExerciseFiles, err = goFiles(l.Slug + "/exercise")
	if err != nil {
		return nil, err
	}
	solution, err := goFiles(l.Slug + "/solution")
	if err != nil {
		return nil, err
	}
	for _, f := range solution {
		b, err := fs.ReadFile(lessons.Files(), f)
		if err != nil {
			return nil, err
		}
		d.Solution = append(d.Solution, highlight("lessons/"+f, string(b)))
	}
	for i, f := range d.ExerciseFiles {
		d.ExerciseFiles[i] = "lessons/" + f
	}
	var buf bytes.Buffer
	err = lessonTemplate.ExecuteTemplate(&buf, "layout", pageData{
		Base: "../../", Static: p.static, Title: l.Title, Lessons: links, Lesson: d})
	return buf.Bytes(), err
}

// goFiles lists the Go files a learner edits or reads in dir: tests and
// check files are tooling, not the answer.
func goFiles(dir string) ([]string, error) {
	entries, err := fs.ReadDir(lessons.Files(), dir)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && path.Ext(e.Name()) == ".go" && !strings.HasSuffix(e.Name(), "_test.go") {
			files = append(files, dir+"/"+e.Name())
		}
	}
	return files, nil
}

// searchEntry is one lesson in the search index.
type searchEntry struct {
	Slug     string    `json:"slug"`
	Title    string    `json:"title"`
	Sections []section `json:"sections"`
}

func (p *pages) renderSearch() ([]byte, error) {
	var entries []searchEntry
	for _, l := range p.lessons {
		r, err := p.prose[l.Slug]()
		if err != nil {
			return nil, err
		}
		e := searchEntry{Slug: l.Slug, Title: l.Title}
		for _, s := range r.Sections {
			s.Text = strings.Join(strings.Fields(s.Text), " ")
			e.Sections = append(e.Sections, s)
		}
		entries = append(entries, e)
	}
	return json.Marshal(entries)
}

// asset returns an embedded static file by its name, and its content type.
func (p *pages) asset(name string) ([]byte, string, bool) {
	ctype, ok := assetTypes[name]
	switch {
	case !ok:
		return nil, "", false
	case name == "site.css":
		return p.css(), ctype, true // with chroma's rules appended
	}
	b, err := staticFiles.ReadFile("static/" + name)
	return b, ctype, err == nil
}

// assetTypes are the files under /static/ and their content types: no other
// name there is served.
var assetTypes = map[string]string{
	"site.css":    "text/css; charset=utf-8",
	"site.js":     "text/javascript; charset=utf-8",
	"theme.js":    "text/javascript; charset=utf-8",
	"favicon.svg": "image/svg+xml",
}

// assetNames are the files under /static/, in a fixed order.
var assetNames = slices.Sorted(maps.Keys(assetTypes))
