package check

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tutorcheck "github.com/bgtasks/tutorial/internal/check"
)

// TestCheckAsTheTutorRunsIt runs the exercise's check_test.go as the
// tutor's check runner does, with go test -tags check: the starter fails at
// step 3 with a hint, and the solution, put in the starter's place by an
// overlay given in GOFLAGS, passes, which it can only do if the check's own
// builds see that overlay too.
func TestCheckAsTheTutorRunsIt(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ex := tutorcheck.Exercise{Lesson: "05-testing", Dir: "lessons/05-testing/exercise"}

	res, err := tutorcheck.Run(t.Context(), root, ex)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || res.Step != "3/11" || !strings.HasPrefix(res.Message, "your test passed where it must fail") || res.Hint == "" {
		t.Errorf("the starter: passed %v, step %q, message %q, hint %q; want step 3/11 with a hint\n%s",
			res.Passed, res.Step, res.Message, res.Hint, res.Output)
	}

	b, err := json.Marshal(map[string]any{"Replace": asLearner(t, solutionFile(t))})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "overlay.json")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOFLAGS", strings.TrimSpace(os.Getenv("GOFLAGS")+" -overlay="+file))
	res, err = tutorcheck.Run(t.Context(), root, ex)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed {
		t.Errorf("the solution: step %q, message %q\n%s", res.Step, res.Message, res.Output)
	}
}
