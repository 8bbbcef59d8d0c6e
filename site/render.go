package site

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/bgtasks/tutorial/internal/include"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

// The chroma styles of the light and dark themes.
const (
	lightStyle = "github"
	darkStyle  = "github-dark"
)

// markdown renders lesson prose: GitHub-flavoured Markdown with footnotes
// and heading IDs, code highlighted through CSS classes (see codeBlocks),
// and raw HTML shown as text rather than trusted.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.Footnote),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	goldmark.WithRendererOptions(renderer.WithNodeRenderers(
		util.Prioritized(rawHTML{}, 100), util.Prioritized(newCodeBlocks(), 100))),
)

// chromahtmlClasses makes chroma write classes, not inline styles, which
// the Content-Security-Policy would refuse.
var chromahtmlClasses = []chromahtml.Option{chromahtml.WithClasses(true)}

// wrapCode puts each code block in a figure, captioned with the file it was
// included from.
func wrapCode(w util.BufWriter, c highlighting.CodeBlockContext, entering bool) {
	if !entering {
		if !c.Highlighted() {
			w.WriteString("</code></pre>")
		}
		w.WriteString("</figure>\n")
		return
	}
	w.WriteString(`<figure class="code">`)
	if attrs := c.Attributes(); attrs != nil {
		if v, ok := attrs.GetString("title"); ok {
			if b, ok := v.([]byte); ok {
				fmt.Fprintf(w, "<figcaption>%s</figcaption>", html.EscapeString(string(b)))
			}
		}
	}
	if !c.Highlighted() {
		w.WriteString(`<pre class="chroma"><code>`)
	}
}

// rawHTML shows HTML written in a README as text: the site never passes a
// lesson's markup through. Comments (such as directives) are dropped.
type rawHTML struct{}

func (rawHTML) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHTMLBlock, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		b := n.(*ast.HTMLBlock)
		var raw bytes.Buffer
		for i := 0; i < b.Lines().Len(); i++ {
			seg := b.Lines().At(i)
			raw.Write(seg.Value(src))
		}
		if b.HasClosure() {
			raw.Write(b.ClosureLine.Value(src))
		}
		if b.HTMLBlockType == ast.HTMLBlockType2 { // a comment
			return ast.WalkContinue, nil
		}
		w.WriteString(`<pre class="raw-html"><code>`)
		w.WriteString(html.EscapeString(raw.String()))
		w.WriteString("</code></pre>\n")
		return ast.WalkContinue, nil
	})
	reg.Register(ast.KindRawHTML, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkSkipChildren, nil
		}
		r := n.(*ast.RawHTML)
		for i := 0; i < r.Segments.Len(); i++ {
			seg := r.Segments.At(i)
			v := seg.Value(src)
			if !bytes.HasPrefix(v, []byte("<!--")) {
				w.WriteString(html.EscapeString(string(v)))
			}
		}
		return ast.WalkSkipChildren, nil
	})
}

// A heading is an entry of a lesson's table of contents.
type heading struct {
	ID, Text string
}

// rendered is a lesson's prose as HTML.
type rendered struct {
	HTML     template.HTML
	TOC      []heading // second-level headings
	Sections []section // for the search index
}

// A section is the text under one heading, for search.
type section struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// renderLesson turns a lesson's README into HTML. Include blocks are filled
// from the lesson's files (the same ones TestReadme compares), with their
// highlighted lines and file names passed to the highlighter; output blocks
// are shown as recorded.
func renderLesson(l tour.Lesson) (rendered, error) {
	dir, err := fs.Sub(lessons.Files(), l.Slug)
	if err != nil {
		return rendered{}, err
	}
	return renderMarkdown(l.Slug+"/README.md", l.README(), dir)
}

