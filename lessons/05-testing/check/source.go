package check

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// learnerFile is the file the learner writes the test in.
const learnerFile = "notification_test.go"

// A source is the learner's test file as the check reads it: what it can
// tell from the code without running it. Behaviour decides the verdict
// wherever it can; the source names the cause in the messages, and rejects
// what behaviour cannot see.
type source struct {
	pkg      string         // the file's package name
	fset     *token.FileSet // its positions
	test     *ast.FuncDecl  // func TestNotification(t *testing.T), nil if there is none
	testMain bool           // the file declares TestMain

	sleeps  []token.Pos // calls of time.Sleep
	timers  []token.Pos // time.After, time.Tick, time.NewTimer, time.NewTicker, time.AfterFunc
	polls   []token.Pos // for loops that read a file or the runner's Stats each time round
	stats   bool        // one of polls asks the runner's Stats, not a file
	fatals  []token.Pos // t.Fatal and the like inside a function handed to other code
	waits   []token.Pos // in the test: calls of a Wait or Shutdown method
	reads   []token.Pos // in the test: os.ReadFile, os.Open, os.Stat
	reports bool        // something calls t.Error, t.Errorf, t.Fatal, t.Fatalf, t.Fail or t.FailNow

	synchronous bool // bgtasks.Synchronous appears
	server      bool // httptest.NewServer and the like appear
	recorder    bool // httptest.NewRecorder appears
}

// parseSource reads the learner's test file in dir, as seen through o.
func parseSource(dir string, o overlay) (*source, error) {
	path := filepath.Join(dir, learnerFile)
	b, err := o.read(path)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, learnerFile, b, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	s := &source{pkg: f.Name.Name, fset: fset}
	imports := importNames(f)
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil {
			continue
		}
		switch {
		case fn.Name.Name == "TestMain":
			s.testMain = true
		case fn.Name.Name == testName && isTestingT(fn.Type, imports["testing"]):
			s.test = fn
		}
	}
	s.inspect(f, imports)
	return s, nil
}

// importNames maps each imported path to the name the file uses for it.
func importNames(f *ast.File) map[string]string {
	names := map[string]string{}
	for _, im := range f.Imports {
		path, _ := strconv.Unquote(im.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		names[path] = name
	}
	return names
}

// isTestingT reports whether ft is func(x *testing.T), testing being named
// pkg in the file.
func isTestingT(ft *ast.FuncType, pkg string) bool {
	if pkg == "" || ft.Params == nil || len(ft.Params.List) != 1 || len(ft.Params.List[0].Names) > 1 {
		return false
	}
	star, ok := ft.Params.List[0].Type.(*ast.StarExpr)
	return ok && isSel(star.X, pkg, "T")
}

func isSel(e ast.Expr, pkg, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	id, ok := sel.X.(*ast.Ident)
	return ok && pkg != "" && id.Name == pkg
}

// inspect walks the whole file, helpers included, and fills in the facts.
func (s *source) inspect(f *ast.File, imports map[string]string) {
	timePkg, osPkg, httptestPkg := imports["time"], imports["os"], imports["net/http/httptest"]
	synctestPkg := imports["testing/synctest"]
	bgtasksPkg := imports["github.com/bgtasks/tutorial/bgtasks"]
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		inTest := s.test != nil && n.Pos() >= s.test.Pos() && n.End() <= s.test.End()
		switch n := n.(type) {
		case *ast.ForStmt:
			if file, stats := readsEachRound(n, osPkg); file || stats {
				s.polls = append(s.polls, n.Pos())
				s.stats = s.stats || (stats && !file)
			}
		case *ast.CallExpr:
			fun := n.Fun
			switch {
			case isSel(fun, timePkg, "Sleep"):
				s.sleeps = append(s.sleeps, n.Pos())
			case slices.ContainsFunc([]string{"After", "Tick", "NewTimer", "NewTicker", "AfterFunc"}, func(name string) bool { return isSel(fun, timePkg, name) }):
				s.timers = append(s.timers, n.Pos())
			case isSel(fun, bgtasksPkg, "Synchronous"):
				s.synchronous = true
			case isSel(fun, httptestPkg, "NewServer"), isSel(fun, httptestPkg, "NewTLSServer"), isSel(fun, httptestPkg, "NewUnstartedServer"):
				s.server = true
			case isSel(fun, httptestPkg, "NewRecorder"):
				s.recorder = true
			case inTest && (isSel(fun, osPkg, "ReadFile") || isSel(fun, osPkg, "Open") || isSel(fun, osPkg, "Stat")):
				s.reads = append(s.reads, n.Pos())
			}
			sel, ok := fun.(*ast.SelectorExpr)
			if !ok {
				break
			}
			switch sel.Sel.Name {
			case "Wait", "Shutdown":
				if inTest && !isSel(fun, synctestPkg, "Wait") {
					s.waits = append(s.waits, n.Pos())
				}
			case "Errorf", "Fatal", "Fatalf", "Fail", "FailNow":
				s.reports = true
			case "Error":
				s.reports = s.reports || len(n.Args) > 0 // not err.Error()
			}
			if stopsTest(sel.Sel.Name) && handedOver(stack, sel.X, imports["testing"], synctestPkg) {
				s.fatals = append(s.fatals, n.Pos())
			}
		}
		return true
	})
}

