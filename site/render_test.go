package site

import (
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
	"app.go":           {Data: []byte("package demo\n\n// Hello greets.\nfunc Hello() string {\n\ts := `a\n<b>`\n\treturn s + \"&\"\n}\n")},
	"testdata/x.txtar": {Data: []byte("-- a --\nb\n")},
	"notes.txt":        {Data: []byte("not shown\n")},
}

// html is a rendered README as one piece, widgets left out.
func (p prose) html() string {
	var b strings.Builder
	for _, part := range p.Parts {
		b.WriteString(string(part.HTML))
	}
	return b.String()
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
	out := r.html()
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

// An included block is highlighted by chroma, through classes, with the
// lines hl= names marked by chroma, and reads back exactly as its source.
func TestRenderIncludedCode(t *testing.T) {
	md := "# T\n\n## One\n\nSee[^1].\n\n[^1]: A footnote.\n\n<!-- include: app.go#Hello hl=3-4 -->\n```go\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
	r, err := renderMarkdown("x/README.md", []byte(md), demoLesson)
	if err != nil {
		t.Fatal(err)
	}
	out := r.html()
	for _, want := range []string{
		`<figure class="code" id="file-app-go"><figcaption>app.go · Hello</figcaption>`,
		`<span class="c1">// Hello greets.</span>`,
		`<span class="kd">func</span>`, `<span class="nf">Hello</span>`,
		`<table>`, `class="footnote-ref"`, `<h2 id="one">One</h2>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	marked := regexp.MustCompile(`<span class="line hl"><span class="cl">(.*?)\n`).FindAllStringSubmatch(out, -1)
	if len(marked) != 2 || !strings.Contains(marked[0][1], "s") || !strings.Contains(marked[1][1], "b") {
		t.Errorf("marked lines %q, want lines 3 and 4", marked)
	}
	if strings.Contains(out, "style=") {
		t.Errorf("inline style, which the Content-Security-Policy refuses:\n%s", out)
	}
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

// The Run widget follows the recorded output, or sits where <!-- run -->
// places it; the Check widget ends the exercise's section, or sits where
// <!-- check --> places it.
func TestRenderPlacesWidgets(t *testing.T) {
	output := "<!-- output: tutor run 01 -->\n```text\nrecorded\n```\n"
	for _, tt := range []struct {
		name, md string
		want     []string // the widgets, each after the text of its part
	}{
		{"by default", "# T\n\n## Run\n\n" + output + "\nAfter.\n\n## Exercise: do it\n\nDo.\n\n## Further reading\n\nMore.\n",
			[]string{"recorded|run", "Do.|check", "More."}},
		{"placed", "# T\n\n<!-- check -->\n\nIntro.\n\n" + output + "\nExplained.\n\n<!-- run -->\n\n## Exercise\n\nDo.\n",
			[]string{"T|check", "Explained.|run", "Do."}},
		{"at the end", "# T\n\nOnly.\n", []string{"Only.|run", "|check", ""}},
	} {
		r, err := renderMarkdown("x/README.md", []byte(tt.md), demoLesson)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range r.Parts {
			s := strings.TrimSpace(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(string(p.HTML), " "))
			if f := strings.Fields(s); len(f) > 0 {
				s = f[len(f)-1]
			}
			if p.Widget != "" {
				s += "|" + p.Widget
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: parts end %q, want %q", tt.name, got, tt.want)
		}
	}
	if _, err := renderMarkdown("x/README.md", []byte("# T\n\n<!-- run -->\n\n<!-- run -->\n"), demoLesson); err == nil {
		t.Error("two <!-- run --> rendered")
	}
}

// A README's link to a file of its lesson goes to the block that shows it,
// or is no link; a link to a lesson goes to its page.
func TestRenderResolvesLinks(t *testing.T) {
	md := "# T\n\nSee [the script](testdata/x.txtar), [notes](notes.txt), [lesson 2](../02-async/README.md#top),\n" +
		"[lesson 3](../03-dependencies/), [this](#t), [Go](https://go.dev/) and [gone](gone.txt).\n\n" +
		"<!-- include: testdata/x.txtar -->\n```text\n```\n"
	r, err := renderMarkdown("01-basic/README.md", []byte(md), demoLesson)
	if err != nil {
		t.Fatal(err)
	}
	out := r.html()
	for _, want := range []string{
		`<a href="#file-testdata-x-txtar">the script</a>`, ` notes,`, `<a href="../02-async/#top">lesson 2</a>`,
		`<a href="../03-dependencies/">lesson 3</a>`, `<a href="#t">this</a>`, `<a href="https://go.dev/">Go</a>`,
		`<a href="gone.txt">gone</a>`, // left for the link check to find
		`<figure class="code" id="file-testdata-x-txtar">`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestFirstSentences(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"One. Two is longer. Three.", 12, "One."},
		{"One. Two is longer. Three.", 20, "One. Two is longer."},
		{"A very long first sentence. B.", 5, "A very long first sentence."},
		{"Use e.g. this one. Next.", 20, "Use e.g. this one."},
		{"Is it? Yes!", 100, "Is it? Yes!"},
		{"No end at all", 5, "No end at all"},
	} {
		if got := firstSentences(tt.in, tt.max); got != tt.want {
			t.Errorf("firstSentences(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// Search sees the words of a section apart, and its code.
func TestSearchSections(t *testing.T) {
	md := "# T\n\n## Lists\n\n- first item\n- second\n\nA line\nand the next.\n\n```go\nbgtasks.From(ctx)\n```\n"
	r, err := renderMarkdown("x/README.md", []byte(md), demoLesson)
	if err != nil {
		t.Fatal(err)
	}
	s := r.Sections[1]
	if s.Title != "Lists" || s.Text != "first item second A line and the next." || s.Code != "bgtasks.From(ctx)" {
		t.Errorf("section %+v", s)
	}
}

// The solution is shown as what changes in the starter, not as a file,
// and not the package clause, which the learner keeps.
func TestSolutionChanges(t *testing.T) {
	for _, l := range tour.All() {
		changes, err := solutionChanges(l)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) == 0 {
			t.Errorf("%s: the solution changes nothing", l.Slug)
		}
		for _, c := range changes {
			if !strings.HasPrefix(c.Diff, "@@ ") || !strings.Contains(c.Diff, "\n+") {
				t.Errorf("%s: %s: not a diff that adds lines:\n%s", l.Slug, c.File, c.Diff)
			}
			if regexp.MustCompile(`(?m)^[-+]package `).MatchString(c.Diff) {
				t.Errorf("%s: %s: the diff changes the package clause:\n%s", l.Slug, c.File, c.Diff)
			}
		}
	}
	changes, _ := solutionChanges(tour.All()[0])
	if len(changes) != 1 || changes[0].File != "exercise.go" || !strings.Contains(changes[0].Diff, "\n+\ttasks := bgtasks.From(r.Context())") {
		t.Errorf("lesson 01: changes %+v, want exercise.go to queue tasks", changes)
	}
}

// TestLessonPages renders every real lesson's page.
func TestLessonPages(t *testing.T) {
	p := newPages(false)
	all := tour.All()
	for i, l := range all {
		b, ok := p.files["lessons/"+l.Slug+"/index.html"]
		if !ok {
			t.Errorf("%s: no page", l.Slug)
			continue
		}
		page := string(b)
		for _, want := range []string{
			"<title>" + html.EscapeString(l.Title) + "</title>",
			`data-lesson="` + l.Slug + `"`, `id="run-button"`, `id="check-button"`, `id="solution"`, `class="gi"`,
			`src="../../static/site.js"`, `src="../../static/timeline.js"`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: page lacks %q", l.Slug, want)
			}
		}
		// Check comes after the exercise's own text; Run, after the recorded
		// output, is before it.
		r, c, e := strings.Index(page, `id="run"`), strings.Index(page, `id="check"`), strings.Index(page, `<h2 id="exercise`)
		if !(e < c) || bytes.Contains(l.README(), []byte("<!-- output:")) && !(r < e) {
			t.Errorf("%s: run at %d, the exercise's heading at %d, check at %d", l.Slug, r, e, c)
		}
		if i > 0 && !strings.Contains(page, `rel="prev" data-key="prev" href="../`+all[i-1].Slug+`/"`) {
			t.Errorf("%s: no link to the previous lesson", l.Slug)
		}
		if i+1 < len(all) && !strings.Contains(page, `rel="next" data-key="next" href="../`+all[i+1].Slug+`/"`) {
			t.Errorf("%s: no link to the next lesson", l.Slug)
		}
		if strings.Contains(page, "style=") || strings.Contains(page, "<script>") || strings.Contains(page, "onclick") {
			t.Errorf("%s: inline style or script, which the Content-Security-Policy refuses", l.Slug)
		}
	}
	index := p.files["index.html"]
	for _, l := range all {
		if !bytes.Contains(index, []byte(`href="lessons/`+l.Slug+`/"`)) {
			t.Errorf("the contents page does not link to %s", l.Slug)
		}
	}
	for _, m := range regexp.MustCompile(`(?s)<li data-slug.*?<p>(.*?)</p>`).FindAllSubmatch(index, -1) {
		if s := html.UnescapeString(string(m[1])); !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
			t.Errorf("a summary on the contents page stops mid-sentence: %q", s)
		}
	}
}