func renderMarkdown(name string, md []byte, dir fs.FS) (rendered, error) {
	files := include.NewResolver(dir)
	expanded, err := include.RewriteBlocks(name, md, func(d include.Directive) (include.Block, error) {
		if d.Kind == include.KindOutput {
			return include.Block{Info: "text", Body: d.Body}, nil
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
		return rendered{}, err
	}
	doc := markdown.Parser().Parse(text.NewReader(expanded))
	var r rendered
	var cur *section
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok {
			id, _ := h.AttributeString("id")
			idStr, _ := id.([]byte)
			title := plainText(h, expanded)
			r.Sections = append(r.Sections, section{ID: string(idStr), Title: title})
			cur = &r.Sections[len(r.Sections)-1]
			if h.Level == 2 {
				r.TOC = append(r.TOC, heading{ID: string(idStr), Text: title})
			}
			continue
		}
		if cur != nil && len(cur.Text) < 2000 {
			if _, code := n.(*ast.FencedCodeBlock); !code {
				cur.Text += plainText(n, expanded) + " "
			}
		}
	}
	var buf bytes.Buffer
	if err := markdown.Renderer().Render(&buf, expanded, doc); err != nil {
		return rendered{}, err
	}
	r.HTML = template.HTML(buf.String())
	return r, nil
}

// plainText is the text of n and its children, for search and headings.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(src))
			if c.SoftLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.CodeSpan:
			for t := c.FirstChild(); t != nil; t = t.NextSibling() {
				if tx, ok := t.(*ast.Text); ok {
					b.Write(tx.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// renderInline renders a short piece of Markdown, such as a hint.
func renderInline(md string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(md), &buf); err != nil {
		return template.HTML(html.EscapeString(md))
	}
	s := strings.TrimSpace(buf.String())
	if strings.HasPrefix(s, "<p>") && strings.HasSuffix(s, "</p>") && strings.Count(s, "<p>") == 1 {
		s = strings.TrimSuffix(strings.TrimPrefix(s, "<p>"), "</p>")
	}
	return template.HTML(s)
}

// highlight renders a whole source file as a highlighted code block.
func highlight(name, code string) template.HTML {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	fmt.Fprintf(w, `<figure class="code"><figcaption>%s</figcaption><pre class="chroma"><code>`, html.EscapeString(name))
	if path.Ext(name) == ".go" {
		writeGo(w, code, nil)
	} else {
		writeLines(w, code, nil, nil)
	}
	w.WriteString("</code></pre></figure>\n")
	_ = w.Flush()
	return template.HTML(buf.String())
}

// chromaCSS is the highlighting style sheet: chroma's light style unless
// the page is dark, its dark style when it is. Each theme's rules apply
// only to it, so that a token the dark style leaves plain does not keep the
// light style's dark colour. The rules for chroma's own block, line and
// line-number wrappers are left out: the site styles code blocks and marked
// lines itself.
func chromaCSS() string {
	var out strings.Builder
	out.WriteString("/* code highlighting: chroma " + lightStyle + " and " + darkStyle + " */\n")
	f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.WithCSSComments(false))
	for _, theme := range []struct{ style, scope string }{
		{lightStyle, ":root:not([data-theme=dark]) "},
		{darkStyle, "[data-theme=dark] "},
	} {
		var css bytes.Buffer
		_ = f.WriteCSS(&css, styles.Get(theme.style))
		for _, line := range strings.Split(strings.TrimSpace(css.String()), "\n") {
			if !strings.HasPrefix(line, ".chroma .") || wrapperRule.MatchString(line) {
				continue
			}
			out.WriteString(theme.scope + line + "\n")
		}
	}
	return out.String()
}

var wrapperRule = regexp.MustCompile(`^\.chroma \.(hl|line|cl|ln|lnt|lntd|lntable|lnlinks|w) \{`)

// Chroma wraps every line and every run of white space in spans of its own,
// which triples a page's size. compactCode keeps only what the style sheet
// colours: token spans whose class it styles, and a span for each
// highlighted line.
var (
	spaceSpan   = regexp.MustCompile(`<span class="w">([ \t\n]*)</span>`)
	plainLine   = regexp.MustCompile(`<span class="line"><span class="cl">([^\n]*\n?)</span></span>`)
	markedLine  = regexp.MustCompile(`<span class="line hl"><span class="cl">([^\n]*\n?)</span></span>`)
	tokenSpan   = regexp.MustCompile(`<span class="([a-z0-9]+)">([^<]*)</span>`)
	styledClass = sync.OnceValue(func() map[string]bool {
		classes := map[string]bool{"hl": true} // marked lines: site.css styles them
		for _, m := range regexp.MustCompile(`\.chroma \.([a-z0-9]+) \{`).FindAllStringSubmatch(chromaCSS(), -1) {
			classes[m[1]] = true
		}
		return classes
	})
)

func compactCode(html string) string {
	html = spaceSpan.ReplaceAllString(html, "$1")
	html = plainLine.ReplaceAllString(html, "$1")
	html = markedLine.ReplaceAllString(html, `<span class="hl">$1</span>`)
	styled := styledClass()
	return tokenSpan.ReplaceAllStringFunc(html, func(span string) string {
		m := tokenSpan.FindStringSubmatch(span)
		if styled[m[1]] {
			return span
		}
		return m[2]
	})
}
