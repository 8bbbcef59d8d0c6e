package site

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/bgtasks/tutorial/internal/include"
	"github.com/bgtasks/tutorial/lessons"
)

// markdown renders lesson prose: GitHub-flavoured Markdown with footnotes
// and heading IDs, code through chroma (code.go), and raw HTML shown as
// text rather than trusted.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Footnote, codeBlocks),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(rawHTML{}, 100))),
)

// The widgets a lesson page places in its prose.
const (
	widgetRun   = "run"   // the Run button and the timeline it draws
	widgetCheck = "check" // the Check button, the hints and the solution
)

// Directives that place a widget. Without one, the Run widget follows the
// first recorded output (<!-- output: tutor run NN -->) and the Check
// widget ends the section whose heading starts with "Exercise"; failing
// that, either goes at the end.
var widgetDirectives = map[string]string{
	"<!-- run -->":   widgetRun,
	"<!-- check -->": widgetCheck,
}

// prose is a lesson's README, rendered for its page.
type prose struct {
	Parts    []part    // the prose, cut where the page's widgets go
	TOC      []heading // the second-level headings
	Sections []section // the text under each heading, for search
	Summary  string    // the first sentences of the first paragraph
}

// A part is a run of prose and the widget that follows it, if any.
type part struct {
	HTML   template.HTML
	Widget string // "", widgetRun or widgetCheck
}

// A heading is an entry of a lesson's table of contents.
type heading struct {
	ID, Text string
}

// renderLesson renders the README of the lesson in folder slug, with the
// course's own files: whatever the learner has done to theirs, the page
// shows what the lesson teaches.
func renderLesson(slug string) (prose, error) {
	dir, err := fs.Sub(lessons.Files(), slug)
	if err != nil {
		return prose{}, err
	}
	md, err := fs.ReadFile(dir, "README.md")
	if err != nil {
		return prose{}, err
	}
	return renderMarkdown(slug+"/README.md", md, dir)
}

// renderMarkdown renders name, a lesson's README whose folder is dir.
// Include blocks are filled from the lesson's files (the same ones
// TestReadme compares), with their file, highlighted lines and the first
// block of each file's id passed to the code renderer; output blocks are
// shown as recorded.
func renderMarkdown(name string, md []byte, dir fs.FS) (prose, error) {
	files := include.NewResolver(dir)
	shown := map[string]string{} // file -> id of the first block that shows it
	expanded, err := include.RewriteBlocks(name, md, func(d include.Directive) (include.Block, error) {
		if d.Kind == include.KindOutput {
			title := "go run ./cmd/tutor run " + d.Lesson + ", as recorded"
			return include.Block{Info: "text {title=" + strconv.Quote(title) + "}", Body: d.Body}, nil
		}
		code, err := files.Resolve(d)
		if err != nil {
			return include.Block{}, err
		}
		lang := d.Lang
		if lang == "" {
			lang = "text"
		}
		title := d.File
		if d.Name != "" {
			title += " · " + d.Name
		}
		attrs := []string{"title=" + strconv.Quote(title)}
		if _, ok := shown[d.File]; !ok {
			shown[d.File] = fileID(d.File)
			attrs = append(attrs, "id="+strconv.Quote(shown[d.File]))
		}
		if len(d.HL) > 0 {
			nums := make([]string, len(d.HL))
			for i, n := range d.HL {
				nums[i] = strconv.Itoa(n)
			}
			attrs = append(attrs, "hl_lines=["+strings.Join(nums, ",")+"]")
		}
		return include.Block{Info: lang + " {" + strings.Join(attrs, " ") + "}", Body: code}, nil
	})
	if err != nil {
		return prose{}, err
	}
	doc := markdown.Parser().Parse(text.NewReader(expanded))
	resolveLinks(doc, path.Dir(name), dir, shown)
	widgets, err := placeWidgets(name, doc, expanded)
	if err != nil {
		return prose{}, err
	}
	p := prose{Sections: sections(doc, expanded)}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch n := n.(type) {
		case *ast.Heading:
			if n.Level == 2 {
				p.TOC = append(p.TOC, heading{ID: headingID(n), Text: plainText(n, expanded)})
			}
		case *ast.Paragraph:
			if p.Summary == "" {
				p.Summary = firstSentences(plainText(n, expanded), 220)
			}
		}
	}
	var buf bytes.Buffer
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if err := markdown.Renderer().Render(&buf, expanded, n); err != nil {
			return prose{}, err
		}
		for _, w := range widgets[n] {
			p.Parts = append(p.Parts, part{HTML: template.HTML(buf.String()), Widget: w})
			buf.Reset()
		}
	}
	p.Parts = append(p.Parts, part{HTML: template.HTML(buf.String())})
	return p, nil
}