func TestCodeCSS(t *testing.T) {
	css, err := codeCSS()
	if err != nil {
		t.Fatal(err)
	}
	light, dark, _ := strings.Cut(css, ":root[data-theme=dark] {")
	if !strings.Contains(light, ":root:not([data-theme=dark]) {") || !strings.Contains(light, ".chroma .kd {") || !strings.Contains(dark, ".chroma .kd {") {
		t.Errorf("want light and dark rules for keywords:\n%.600s", css)
	}
}

// BenchmarkRender renders the whole site, every page and asset, as the
// tutor does once when it starts.
func BenchmarkRender(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render(false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderLesson renders each lesson's prose from its Markdown:
// includes resolved from the lesson's files, code highlighted.
func BenchmarkRenderLesson(b *testing.B) {
	for _, l := range tour.All() {
		b.Run(l.Slug, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := renderLesson(l.Slug); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestPageWeight measures what a browser fetches to show each lesson page:
// the page and every asset it loads, raw as the tutor sends them, and
// compressed as a static host would. The search index is fetched only when
// the reader searches.
func TestPageWeight(t *testing.T) {
	p := newPages(false)
	assets, assetsGz := 0, 0
	for _, name := range append([]string{"site.css", "theme.js", "favicon.svg", "progress.js"}, lessonScripts...) {
		b, ok := p.files["static/"+name]
		if !ok {
			t.Fatalf("no static/%s", name)
		}
		assets += len(b)
		assetsGz += gzipLen(b)
	}
	for _, l := range p.lessons {
		b := p.files["lessons/"+l.Slug+"/index.html"]
		raw, gz := len(b)+assets, gzipLen(b)+assetsGz
		t.Logf("%-16s page %6d B + assets %6d B = %6d B raw, %6d B gzip", l.Slug, len(b), assets, raw, gz)
		if raw > 400<<10 || gz > 100<<10 {
			t.Errorf("%s: a lesson page weighs %d bytes (%d gzip) with its assets; the budget is 400 KB (100 KB)", l.Slug, raw, gz)
		}
	}
	search := p.files["search.json"]
	t.Logf("search index: %d B raw, %d B gzip, fetched on first search", len(search), gzipLen(search))
}

func gzipLen(b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}
