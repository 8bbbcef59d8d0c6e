package include

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
)

// declarations returns the source of every top-level declaration in a Go
// file, with its doc comment, by name: "Name" for a func, type, var or
// const, "Type.Method" for a method. A declaration inside a parenthesised
// group comes without the group.
func declarations(file string, src []byte) (map[string]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("cannot parse %s: %v", file, err)
	}
	span := func(doc *ast.CommentGroup, from, to token.Pos) string {
		if doc != nil {
			from = doc.Pos()
		}
		start := fset.Position(from).Offset
		end := fset.Position(to).Offset
		// Whole lines: from the start of the first, to the end of the last
		// (which keeps a trailing line comment).
		for start > 0 && src[start-1] != '\n' {
			start--
		}
		for end < len(src) && src[end] != '\n' {
			end++
		}
		return string(src[start:end])
	}
	decls := map[string]string{}
	add := func(name, code string) {
		if _, dup := decls[name]; !dup && name != "_" {
			decls[name] = code
		}
	}
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			add(funcName(decl), span(decl.Doc, decl.Pos(), decl.End()))
		case *ast.GenDecl:
			for _, spec := range decl.Specs {
				var names []*ast.Ident
				var doc *ast.CommentGroup
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					names, doc = []*ast.Ident{spec.Name}, spec.Doc
				case *ast.ValueSpec:
					names, doc = spec.Names, spec.Doc
				}
				for _, id := range names {
					if !decl.Lparen.IsValid() {
						add(id.Name, span(decl.Doc, decl.Pos(), decl.End()))
					} else {
						add(id.Name, span(doc, spec.Pos(), spec.End()))
					}
				}
			}
		}
	}
	return decls, nil
}

// funcName is "Name" for a function and "Type.Name" for a method.
func funcName(fn *ast.FuncDecl) string {
	if fn.Recv == nil || len(fn.Recv.List) == 0 {
		return fn.Name.Name
	}
	t := fn.Recv.List[0].Type
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
			continue
		case *ast.IndexExpr:
			t = x.X
			continue
		case *ast.IndexListExpr:
			t = x.X
			continue
		case *ast.ParenExpr:
			t = x.X
			continue
		}
		break
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fn.Name.Name
	}
	return fn.Name.Name
}

// marker reports whether line is a region marker, returning "region" or
// "endregion" and the region's name. Go's // and the # of shell, YAML and
// similar files both work.
func marker(line string) (kind, name string, ok bool) {
	if !strings.Contains(line, "region") {
		return "", "", false // most lines: no need to split them
	}
	t := strings.TrimSpace(line)
	switch {
	case strings.HasPrefix(t, "//"):
		t = t[2:]
	case strings.HasPrefix(t, "#"):
		t = t[1:]
	default:
		return "", "", false
	}
	fields := strings.Fields(t)
	if len(fields) != 2 || (fields[0] != "region" && fields[0] != "endregion") {
		return "", "", false
	}
	return fields[0], fields[1], true
}

// region returns the lines between "// region name" and "// endregion name".
func region(file string, src []byte, name string) (string, error) {
	lines := strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	start := -1
	for i, l := range lines {
		kind, n, ok := marker(l)
		if !ok || n != name {
			continue
		}
		switch {
		case kind == "region" && start >= 0:
			return "", fmt.Errorf("region %s opens twice in %s (line %d)", name, file, i+1)
		case kind == "region":
			start = i
		case start < 0:
			return "", fmt.Errorf("in %s, line %d ends region %s before it begins", file, i+1, name)
		default:
			return strings.Join(lines[start+1:i], "\n"), nil
		}
	}
	if start >= 0 {
		return "", fmt.Errorf("region %s in %s (line %d) has no // endregion %s", name, file, start+1, name)
	}
	return "", &noRegionError{file, name}
}

// noRegionError reports a region that is not there at all.
type noRegionError struct{ file, name string }

func (e *noRegionError) Error() string {
	return fmt.Sprintf("missing region: %s has no // region %s", e.file, e.name)
}

// dropMarkers removes region marker lines, which are for the tooling, not
// the reader.
func dropMarkers(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if _, _, ok := marker(l); !ok {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
