package bgtasks

import (
	"fmt"
	"time"
)

// EventKind names a step in a task's life.
type EventKind int

// A task is Queued, then Started, then Completed or Failed; or it is
// Abandoned at any point before it ends. The last three are the outcomes
// that Stats counts under the same names.
const (
	Queued EventKind = iota
	Started
	Completed
	Failed
	Abandoned
)

var kindNames = [...]string{"queued", "started", "completed", "failed", "abandoned"}

// String returns the kind's name, such as "started".
func (k EventKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("EventKind(%d)", int(k))
	}
	return kindNames[k]
}

// An Event is one step of one task, as seen by an observer set with
// WithObserver.
type Event struct {
	Kind EventKind
	Task string // the name given to Add

	// Request numbers the request's queue, from 1 in the order requests first
	// queued a task; Index is the task's position in that queue, from 0.
	// Together they identify a task.
	Request uint64
	Index   int

	Method string // the request's method
	Path   string // the request's URL path

	Time     time.Time     // when the step happened
	Duration time.Duration // Completed and Failed: how long the task ran
	Err      error         // Failed and Abandoned: why
}
