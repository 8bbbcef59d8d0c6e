package site

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"html"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bgtasks/tutorial/internal/include"
	"github.com/bgtasks/tutorial/internal/tour"
)

var demoLesson = fstest.MapFS{
	"app.go": {Data: []byte("package demo\n\n// Hello greets.\nfunc Hello() string {\n\ts := `a\n<b>`\n\treturn s + \"&\"\n}\n")},
}

func TestRenderIncludeErrors(t *testing.T) {
	tests := []struct{ md, want string }{
		{"# T\n\n<!-- include: app.go#Nope -->\n```go\n```\n", "01-basic/README.md:3: <!-- include: app.go#Nope -->: missing region"},
		{"# T\n\n<!-- include: gone.go -->\n```go\n```\n", "01-basic/README.md:3: <!-- include: gone.go -->: missing file gone.go"},
		{"# T\n\n<!-- include: app.go hl=9 -->\n```go\n```\n", "01-basic/README.md:3: <!-- include: app.go hl=9 -->: hl line 9 is out of range"},
		{"# T\n\n<!-- include: app.go hl=x -->\n```go\n```\n", "01-basic/README.md:3: <!-- include: app.go hl=x -->: bad hl spec"},
		{"# T\n\n<!-- include app.go -->\n```go\n```\n", "01-basic/README.md:3: <!-- include app.go -->: missing colon"},
		{"# T\n\n<!-- include: app.go -->\ntext\n", "01-basic/README.md:3: <!-- include: app.go -->: the next line must open a fenced code block"},
	}
	for _, tt := range tests {
		_, err := renderMarkdown("01-basic/README.md", []byte(tt.md), demoLesson)
		var ie *include.Error
		if err == nil || !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("render %q:\nerror %v\nwant it to contain %q", tt.md, err, tt.want)
		}
	}
}

func TestRenderEscapesRawHTML(t *testing.T) {
	md := "# T\n\n<script>alert(1)</script>\n\nText <img src=x onerror=alert(2)> and <b>bold</b>.\n\n<!-- a comment -->\n"
	r, err := renderMarkdown("x/README.md", []byte(md), demoLesson)
	if err != nil {
		t.Fatal(err)
	}
	out := string(r.HTML)
	for _, bad := range []string{"<script", "<img", "<b>", "a comment"} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;", "&lt;b&gt;bold&lt;/b&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q (raw HTML shown as text):\n%s", want, out)
		}
	}
}