// placeWidgets says after which top-level node of doc each widget goes.
func placeWidgets(name string, doc ast.Node, src []byte) (map[ast.Node][]string, error) {
	var last, output, exerciseEnd ast.Node
	explicit := map[string]ast.Node{}
	exercise := false
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if n.Kind() == east.KindFootnoteList {
			continue // the notes come after the prose and its widgets
		}
		last = n
		switch n := n.(type) {
		case *ast.Heading:
			if exercise && exerciseEnd == nil && n.Level <= 2 {
				exerciseEnd = n.PreviousSibling()
			}
			if n.Level == 2 && !exercise && strings.HasPrefix(plainText(n, src), "Exercise") {
				exercise = true
			}
		case *ast.HTMLBlock:
			comment := strings.TrimSpace(string(n.Lines().Value(src)))
			if w, ok := widgetDirectives[comment]; ok {
				if explicit[w] != nil {
					return nil, fmt.Errorf("%s: more than one %s: the page has one %s widget", name, comment, w)
				}
				explicit[w] = n
			}
			if _, ok := n.NextSibling().(*ast.FencedCodeBlock); ok && output == nil && strings.HasPrefix(comment, "<!-- output:") {
				output = n.NextSibling()
			}
		}
	}
	if exercise && exerciseEnd == nil {
		exerciseEnd = last
	}
	widgets := map[ast.Node][]string{}
	for _, w := range []struct {
		name   string
		places []ast.Node
	}{
		{widgetRun, []ast.Node{explicit[widgetRun], output, last}},
		{widgetCheck, []ast.Node{explicit[widgetCheck], exerciseEnd, last}},
	} {
		for _, at := range w.places {
			if at != nil {
				widgets[at] = append(widgets[at], w.name)
				break
			}
		}
	}
	if last == nil {
		return nil, errors.New(name + ": nothing to show")
	}
	return widgets, nil
}

func headingID(h *ast.Heading) string {
	id, _ := h.AttributeString("id")
	b, _ := id.([]byte)
	return string(b)
}

// plainText is the text of n and its children, as a reader would read it
// aloud: blocks and lines apart, with one space between words.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if c.Type() == ast.TypeBlock {
			b.WriteByte(' ')
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// firstSentences is the start of s, cut at the end of a sentence: as many
// whole sentences as fit in max bytes, and at least one.
func firstSentences(s string, max int) string {
	end := 0
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(".?!", rune(s[i])) || i+1 < len(s) && s[i+1] != ' ' {
			continue
		}
		// A sentence ends before a capital or the end: "e.g. a" goes on.
		if i+2 < len(s) && !('A' <= s[i+2] && s[i+2] <= 'Z') {
			continue
		}
		if i+1 > max && end > 0 {
			break
		}
		end = i + 1
		if end > max {
			break
		}
	}
	if end == 0 {
		return s
	}
	return s[:end]
}

// renderInline renders a short piece of Markdown, such as a hint: a single
// paragraph's contents without the paragraph.
func renderInline(md string) (template.HTML, error) {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	nodes := []ast.Node{doc}
	if p, ok := doc.FirstChild().(*ast.Paragraph); ok && p.NextSibling() == nil {
		nodes = nil
		for c := p.FirstChild(); c != nil; c = c.NextSibling() {
			nodes = append(nodes, c)
		}
	}
	var buf bytes.Buffer
	for _, n := range nodes {
		if err := markdown.Renderer().Render(&buf, src, n); err != nil {
			return "", err
		}
	}
	return template.HTML(strings.TrimSpace(buf.String())), nil
}

// rawHTML shows HTML written in a README as text: the site never passes a
// lesson's markup through. Comments (such as directives) are dropped.
type rawHTML struct{}

func (rawHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		b := n.(*ast.HTMLBlock)
		if !entering || b.HTMLBlockType == ast.HTMLBlockType2 { // a comment
			return ast.WalkContinue, nil
		}
		raw := b.Lines().Value(src)
		if b.HasClosure() {
			raw = append(raw, b.ClosureLine.Value(src)...)
		}
		_, _ = w.WriteString(`<pre class="raw-html"><code>`)
		_, _ = w.WriteString(html.EscapeString(string(raw)))
		_, _ = w.WriteString("</code></pre>\n")
		return ast.WalkContinue, nil
	})
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkSkipChildren, nil
		}
		r := n.(*ast.RawHTML)
		for i := 0; i < r.Segments.Len(); i++ {
			seg := r.Segments.At(i)
			if v := seg.Value(src); !bytes.HasPrefix(v, []byte("<!--")) {
				_, _ = w.WriteString(html.EscapeString(string(v)))
			}
		}
		return ast.WalkSkipChildren, nil
	})
}
