package site

import (
	"bufio"
	"bytes"
	"go/scanner"
	"go/token"
	"html"
	"strings"
	"sync"

	highlighting "github.com/yuin/goldmark-highlighting/v2"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// codeBlocks renders fenced code blocks. Go, most of what a lesson shows, is
// tokenised by go/scanner, which is exact and a hundred times faster than
// chroma's regular expressions; the spans carry chroma's class names, so
// chroma's light and dark style sheets colour them. Plain text is only
// escaped. Every other language goes to chroma through
// goldmark-highlighting.
type codeBlocks struct {
	chroma renderer.NodeRendererFunc
}

func newCodeBlocks() *codeBlocks {
	var c capture
	highlighting.NewHTMLRenderer(
		highlighting.WithStyle(lightStyle),
		highlighting.WithFormatOptions(chromahtmlClasses...),
		highlighting.WithWrapperRenderer(wrapCode),
	).RegisterFuncs(&c)
	return &codeBlocks{chroma: c.fn}
}

// capture takes goldmark-highlighting's code block renderer for codeBlocks
// to call.
type capture struct{ fn renderer.NodeRendererFunc }

func (c *capture) Register(k ast.NodeKind, fn renderer.NodeRendererFunc) {
	if k == ast.KindFencedCodeBlock {
		c.fn = fn
	}
}

func (c *codeBlocks) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, c.render)
}

func (c *codeBlocks) render(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.FencedCodeBlock)
	lang := string(n.Language(src))
	if strings.HasPrefix(lang, "{") {
		lang = ""
	}
	if lang != "" && lang != "go" && lang != "text" {
		return c.renderChroma(w, src, n)
	}
	var code strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		code.Write(seg.Value(src))
	}
	title, hl := blockAttributes(n, src)
	w.WriteString(`<figure class="code">`)
	if title != "" {
		w.WriteString("<figcaption>" + html.EscapeString(title) + "</figcaption>")
	}
	w.WriteString(`<pre class="chroma"><code>`)
	if lang == "go" {
		writeGo(w, code.String(), hl)
	} else {
		writeLines(w, code.String(), hl, nil)
	}
	w.WriteString("</code></pre></figure>\n")
	return ast.WalkContinue, nil
}

// renderChroma renders a block in a language other than Go with chroma.
// Its regular expressions are slow (milliseconds for a short block), and
// the blocks are fixed, embedded text: each is highlighted once per process.
func (c *codeBlocks) renderChroma(w util.BufWriter, src []byte, n *ast.FencedCodeBlock) (ast.WalkStatus, error) {
	var key strings.Builder
	if n.Info != nil {
		key.Write(n.Info.Segment.Value(src))
	}
	key.WriteByte('\n')
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		key.Write(seg.Value(src))
	}
	if html, ok := chromaCache.Load(key.String()); ok {
		w.WriteString(html.(string))
		return ast.WalkContinue, nil
	}
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	status, err := c.chroma(bw, src, n, true)
	_ = bw.Flush()
	html := compactCode(buf.String())
	if err == nil {
		chromaCache.Store(key.String(), html)
	}
	w.WriteString(html)
	return status, err
}

// chromaCache holds chroma's HTML by a block's info string and text.
var chromaCache sync.Map

// blockAttributes reads the title and hl_lines attributes from a code
// block's info string: go {title="app.go · App" hl_lines=[2,3]}.
func blockAttributes(n *ast.FencedCodeBlock, src []byte) (title string, hl map[int]bool) {
	if n.Info == nil {
		return "", nil
	}
	info := n.Info.Segment.Value(src)
	i := bytes.IndexByte(info, '{')
	if i < 0 {
		return "", nil
	}
	attrs, ok := parser.ParseAttributes(text.NewReader(info[i:]))
	if !ok {
		return "", nil
	}
	for _, a := range attrs {
		switch string(a.Name) {
		case "title":
			if b, ok := a.Value.([]byte); ok {
				title = string(b)
			}
		case "hl_lines":
			if list, ok := a.Value.([]any); ok {
				hl = map[int]bool{}
				for _, v := range list {
					if f, ok := v.(float64); ok {
						hl[int(f)] = true
					}
				}
			}
		}
	}
	return title, hl
}

// A span is a run of source with one class ("" for none).
type span struct {
	start, end int
	class      string
}

