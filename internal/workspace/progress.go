package workspace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// ProgressFile is the record of progress, in the workspace: the one record
// that the command line, the contents page and every lesson page read.
const ProgressFile = "progress.json"

// A Verdict is how one check went, as the record keeps it.
type Verdict struct {
	At      time.Time `json:"at"`
	Passed  bool      `json:"passed"`
	Step    string    `json:"step,omitempty"`    // "N/M", the step that failed
	Message string    `json:"message,omitempty"` // what was wrong
	Error   string    `json:"error,omitempty"`   // why the check could not run
}

// A Record is what is known of one lesson's exercise.
type Record struct {
	PassedAt  time.Time `json:"passed_at,omitzero"` // when its check first passed
	Last      *Verdict  `json:"last,omitempty"`     // the latest check
	HintsSeen int       `json:"hints_seen,omitempty"`
}

// Progress is the record of every lesson, by the name of its folder.
type Progress map[string]Record

type progressFile struct {
	Lessons Progress `json:"lessons"`
}

// A State is where a lesson's exercise stands.
type State string

// The states of an exercise, in the order a learner meets them.
const (
	NotStarted State = "new"     // no folder yet: never opened
	Started    State = "started" // a folder, but no check has said anything of it
	Failing    State = "failing" // the latest check that ran failed
	Passed     State = "passed"  // the latest check passed
)

// State returns where the exercise in folder name stands by p.
func (w *Workspace) State(name string, p Progress) State {
	r := p[name]
	switch {
	case r.Last != nil && r.Last.Passed:
		return Passed
	case r.Last != nil && r.Last.Error == "":
		return Failing
	case w.Exists(name):
		return Started
	}
	return NotStarted
}

// progressMu serialises the tutor's own updates of the record. Two tutors at
// once (a watch beside the site) may still each write a whole record over
// the other's, losing one update: the next check writes it again.
var progressMu sync.Mutex

// Progress reads the record. A workspace without one has made no progress,
// and an unreadable record (edited by hand, say) reads as none, with an
// error that says so; the next update replaces it.
func (w *Workspace) Progress() (Progress, error) {
	b, err := os.ReadFile(w.Path(ProgressFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Progress{}, nil
	}
	if err != nil {
		return Progress{}, err
	}
	var f progressFile
	if err := json.Unmarshal(b, &f); err != nil {
		return Progress{}, fmt.Errorf("%s is not a record of progress (%v): it starts again at the next check", w.Show(ProgressFile), err)
	}
	if f.Lessons == nil {
		f.Lessons = Progress{}
	}
	return f.Lessons, nil
}

// Record keeps v as the latest verdict on the exercise in folder name.
func (w *Workspace) Record(name string, v Verdict) error {
	return w.update(name, func(r *Record) {
		r.Last = &v
		if v.Passed && r.PassedAt.IsZero() {
			r.PassedAt = v.At
		}
	})
}

// SawHint records that the learner has read the exercise's first n hints.
func (w *Workspace) SawHint(name string, n int) error {
	return w.update(name, func(r *Record) { r.HintsSeen = max(r.HintsSeen, n) })
}

func (w *Workspace) update(name string, change func(*Record)) error {
	progressMu.Lock()
	defer progressMu.Unlock()
	p, _ := w.Progress() // an unreadable record is replaced, as Progress says
	r := p[name]
	change(&r)
	p[name] = r
	b, err := json.MarshalIndent(progressFile{Lessons: p}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return err
	}
	return writeFile(w.Path(ProgressFile), append(b, '\n'))
}

// Restart forgets the latest verdict on the exercise in folder name, whose
// code it no longer describes once the starter is back; when it first
// passed, and the hints read, are kept.
func (w *Workspace) Restart(name string) error {
	return w.update(name, func(r *Record) { r.Last = nil })
}
