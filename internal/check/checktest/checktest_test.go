package checktest_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/bgtasks/tutorial/internal/check/checktest"
	"github.com/bgtasks/tutorial/internal/tour"
)

// The check a lesson's tests run is the one the tutor runs.
func TestExerciseIsTheTutors(t *testing.T) {
	for _, l := range tour.All() {
		if got, want := checktest.Exercise(t, l.Slug), l.Exercise(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: checktest runs %+v; the tutor runs %+v", l.Slug, got, want)
		}
	}
}

// The answer of lesson 01 holds the lines that queue its tasks, and not the
// starter's code around them or lines common to every program.
func TestAnswerOf(t *testing.T) {
	a := checktest.AnswerOf(t, "01-basic")
	if a.In(`tasks.Add("write audit", func(ctx context.Context) error { return s.writeAudit(o) })`) == "" {
		t.Errorf("the answer misses the task that writes the audit line: %q", a)
	}
	if a.In("then pass s.sendConfirmation(ctx, o) as the mail") == "" {
		t.Errorf("the answer misses what a one-line func literal returns: %q", a)
	}
	if leak := a.In(`writeJSON(w, http.StatusAccepted, map[string]string{"message": "Order received"})`); leak != "" {
		t.Errorf("the starter's own reply counts as the answer: %q", leak)
	}
	if slices.Contains(a, "}") || a.In("return err\n}") != "" {
		t.Errorf("short, common lines count as the answer: %q", a)
	}
}
