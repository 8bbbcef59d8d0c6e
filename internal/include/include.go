// Package include finds and fills the directives of a lesson's README: code
// blocks included from real source files and output blocks captured from
// real runs.
//
// An include directive is an HTML comment on a line of its own, directly
// followed by a fenced code block:
//
//	<!-- include: app.go#Handler.ServeHTTP hl=2,4-6 -->
//	```go
//	```
//
// FILE is relative to the lesson folder. #NAME is optional: for a .go file it
// names a top-level declaration (func Name, method Type.Method, type, var or
// const, with its doc comment), or else, in any file, a region between the
// lines "// region NAME" and "// endregion NAME". Without #NAME the whole file
// is included. hl= highlights lines of the block, counted from 1.
//
// An output directive is followed by a text block that holds the output of a
// lesson's scenario:
//
//	<!-- output: tutor run 01 -->
//	```text
//	```
//
// Directives inside other fenced code blocks are ignored, so that prose can
// show them.
package include

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Kinds of Directive.
const (
	KindInclude = "include"
	KindOutput  = "output"
)

// A Directive is one include or output directive and the fenced block that
// follows it.
type Directive struct {
	Kind string // KindInclude or KindOutput
	Line int    // the directive's line in the Markdown file, from 1
	Text string // the directive as written, such as "<!-- include: app.go#App -->"

	File string // include: the file, relative to the lesson folder
	Name string // include: the declaration or region; "" for the whole file
	HL   []int  // include: the lines to highlight, from 1, in order

	Lesson string // output: the lesson whose run it shows, such as "01"

	Lang string // the fence's info string, such as "go" or "text"
	Body string // the block's current contents, without a final newline

	start, end int // lines of the opening and closing fence, from 0
	fence      string
	indent     string
}

// An Error is a problem with one directive of one Markdown file.
type Error struct {
	File      string // the Markdown file, such as "01-basic/README.md"
	Line      int    // the directive's line, from 1
	Directive string // the directive as written
	Err       error
}

// Error reads as file:line: directive: what is wrong, as compilers write.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d: %s: %v", e.File, e.Line, e.Directive, e.Err)
}

// Unwrap returns what is wrong, without the place.
func (e *Error) Unwrap() error { return e.Err }

// Parse finds every directive in md, the Markdown file called name (used in
// errors only).
func Parse(name string, md []byte) ([]Directive, error) {
	lines := splitLines(md)
	var ds []Directive
	inFence := "" // the fence of an ordinary code block we are inside
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		if inFence != "" {
			if isClosingFence(trimmed, inFence) {
				inFence = ""
			}
			continue
		}
		if f, _, ok := openingFence(trimmed); ok {
			inFence = f
			continue
		}
		kind, args, ok, err := directive(trimmed)
		fail := func(err error) error {
			return &Error{File: name, Line: i + 1, Directive: trimmed, Err: err}
		}
		if err != nil {
			return nil, fail(err)
		}
		if !ok {
			continue
		}
		d := Directive{Kind: kind, Line: i + 1, Text: trimmed}
		switch kind {
		case KindInclude:
			err = d.parseInclude(args)
		case KindOutput:
			err = d.parseOutput(args)
		}
		if err != nil {
			return nil, fail(err)
		}
		if i+1 >= len(lines) {
			return nil, fail(fmt.Errorf("no fenced code block after the directive (write ``` on the next line, then a closing ```)"))
		}
		next := lines[i+1]
		fence, info, ok := openingFence(strings.TrimSpace(next))
		if !ok {
			return nil, fail(fmt.Errorf("the next line must open a fenced code block (```), found %q", next))
		}
		d.fence = fence
		d.indent = next[:len(next)-len(strings.TrimLeft(next, " \t"))]
		d.Lang = info
		d.start = i + 1
		d.end = -1
		for j := i + 2; j < len(lines); j++ {
			if isClosingFence(strings.TrimSpace(lines[j]), fence) {
				d.end = j
				break
			}
		}
		if d.end < 0 {
			return nil, fail(fmt.Errorf("the code block opened on line %d is never closed (add a line %s)", i+2, fence))
		}
		body := lines[d.start+1 : d.end]
		for k, l := range body {
			body[k] = strings.TrimPrefix(l, d.indent)
		}
		d.Body = strings.Join(body, "\n")
		ds = append(ds, d)
		i = d.end
	}
	return ds, nil
}

