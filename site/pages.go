package site

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"sync"

	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/internal/workspace"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

var (
	indexTemplate  = template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/index.html"))
	lessonTemplate = template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/lesson.html"))
)

// The scripts each kind of page loads, in order, after theme.js and
// before progress.js, which every page loads.
var (
	contentsScripts = []string{"site.js", "search.js"}
	lessonScripts   = []string{"site.js", "search.js", "lesson.js", "timeline.js", "run.js"}
)

// pages is the whole site, rendered once: every page, the search index and
// the assets, by their path under the site's root ("index.html",
// "lessons/01-basic/index.html", "static/site.css"). The server answers
// from it and Build writes it out; nothing is rendered on request.
type pages struct {
	static  bool // a built copy: recorded runs, no checks
	lessons []tour.Lesson
	files   map[string][]byte
}

// render renders the site: the live one, or the static copy Build writes.
// The lessons render side by side; chroma takes most of the time.
func render(static bool) (*pages, error) {
	p := &pages{static: static, lessons: tour.All(), files: map[string][]byte{}}
	lessons := make([]lessonData, len(p.lessons))
	errs := make([]error, len(p.lessons))
	var wg sync.WaitGroup
	for i, l := range p.lessons {
		wg.Go(func() { lessons[i], errs[i] = renderLessonData(l) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	links := make([]lessonLink, len(lessons))
	for i := range lessons {
		links[i] = lessons[i].lessonLink
	}
	var index []searchEntry
	for i, l := range p.lessons {
		d := &lessons[i]
		if i > 0 {
			d.Prev = &links[i-1]
		}
		if i+1 < len(links) {
			d.Next = &links[i+1]
		}
		b, err := execute(lessonTemplate, pageData{Base: "../../", Static: static, CSP: cspMeta, Title: l.Title,
			Scripts: lessonScripts, Lessons: links, Lesson: d})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l.Slug, err)
		}
		p.files["lessons/"+l.Slug+"/index.html"] = b
		index = append(index, searchEntry{Slug: l.Slug, Title: l.Title, Sections: d.sections})
	}
	b, err := execute(indexTemplate, pageData{Static: static, CSP: cspMeta, Title: "Run work after the response: a Go tutorial",
		Scripts: contentsScripts, Lessons: links})
	if err != nil {
		return nil, err
	}
	p.files["index.html"] = b
	if p.files["search.json"], err = json.Marshal(index); err != nil {
		return nil, err
	}
	return p, p.addAssets()
}

// newPages renders the site, and panics if it cannot: for tests, which
// also prove that every lesson renders.
func newPages(static bool) *pages {
	p, err := render(static)
	if err != nil {
		panic(err)
	}
	return p
}

// addAssets adds every file under static/, with chroma's style sheets
// appended to the site's.
func (p *pages) addAssets() error {
	return fs.WalkDir(staticFiles, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if contentType(name) == "" {
			return fmt.Errorf("%s: no content type for its extension", name)
		}
		b, err := staticFiles.ReadFile(name)
		if err != nil {
			return err
		}
		if name == "static/site.css" {
			css, err := codeCSS()
			if err != nil {
				return err
			}
			b = append(b, css...)
		}
		p.files[name] = b
		return nil
	})
}

// file is the site's file at name, and its content type.
func (p *pages) file(name string) ([]byte, string, bool) {
	b, ok := p.files[name]
	return b, contentType(name), ok
}

// contentType is the type of the site's files by their extension; no other
// kind of file is served.
func contentType(name string) string {
	return map[string]string{
		".html": "text/html; charset=utf-8",
		".css":  "text/css; charset=utf-8",
		".js":   "text/javascript; charset=utf-8",
		".json": "application/json",
		".svg":  "image/svg+xml",
		".png":  "image/png",
	}[path.Ext(name)]
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
	CSP     string // the Content-Security-Policy a static page carries itself
	Title   string
	Scripts []string
	Lessons []lessonLink
	Lesson  *lessonData
}

// A lessonLink is what the contents and the pager show of a lesson.
type lessonLink struct {
	Number      int
	Slug, Title string
	Num         string // "01"
	Summary     string // the first sentences of its README
}

// lessonData is what a lesson's page shows.
type lessonData struct {
	lessonLink
	Parts         []part
	TOC           []heading
	Hints         []template.HTML
	Solution      []template.HTML // each file's change from the starter
	ExerciseFiles []string        // what the learner edits, from the repository's root
	Prev, Next    *lessonLink
	sections      []section
}

// renderLessonData renders everything a lesson's page shows.
func renderLessonData(l tour.Lesson) (lessonData, error) {
	pr, err := renderLesson(l.Slug)
	if err != nil {
		return lessonData{}, err
	}
	d := lessonData{
		lessonLink: lessonLink{Number: l.Number, Slug: l.Slug, Title: l.Title, Num: fmt.Sprintf("%02d", l.Number), Summary: pr.Summary},
		Parts:      pr.Parts, TOC: pr.TOC, sections: pr.Sections,
	}
	if len(d.TOC) < 3 { // a short lesson needs no table of contents
		d.TOC = nil
	}
	for _, h := range l.Hints() {
		html, err := renderInline(h)
		if err != nil {
			return lessonData{}, err
		}
		d.Hints = append(d.Hints, html)
	}
	changes, err := solutionChanges(l)
	if err != nil {
		return lessonData{}, err
	}
	// The files to edit are the ones the solution changes, named as the
	// learner names their copies; progress.js names them again from the
	// workspace the tutor was started with.
	for _, c := range changes {
		file := workspace.DefaultDir + "/" + l.Slug + "/" + c.File
		d.ExerciseFiles = append(d.ExerciseFiles, file)
		title := file + ": − the starter, + the solution"
		var buf bytes.Buffer
		if err := markdown.Convert([]byte(fencedBlock("diff {title="+strconv.Quote(title)+"}", c.Diff)), &buf); err != nil {
			return lessonData{}, err
		}
		d.Solution = append(d.Solution, template.HTML(buf.String()))
	}
	return d, nil
}

func execute(t *template.Template, data pageData) ([]byte, error) {
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, "layout", data)
	return buf.Bytes(), err
}