// writeGo writes Go source as spans classed as chroma's Go lexer would.
func writeGo(w util.BufWriter, src string, hl map[int]bool) {
	var spans []span
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	s.Init(file, []byte(src), func(token.Position, string) {}, scanner.ScanComments)
	type tok struct {
		off int
		tok token.Token
		lit string
	}
	var toks []tok
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		if t == token.SEMICOLON && lit == "\n" {
			continue // inserted by the scanner, not in the source
		}
		toks = append(toks, tok{file.Offset(pos), t, lit})
	}
	for i, t := range toks {
		text := t.lit
		if text == "" {
			text = t.tok.String()
		}
		end := t.off + len(text)
		if end > len(src) {
			end = len(src)
		}
		class := ""
		switch {
		case t.tok == token.COMMENT && strings.HasPrefix(text, "//"):
			class = "c1"
		case t.tok == token.COMMENT:
			class = "cm"
		case t.tok == token.STRING:
			class = "s"
		case t.tok == token.CHAR:
			class = "sc"
		case t.tok == token.INT || t.tok == token.IMAG:
			class = "mi"
		case t.tok == token.FLOAT:
			class = "mf"
		case t.tok == token.PACKAGE || t.tok == token.IMPORT:
			class = "kn"
		case t.tok == token.FUNC || t.tok == token.VAR || t.tok == token.CONST || t.tok == token.TYPE ||
			t.tok == token.STRUCT || t.tok == token.INTERFACE || t.tok == token.MAP || t.tok == token.CHAN:
			class = "kd"
		case t.tok.IsKeyword():
			class = "k"
		case t.tok == token.IDENT:
			call := i+1 < len(toks) && toks[i+1].tok == token.LPAREN && toks[i+1].off == end
			switch {
			case goTypes[text]:
				class = "kt"
			case text == "true" || text == "false" || text == "nil" || text == "iota":
				class = "kc"
			case call && goBuiltins[text]:
				class = "nb"
			case call:
				class = "nf"
			}
		case t.tok.IsOperator():
			switch t.tok {
			case token.LPAREN, token.RPAREN, token.LBRACE, token.RBRACE, token.LBRACK, token.RBRACK,
				token.COMMA, token.SEMICOLON, token.PERIOD, token.COLON, token.ELLIPSIS:
				class = "p"
			default:
				class = "o"
			}
		}
		spans = append(spans, span{t.off, end, class})
	}
	writeLines(w, src, hl, spans)
}

var goTypes = setOf("bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr any comparable")
var goBuiltins = setOf("append cap clear close complex copy delete imag len make max min new panic print println real recover")

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// writeLines writes src, escaped, with spans (sorted, not overlapping) as
// classed elements and each line in hl (counted from 1) marked. A span that
// crosses lines, such as a raw string, is split at each line's end so that
// marks nest properly.
func writeLines(w util.BufWriter, src string, hl map[int]bool, spans []span) {
	src = strings.TrimSuffix(src, "\n")
	styled := styledClass()
	line, lineStart := 1, 0
	si := 0
	for lineStart <= len(src) {
		lineEnd := strings.IndexByte(src[lineStart:], '\n')
		if lineEnd < 0 {
			lineEnd = len(src)
		} else {
			lineEnd += lineStart
		}
		if hl[line] {
			w.WriteString(`<span class="hl">`)
		}
		pos := lineStart
		for si < len(spans) && spans[si].start < lineEnd {
			sp := spans[si]
			start := max(sp.start, lineStart)
			end := min(sp.end, lineEnd)
			if start > pos {
				escape(w, src[pos:start])
			}
			if sp.class != "" && styled[sp.class] {
				w.WriteString(`<span class="`)
				w.WriteString(sp.class)
				w.WriteString(`">`)
				escape(w, src[start:end])
				w.WriteString("</span>")
			} else {
				escape(w, src[start:end])
			}
			pos = end
			if sp.end > lineEnd {
				break // the rest of this span is on the next line
			}
			si++
		}
		if lineEnd > pos {
			escape(w, src[pos:lineEnd])
		}
		w.WriteString("\n")
		if hl[line] {
			w.WriteString("</span>")
		}
		line++
		lineStart = lineEnd + 1
	}
}

// escape writes s with the characters HTML gives meaning to escaped, without
// allocating.
func escape(w util.BufWriter, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.WriteString(s[last:])
}