// directive recognises a directive comment. A comment that starts with
// "include" or "output" but is not well formed is an error rather than being
// silently shown as an empty block.
func directive(line string) (kind, args string, ok bool, err error) {
	if !strings.HasPrefix(line, "<!--") {
		return "", "", false, nil
	}
	inner := strings.TrimSpace(strings.TrimPrefix(line, "<!--"))
	word := inner
	if i := strings.IndexAny(inner, ": \t-"); i >= 0 {
		word = inner[:i]
	}
	if word != KindInclude && word != KindOutput {
		return "", "", false, nil
	}
	if !strings.HasSuffix(inner, "-->") {
		return "", "", false, fmt.Errorf("a directive must end with --> on the same line")
	}
	inner = strings.TrimSpace(strings.TrimSuffix(inner, "-->"))
	rest, found := strings.CutPrefix(inner, word+":")
	if !found {
		return "", "", false, fmt.Errorf("missing colon: write <!-- %s: ... -->", word)
	}
	return word, strings.TrimSpace(rest), true, nil
}

func (d *Directive) parseInclude(args string) error {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		return fmt.Errorf("no file named: write <!-- include: FILE#NAME hl=LINES -->")
	}
	file, name, _ := strings.Cut(fields[0], "#")
	if file == "" {
		return fmt.Errorf("no file named before #%s", name)
	}
	if strings.Contains(fields[0], "#") && name == "" {
		return fmt.Errorf("empty name after # (leave out the # to include the whole file)")
	}
	if strings.Contains(file, "=") {
		return fmt.Errorf("the file comes first: write <!-- include: FILE#NAME hl=LINES -->")
	}
	clean := path.Clean(file)
	if path.IsAbs(file) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(file, `\`) {
		return fmt.Errorf("file %q must be a slash-separated path inside the lesson folder", file)
	}
	d.File, d.Name = clean, name
	for _, f := range fields[1:] {
		key, val, ok := strings.Cut(f, "=")
		if !ok || key != "hl" {
			return fmt.Errorf("unknown option %q (the only option is hl=LINES, such as hl=2,4-6)", f)
		}
		if d.HL != nil {
			return fmt.Errorf("hl= given twice")
		}
		hl, err := ParseLines(val)
		if err != nil {
			return err
		}
		d.HL = hl
	}
	return nil
}

func (d *Directive) parseOutput(args string) error {
	fields := strings.Fields(args)
	if len(fields) != 3 || fields[0] != "tutor" || fields[1] != "run" {
		return fmt.Errorf("write <!-- output: tutor run NN --> with the lesson's number")
	}
	if _, err := strconv.Atoi(fields[2]); err != nil {
		return fmt.Errorf("lesson %q is not a number: write <!-- output: tutor run NN -->", fields[2])
	}
	d.Lesson = fields[2]
	return nil
}

// maxBlockLines bounds hl= so that a typo such as hl=1-20000000 is an error
// to read, not twenty million lines to mark.
const maxBlockLines = 2000

// ParseLines parses a highlight spec such as "2,4-6" into line numbers, in
// order and without repeats.
func ParseLines(spec string) ([]int, error) {
	if spec == "" {
		return nil, fmt.Errorf("bad hl spec %q: empty (write hl=2,4-6)", spec)
	}
	seen := map[int]bool{}
	var lines []int
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, errA := strconv.Atoi(lo)
		b := a
		var errB error
		if isRange {
			b, errB = strconv.Atoi(hi)
		}
		if errA != nil || errB != nil || a < 1 || b < 1 {
			return nil, fmt.Errorf("bad hl spec %q: %q is not a line number or range such as 4-6 (lines count from 1)", spec, part)
		}
		if b < a {
			return nil, fmt.Errorf("bad hl spec %q: range %q runs backwards", spec, part)
		}
		if b > maxBlockLines {
			return nil, fmt.Errorf("bad hl spec %q: line %d is past any block a lesson shows (at most %d lines)", spec, b, maxBlockLines)
		}
		for n := a; n <= b; n++ {
			if !seen[n] {
				seen[n] = true
				lines = append(lines, n)
			}
		}
	}
	slices.Sort(lines)
	return lines, nil
}

// Resolve returns the code d includes, read from lesson, the lesson's
// folder. It checks that d's highlighted lines exist.
func Resolve(lesson fs.FS, d Directive) (string, error) {
	return NewResolver(lesson).Resolve(d)
}

// A Resolver resolves the include directives of one lesson, reading and
// parsing each file once however many blocks show parts of it. It is not
// safe for concurrent use.
type Resolver struct {
	fsys  fs.FS
	files map[string]*sourceFile
}

type sourceFile struct {
	src      []byte
	decls    map[string]string // top-level declarations by name, parsed on first use
	parseErr error
}

// NewResolver returns a Resolver for the lesson folder lesson.
func NewResolver(lesson fs.FS) *Resolver {
	return &Resolver{fsys: lesson, files: map[string]*sourceFile{}}
}

// Resolve returns the code d includes. It checks that d's highlighted lines
// exist.
func (r *Resolver) Resolve(d Directive) (string, error) {
	if d.Kind != KindInclude {
		return "", fmt.Errorf("not an include directive")
	}
	f, ok := r.files[d.File]
	if !ok {
		src, err := fs.ReadFile(r.fsys, d.File)
		if err != nil {
			return "", fmt.Errorf("missing file %s", d.File)
		}
		f = &sourceFile{src: src}
		r.files[d.File] = f
	}
	var code string
	var err error
	switch {
	case d.Name == "":
		code = strings.TrimRight(string(f.src), "\n")
	case strings.HasSuffix(d.File, ".go"):
		if f.decls == nil && f.parseErr == nil {
			f.decls, f.parseErr = declarations(d.File, f.src)
		}
		if f.parseErr != nil {
			return "", f.parseErr
		}
		var found bool
		code, found = f.decls[d.Name]
		if !found {
			code, err = region(d.File, f.src, d.Name)
			if _, ok := err.(*noRegionError); ok {
				return "", fmt.Errorf("missing region: %s has no declaration or // region called %s", d.File, d.Name)
			}
			if err != nil {
				return "", err
			}
		}
	default:
		code, err = region(d.File, f.src, d.Name)
		if err != nil {
			return "", err
		}
	}
	code = dedent(dropMarkers(code))
	if n := strings.Count(code, "\n") + 1; len(d.HL) > 0 && d.HL[len(d.HL)-1] > n {
		return "", fmt.Errorf("hl line %d is out of range: the block has %d lines", d.HL[len(d.HL)-1], n)
	}
	return code, nil
}

// Fill is given each directive and returns its block's new contents.
type Fill func(d Directive) (string, error)

// Rewrite returns md with every directive's block replaced by what fill
// returns, leaving everything else as it was. name is used in errors.
func Rewrite(name string, md []byte, fill Fill) ([]byte, error) {
	return RewriteBlocks(name, md, func(d Directive) (Block, error) {
		body, err := fill(d)
		return Block{Info: d.Lang, Body: body}, err
	})
}

// A Block is a fenced code block: its info string (such as "go") and its
// contents, without a final newline.
type Block struct{ Info, Body string }

// RewriteBlocks is Rewrite for callers that also change each block's info
// string, such as a renderer passing highlighting attributes on.
func RewriteBlocks(name string, md []byte, fill func(d Directive) (Block, error)) ([]byte, error) {
	ds, err := Parse(name, md)
	if err != nil {
		return nil, err
	}
	lines := splitLines(md)
	var out []string
	prev := 0
	for _, d := range ds {
		b, err := fill(d)
		if err != nil {
			if _, ok := err.(*Error); ok {
				return nil, err
			}
			return nil, &Error{File: name, Line: d.Line, Directive: d.Text, Err: err}
		}
		out = append(out, lines[prev:d.start]...)
		fence := d.fence
		for strings.Contains(b.Body, fence) {
			fence += fence[:1] // a longer fence than any the body holds
		}
		out = append(out, d.indent+fence+b.Info)
		if b.Body != "" {
			for _, l := range strings.Split(b.Body, "\n") {
				if l != "" {
					l = d.indent + l
				}
				out = append(out, l)
			}
		}
		out = append(out, d.indent+fence)
		prev = d.end + 1
	}
	out = append(out, lines[prev:]...)
	res := strings.Join(out, "\n")
	if bytes.HasSuffix(md, []byte("\n")) {
		res += "\n"
	}
	return []byte(res), nil
}

// Expand returns md with each include block filled from lesson and each
// output block from output (which may be nil to keep what the file holds).
func Expand(name string, md []byte, lesson fs.FS, output Fill) ([]byte, error) {
	r := NewResolver(lesson)
	return Rewrite(name, md, func(d Directive) (string, error) {
		if d.Kind == KindOutput {
			if output == nil {
				return d.Body, nil
			}
			return output(d)
		}
		return r.Resolve(d)
	})
}

func splitLines(md []byte) []string {
	s := strings.ReplaceAll(string(md), "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// openingFence reports whether line opens a fenced code block, and returns
// its fence and info string.
func openingFence(line string) (fence, info string, ok bool) {
	for _, c := range []byte{'`', '~'} {
		n := 0
		for n < len(line) && line[n] == c {
			n++
		}
		if n >= 3 {
			info = strings.TrimSpace(line[n:])
			if c == '`' && strings.Contains(info, "`") {
				return "", "", false
			}
			return line[:n], info, true
		}
	}
	return "", "", false
}

func isClosingFence(line, fence string) bool {
	n := 0
	for n < len(line) && line[n] == fence[0] {
		n++
	}
	return n >= len(fence) && strings.TrimSpace(line[n:]) == ""
}

// dedent removes the leading white space common to every non-blank line.
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	prefix := ""
	first := true
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		ws := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = ws, false
			continue
		}
		for !strings.HasPrefix(ws, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	if prefix == "" {
		return s
	}
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, prefix)
		if strings.TrimSpace(lines[i]) == "" {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}
