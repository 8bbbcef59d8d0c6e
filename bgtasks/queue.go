package bgtasks

import "strconv"

// queue holds one request's tasks. This file is the package's bookkeeping:
// the only code that changes a queue or Stats. Every function in it, and
// every field below the blank line, is guarded by runner.mu.
type queue struct {
	runner *Runner
	method string
	path   string

	id    uint64 // 0 until the first Add; then numbers the request, from 1
	added int    // tasks ever added, refused ones included
	state queueState

	// The tasks waiting, in order: first, first.next, and so on to last. A
	// linked list rather than a slice spares each request an allocation.
	first, last *task
	running     *task // started and not yet counted; nil if none

	// While it has a task waiting or running, and only then, the queue is
	// in runner.active, at index slot.
	slot int
}

// queueState says who starts a queue's next task.
type queueState int

const (
	handling queueState = iota // the handler is running; the middleware starts the tasks
	draining                   // drain is running them
	idle                       // nothing to run: the next Add starts a drain
	refusing                   // the handler panicked: every Add is abandoned
)

// number gives tk its place in its queue, and counts it queued.
func (r *Runner) number(tk *task) {
	q := tk.q
	if q.id == 0 {
		r.lastID++
		q.id = r.lastID
	}
	tk.index = q.added
	q.added++
	if tk.name == "" {
		tk.name = "task " + strconv.Itoa(q.added)
	}
	r.stats.Queued++
}

// accept puts tk at the end of its queue, and reports whether the queue was
// idle, in which case the caller must start it. If the queue takes no task
// now, accept counts tk abandoned instead, and says why.
func (r *Runner) accept(tk *task) (start bool, refused error) {
	q := tk.q
	switch {
	case r.closed:
		refused = errRefused
	case q.state == refusing:
		refused = errHandlerPanic
	}
	if refused != nil {
		r.stats.Abandoned++
		return false, refused
	}
	if q.first == nil && q.running == nil {
		r.activate(q)
	}
	if q.last == nil {
		q.first = tk
	} else {
		q.last.next = tk
	}
	q.last = tk
	r.pending++
	if q.state != idle {
		return false, nil
	}
	q.state = draining
	return true, nil
}

// handled records that q's handler has returned, and reports whether q has
// tasks for the caller to start.
func (r *Runner) handled(q *queue) (start bool) {
	if q.first == nil {
		q.state = idle
		return false
	}
	q.state = draining
	return true
}

// take starts q's next task and returns it, or, if there is none, marks q
// idle and returns nil.
func (r *Runner) take(q *queue) *task {
	tk := q.first
	if tk == nil {
		q.state = idle
		return nil
	}
	q.first = tk.next
	if q.first == nil {
		q.last = nil
	}
	q.running = tk
	r.stats.Running++
	return tk
}

// settle counts tk, which ran and returned err, as completed or failed. It
// returns false if tk was counted abandoned while it ran, when Shutdown's
// deadline passed.
func (r *Runner) settle(tk *task, err error) bool {
	q := tk.q
	if q.running != tk {
		return false
	}
	q.running = nil
	if q.first == nil {
		r.deactivate(q)
	}
	r.stats.Running--
	if err == nil {
		r.stats.Completed++
	} else {
		r.stats.Failed++
	}
	return true
}

// cut takes q's running task, if any, and its waiting ones, and counts them
// all abandoned. Their reports are the caller's to make.
func (r *Runner) cut(q *queue) []*task {
	var lost []*task
	if q.running != nil {
		lost = append(lost, q.running)
		q.running = nil
		r.stats.Running--
	}
	for tk := q.first; tk != nil; tk = tk.next {
		lost = append(lost, tk)
	}
	q.first, q.last = nil, nil
	if len(lost) > 0 {
		r.deactivate(q)
	}
	r.stats.Abandoned += len(lost)
	return lost
}

// activate adds q, which has just been given a task, to runner.active.
func (r *Runner) activate(q *queue) {
	q.slot = len(r.active)
	r.active = append(r.active, q)
}

// deactivate removes q, which has no task left, from runner.active, moving
// the last queue there into its slot.
func (r *Runner) deactivate(q *queue) {
	end := len(r.active) - 1
	last := r.active[end]
	r.active[q.slot], last.slot = last, q.slot
	r.active[end] = nil
	r.active = r.active[:end]
}

// done records that n counted tasks have also been reported, so that they
// are no longer pending. When none is, Wait returns.
func (r *Runner) done(n int) {
	r.pending -= n
	if r.pending == 0 && r.idle != nil {
		close(r.idle)
		r.idle = nil
	}
}