func TestRenderIncludedCode(t *testing.T) {
	md := "# T\n\n## One\n\nSee[^1].\n\n[^1]: A footnote.\n\n<!-- include: app.go#Hello hl=3-4 -->\n```go\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
	r, err := renderMarkdown("x/README.md", []byte(md), demoLesson)
	if err != nil {
		t.Fatal(err)
	}
	out := string(r.HTML)
	for _, want := range []string{
		`<figcaption>app.go · Hello</figcaption>`,
		`<span class="c1">// Hello greets.</span>`,
		`<span class="kd">func</span> <span class="nf">Hello</span>`,
		"<span class=\"hl\">\ts <span class=\"o\">:=</span> <span class=\"s\">`a</span>\n</span>", // line 3 marked, the raw string split at the line's end
		`<table>`, `class="footnote-ref"`, `<h2 id="one">One</h2>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, `<span class="hl">`); n != 2 {
		t.Errorf("%d highlighted lines, want 2", n)
	}
	// The code reads back exactly as its source.
	code := regexp.MustCompile(`(?s)<code>(.*)</code>`).FindStringSubmatch(out)[1]
	text := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(code, ""))
	want := "// Hello greets.\nfunc Hello() string {\n\ts := `a\n<b>`\n\treturn s + \"&\"\n}\n"
	if text != want {
		t.Errorf("code reads back as\n%q\nwant\n%q", text, want)
	}
	if len(r.TOC) != 1 || r.TOC[0] != (heading{"one", "One"}) {
		t.Errorf("TOC = %v", r.TOC)
	}
}

func TestWriteLinesNesting(t *testing.T) {
	src := "a := `x\ny\nz`\nb"
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	writeGo(w, src, map[int]bool{2: true})
	w.Flush()
	got := buf.String()
	want := "a <span class=\"o\">:=</span> <span class=\"s\">`x</span>\n" +
		"<span class=\"hl\"><span class=\"s\">y</span>\n</span>" +
		"<span class=\"s\">z`</span>\nb\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestLessonPages renders every real lesson's page.
func TestLessonPages(t *testing.T) {
	p := newPages(false)
	all := tour.All()
	for i, l := range all {
		b, err := p.byName[l.Slug]()
		if err != nil {
			t.Errorf("%s: %v", l.Slug, err)
			continue
		}
		page := string(b)
		for _, want := range []string{
			"<title>" + html.EscapeString(l.Title) + "</title>",
			`data-lesson="` + l.Slug + `"`, `id="run-button"`, `id="check-button"`, `id="solution"`,
			`src="../../static/site.js"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: page lacks %q", l.Slug, want)
			}
		}
		if i > 0 && !strings.Contains(page, `rel="prev" href="../`+all[i-1].Slug+`/"`) {
			t.Errorf("%s: no link to the previous lesson", l.Slug)
		}
		if i+1 < len(all) && !strings.Contains(page, `rel="next" href="../`+all[i+1].Slug+`/"`) {
			t.Errorf("%s: no link to the next lesson", l.Slug)
		}
		if strings.Contains(page, "style=") || strings.Contains(page, "<script>") || strings.Contains(page, "onclick") {
			t.Errorf("%s: inline style or script, which the Content-Security-Policy refuses", l.Slug)
		}
	}
	index, err := p.index()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		if !bytes.Contains(index, []byte(`href="lessons/`+l.Slug+`/"`)) {
			t.Errorf("the contents page does not link to %s", l.Slug)
		}
	}
}

func TestChromaCSS(t *testing.T) {
	css := chromaCSS()
	if !strings.Contains(css, ":root:not([data-theme=dark]) .chroma .kd {") || !strings.Contains(css, "[data-theme=dark] .chroma .kd {") {
		t.Errorf("want light and dark rules for keywords:\n%.400s", css)
	}
}

// BenchmarkRenderLesson renders each lesson's prose from its Markdown:
// includes resolved from the lesson's files, code highlighted.
func BenchmarkRenderLesson(b *testing.B) {
	for _, l := range tour.All() {
		b.Run(l.Slug, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := renderLesson(l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLessonPage renders every lesson's whole page from scratch.
func BenchmarkLessonPage(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		p := newPages(false)
		for _, l := range p.lessons {
			if _, err := p.byName[l.Slug](); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestPageWeight measures what a browser fetches to show each lesson page:
// the page and every asset it loads, compressed as the server sends them.
// The search index is fetched only when the reader searches.
func TestPageWeight(t *testing.T) {
	p := newPages(false)
	assets := 0
	assetsGz := 0
	for _, name := range assetNames {
		b, _, _ := p.asset(name)
		assets += len(b)
		assetsGz += gzipLen(b)
	}
	search, _ := p.search()
	for _, l := range p.lessons {
		b, err := p.byName[l.Slug]()
		if err != nil {
			t.Fatal(err)
		}
		raw, gz := len(b)+assets, gzipLen(b)+assetsGz
		t.Logf("%-16s page %6d B + assets %6d B = %6d B raw, %6d B transferred (gzip)", l.Slug, len(b), assets, raw, gz)
		if gz > 100<<10 {
			t.Errorf("%s: a lesson page transfers %d bytes with its assets; the budget is 100 KB", l.Slug, gz)
		}
	}
	t.Logf("search index: %d B raw, %d B gzip, fetched on first search", len(search), gzipLen(search))
}

func gzipLen(b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}

// Every file under static/ is served and built, with a content type: a new
// file left out of assetTypes would be missing from the site.
func TestEveryStaticFileIsAnAsset(t *testing.T) {
	entries, err := staticFiles.ReadDir("static")
	if err != nil {
		t.Fatal(err)
	}
	var embedded []string
	for _, e := range entries {
		embedded = append(embedded, e.Name())
	}
	if strings.Join(embedded, " ") != strings.Join(assetNames, " ") {
		t.Errorf("static/ holds %q, assetTypes names %q", embedded, assetNames)
	}
}