// readsEachRound reports whether loop reads a file, or asks a runner for
// its Stats, in its condition or body: it waits by looking again and again.
// The messages name what it looks at.
func readsEachRound(loop *ast.ForStmt, osPkg string) (file, stats bool) {
	ast.Inspect(loop, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			for _, name := range []string{"ReadFile", "Open", "Stat", "Lstat", "ReadDir"} {
				file = file || isSel(call.Fun, osPkg, name)
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Stats" {
				stats = true
			}
		}
		return true
	})
	return file, stats
}

// polled names what the test's polling loops look at, for the messages.
func (s *source) polled() string {
	if s.stats {
		return "the runner's Stats change"
	}
	return "log.txt changes"
}

// stopsTest reports whether a method of that name stops the test's
// goroutine, which testing allows only on the test's own goroutine.
func stopsTest(name string) bool {
	switch name {
	case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
		return true
	}
	return false
}

// handedOver reports whether x, the receiver of a call at the top of stack,
// is the *testing.T of an enclosing function, and the call sits in a
// function literal between the two that the code hands to someone else to
// call: an argument of a call (a task for Add, a handler, a SendFunc) or a
// go statement. The T's own Run and Cleanup call theirs where t.Fatal
// works, so those do not count; nor does synctest.Test, for the T it hands
// its function, which is the bubble's own and may stop it.
func handedOver(stack []ast.Node, x ast.Expr, testingPkg, synctestPkg string) bool {
	id, ok := x.(*ast.Ident)
	if !ok {
		return false
	}
	handed := false
	for i := len(stack) - 1; i >= 0; i-- {
		var ft *ast.FuncType
		switch fn := stack[i].(type) {
		case *ast.FuncDecl:
			ft = fn.Type
		case *ast.FuncLit:
			ft = fn.Type
			if handsOver(stack[:i], fn, id.Name) && !bubbleOwn(stack[:i], fn, id.Name, testingPkg, synctestPkg) {
				handed = true
			}
		default:
			continue
		}
		if declaresT(ft, id.Name, testingPkg) {
			return handed
		}
	}
	return false
}

// handsOver reports whether lit, whose enclosing nodes are outer, is passed
// to code that may call it on another goroutine: as an argument of a call,
// or by a go statement.
func handsOver(outer []ast.Node, lit *ast.FuncLit, t string) bool {
	if len(outer) == 0 {
		return false
	}
	call, ok := outer[len(outer)-1].(*ast.CallExpr)
	switch {
	case !ok:
		return false
	case call.Fun == lit: // called right here, unless by go
		_, isGo := nodeAt(outer, 2).(*ast.GoStmt)
		return isGo
	}
	if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == t && (sel.Sel.Name == "Run" || sel.Sel.Name == "Cleanup") {
			return false
		}
	}
	return slices.Contains(call.Args, ast.Expr(lit))
}

// bubbleOwn reports whether lit, whose enclosing nodes are outer, is the
// function of synctest.Test(_, lit) and declares t itself: synctest runs it
// on the bubble's goroutine with a T of its own, where t.Fatal stops the
// bubble as it would a subtest. The outer test's T, used in there, is
// still handed over, as is t in a goroutine or hook inside the bubble.
func bubbleOwn(outer []ast.Node, lit *ast.FuncLit, t, testingPkg, synctestPkg string) bool {
	call, ok := nodeAt(outer, 1).(*ast.CallExpr)
	return ok && isSel(call.Fun, synctestPkg, "Test") && len(call.Args) == 2 && call.Args[1] == ast.Expr(lit) &&
		declaresT(lit.Type, t, testingPkg)
}

// nodeAt returns the nth node from the end of stack, or nil.
func nodeAt(stack []ast.Node, n int) ast.Node {
	if len(stack) < n {
		return nil
	}
	return stack[len(stack)-n]
}

// declaresT reports whether ft has a parameter named t of type *testing.T
// or testing.TB.
func declaresT(ft *ast.FuncType, t, testingPkg string) bool {
	if ft.Params == nil {
		return false
	}
	for _, field := range ft.Params.List {
		typ := field.Type
		if star, ok := typ.(*ast.StarExpr); ok {
			typ = star.X
		}
		if !isSel(typ, testingPkg, "T") && !isSel(typ, testingPkg, "TB") {
			continue
		}
		for _, name := range field.Names {
			if name.Name == t {
				return true
			}
		}
	}
	return false
}

// line returns the line of pos in the learner's file.
func (s *source) line(pos token.Pos) int { return s.fset.Position(pos).Line }

// at names the lines of ps: "line 12" or "lines 12 and 30".
func (s *source) at(ps []token.Pos) string {
	var lines []string
	for _, p := range ps {
		if l := strconv.Itoa(s.line(p)); !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	switch len(lines) {
	case 0:
		return ""
	case 1:
		return "line " + lines[0]
	}
	return fmt.Sprintf("lines %s and %s", strings.Join(lines[:len(lines)-1], ", "), lines[len(lines)-1])
}
