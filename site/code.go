package site

import (
	"bytes"
	"html"
	"strings"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/util"
)

// Code is highlighted as Hugo highlights it: one renderer for every fenced
// code block (goldmark-highlighting's), which hands the block to chroma
// with the options its info string carries, such as
//
//	```go {title="app.go · NewApp" id="file-app-go" hl_lines=[3,4]}
//
// and chroma writes class names, coloured by chroma's own style sheets, one
// for each theme. Classes, not inline styles: the Content-Security-Policy
// refuses those.

// The chroma styles of the light and dark themes.
const (
	lightStyle = "github"
	darkStyle  = "github-dark"
)

// codeBlocks is the goldmark extension that renders fenced code blocks.
var codeBlocks = highlighting.NewHighlighting(
	highlighting.WithFormatOptions(chromahtml.WithClasses(true)),
	highlighting.WithWrapperRenderer(codeFigure),
)

// codeFigure puts each code block in a figure, with the id and the caption
// (the file it shows) that its info string gives it.
func codeFigure(w util.BufWriter, c highlighting.CodeBlockContext, entering bool) {
	if !entering {
		if !c.Highlighted() {
			_, _ = w.WriteString("</code></pre>")
		}
		_, _ = w.WriteString("</figure>\n")
		return
	}
	_, _ = w.WriteString(`<figure class="code"`)
	if id := codeAttr(c, "id"); id != "" {
		_, _ = w.WriteString(` id="` + html.EscapeString(id) + `"`)
	}
	_, _ = w.WriteString(">")
	if title := codeAttr(c, "title"); title != "" {
		_, _ = w.WriteString("<figcaption>" + html.EscapeString(title) + "</figcaption>")
	}
	if !c.Highlighted() { // a language chroma does not know: the text as it is
		_, _ = w.WriteString(`<pre class="chroma"><code>`)
	}
}

// codeAttr is a string attribute of a code block's info string, or "".
func codeAttr(c highlighting.CodeBlockContext, name string) string {
	attrs := c.Attributes()
	if attrs == nil {
		return ""
	}
	v, _ := attrs.GetString(name)
	b, _ := v.([]byte)
	return string(b)
}

// codeCSS is chroma's style sheets for the light and the dark theme, each
// applying only under its theme, so that a token one style leaves plain
// does not keep the other's colour. They sit in a cascade layer below the
// site's own rules, which therefore win wherever both speak (the code
// block's background, marked lines) whatever the selectors.
func codeCSS() (string, error) {
	var css bytes.Buffer
	css.WriteString("/* code highlighting: chroma's " + lightStyle + " and " + darkStyle + " styles */\n@layer chroma {\n")
	f := chromahtml.New(chromahtml.WithClasses(true), chromahtml.WithCSSComments(false))
	for _, theme := range []struct{ scope, style string }{
		{":root:not([data-theme=dark])", lightStyle},
		{":root[data-theme=dark]", darkStyle},
	} {
		css.WriteString(theme.scope + " {\n")
		if err := f.WriteCSS(&css, styleNamed(theme.style)); err != nil {
			return "", err
		}
		css.WriteString("}\n")
	}
	css.WriteString("}\n")
	return css.String(), nil
}

// styleNamed is the chroma style of that name; styles.Get would give the
// fallback style for a name it does not know, and a test would not notice.
func styleNamed(name string) *chroma.Style {
	if s, ok := styles.Registry[name]; ok {
		return s
	}
	panic("site: chroma has no style " + name)
}

// fencedBlock is a Markdown code block that shows body, with a fence longer
// than any run of backticks in it.
func fencedBlock(info, body string) string {
	fence := "```"
	for strings.Contains(body, fence) {
		fence += "`"
	}
	return fence + info + "\n" + strings.TrimSuffix(body, "\n") + "\n" + fence + "\n"
}
