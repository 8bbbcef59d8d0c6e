// Package tour is the tutorial as the tutor drives it: every lesson of the
// index together with the scenario that plays its app. It is the one place
// that links the lessons' apps, so the packages below it stay data (the
// index), tools (scenario, check) or lessons, and the site and the command
// line above it share one list.
package tour

import (
	"fmt"
	"strings"
	"time"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/lessons"
	basic "github.com/bgtasks/tutorial/lessons/01-basic/check"
	async "github.com/bgtasks/tutorial/lessons/02-async/check"
	dependencies "github.com/bgtasks/tutorial/lessons/03-dependencies/check"
	failures "github.com/bgtasks/tutorial/lessons/04-errors/check"
	apptests "github.com/bgtasks/tutorial/lessons/05-testing/check"
	durable "github.com/bgtasks/tutorial/lessons/06-durable/check"
)

// A Lesson is one lesson of the index with the scenario that runs its app.
type Lesson struct {
	lessons.Lesson
	App   scenario.App
	Steps scenario.Steps
	// Timeout bounds a run of the scenario: scenario.Timeout unless the
	// lesson needs longer.
	Timeout time.Duration
}

var scenarios = map[string]Lesson{
	"01-basic":        {App: basic.App, Steps: basic.Scenario},
	"02-async":        {App: async.App, Steps: async.Scenario},
	"03-dependencies": {App: dependencies.App, Steps: dependencies.Scenario},
	"04-errors":       {App: failures.App, Steps: failures.Scenario},
	"05-testing":      {App: apptests.App, Steps: apptests.Scenario},
	// The first run builds lesson 06's shop, a program of its own so that
	// the tutor does not link River and SQLite: on a cold build cache that
	// takes a minute and a half. The run itself waits out River's rescue
	// of the jobs a kill interrupted, about 20 s.
	"06-durable": {App: durable.App, Steps: durable.Scenario, Timeout: 4 * time.Minute},
}

var all = func() []Lesson {
	var ls []Lesson
	for _, l := range lessons.All() {
		t, ok := scenarios[l.Slug]
		if !ok {
			panic(fmt.Sprintf("tour: lesson %s has no scenario", l.Slug))
		}
		t.Lesson = l
		if t.Timeout == 0 {
			t.Timeout = scenario.Timeout
		}
		ls = append(ls, t)
	}
	return ls
}()

// All returns every lesson, in order.
func All() []Lesson { return append([]Lesson(nil), all...) }

// Find returns the lesson named as lessons.Find accepts it.
func Find(name string) (Lesson, error) {
	l, err := lessons.Find(name)
	if err != nil {
		return Lesson{}, err
	}
	for _, t := range all {
		if t.Slug == l.Slug {
			return t, nil
		}
	}
	return Lesson{}, fmt.Errorf("tour: lesson %s has no scenario", strings.TrimSpace(l.Slug))
}

// Exercise is what the check runner needs to check the course's own copy
// of l's exercise in the repository: the starter, or with an overlay a
// solution. The learner's copy is checked by Check.
//
// It sets no Hint: the lesson's hints may give the answer away, so a
// learner asks for them one at a time rather than being shown the first.
func (l Lesson) Exercise() check.Exercise {
	return check.Exercise{Lesson: l.Slug, Dir: l.Dir() + "/exercise", Race: l.Race}
}
