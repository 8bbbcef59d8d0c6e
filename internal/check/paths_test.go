package check

import (
	"path/filepath"
	"testing"
)

// Messages name the learner's files as the learner knows them, wherever
// the go command ran and however it named them.
func TestRename(t *testing.T) {
	root := t.TempDir()
	abs := filepath.Join(root, "01-basic")
	ex := Exercise{Dir: "01-basic", Show: "learn/01-basic"}
	tests := []struct{ in, want string }{
		{"01-basic/exercise.go:56:2: undefined: bgtasks", "learn/01-basic/exercise.go:56:2: undefined: bgtasks"},
		{"add import \"x\" to 01-basic/exercise.go.", "add import \"x\" to learn/01-basic/exercise.go."},
		{"at " + abs + "/exercise.go:12", "at learn/01-basic/exercise.go:12"},
		{"found packages a (a.go) and b (b.go) in " + abs, "found packages a (a.go) and b (b.go) in learn/01-basic"},
		{"found packages a (a.go) and b (b.go) in " + abs + "\nnext", "found packages a (a.go) and b (b.go) in learn/01-basic\nnext"},
		// A longer path that contains the folder's name is another path.
		{"see lessons/01-basic/exercise/check_test.go", "see lessons/01-basic/exercise/check_test.go"},
		{"01-basicx/y.go:1:1: z", "01-basicx/y.go:1:1: z"},
		{abs + "x/y.go", abs + "x/y.go"},
	}
	for _, tt := range tests {
		if got := ex.rename(root, tt.in); got != tt.want {
			t.Errorf("rename(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
		}
	}
}

// Without Show, an absolute path becomes the folder relative to the root,
// and a relative one stays.
func TestRenameWithoutShow(t *testing.T) {
	root := t.TempDir()
	ex := Exercise{Dir: "lessons/01-basic/exercise"}
	in := "at " + filepath.Join(root, "lessons", "01-basic", "exercise", "x.go") + ":7\nlessons/01-basic/exercise/x.go:3:1: bad"
	want := "at lessons/01-basic/exercise/x.go:7\nlessons/01-basic/exercise/x.go:3:1: bad"
	if got := ex.rename(root, in); got != want {
		t.Errorf("rename =\n%q\nwant\n%q", got, want)
	}
}
