package bgtasks

import (
	"context"
	"runtime/debug"
	"time"
)

// start drains q: on the caller's goroutine in synchronous mode, otherwise
// on a new one, once the limit, if any, has a free slot for it.
func (r *Runner) start(q *queue) {
	if r.sync {
		r.drain(q)
		return
	}
	if r.slots != nil {
		if err := r.acquire(); err != nil {
			r.abandonQueue(q, err, idle)
			return
		}
	}
	go r.drain(q)
}

// acquire takes a slot, or says why the overflow policy refused to wait for
// one.
func (r *Runner) acquire() error {
	select {
	case r.slots <- struct{}{}:
		return nil
	default:
	}
	if r.overflow == Drop {
		return errOverloaded
	}
	select {
	case r.slots <- struct{}{}:
		return nil
	case <-r.stop.Done():
		return errRunnerStopped
	}
}

// drain runs q's tasks one by one until none is left, then gives back the
// slot that start took.
func (r *Runner) drain(q *queue) {
	ended := false
	defer func() {
		if !ended {
			r.goexited(q)
		}
	}()
	for {
		r.mu.Lock()
		tk := r.take(q)
		r.mu.Unlock()
		if tk == nil {
			break
		}
		r.run(tk)
	}
	ended = true
	if r.slots != nil {
		<-r.slots
	}
}

// goexited carries on after runtime.Goexit has ended a goroutine that was
// draining q, once run has counted the task that called it. The rest of q
// runs on a new goroutine, which inherits the slot. In synchronous mode that
// goroutine was the caller's, typically a test that t.Fatal is ending, so
// the rest is abandoned rather than left to run after the test.
func (r *Runner) goexited(q *queue) {
	if r.sync {
		r.abandonQueue(q, errCallerGone, idle)
		return
	}
	go r.drain(q)
}

// run runs tk and counts it however it ends: returning, panicking, or
// calling runtime.Goexit. A Goexit unwinds the goroutine running only its
// deferred calls, hence the deferred end.
func (r *Runner) run(tk *task) {
	tk.run = r.detach(tk.ctx)
	ctx := &tk.run
	start := time.Now()
	var err error
	returned := false
	defer func() {
		var stack []byte
		if !returned {
			err, stack = ErrGoexit, debug.Stack()
		}
		r.end(ctx, tk, start, err, stack)
	}()
	r.emit(tk, Started, start, nil)
	err = call(ctx, tk.fn)
	returned = true
}

// call runs fn, turning a panic into a *PanicError.
func call(ctx context.Context, fn Func) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}

// end counts tk, which ran from start and ended with err, then reports it.
// It is no longer pending only once reported, so that Wait covers the
// reporting: a test that returns from Wait sees what its hook recorded.
func (r *Runner) end(ctx context.Context, tk *task, start time.Time, err error, stack []byte) {
	r.mu.Lock()
	counted := r.settle(tk, err)
	quiet := counted && err == nil && r.observe == nil
	if quiet {
		r.done(1) // nothing to report: spare a second lock on the commonest path
	}
	r.mu.Unlock()
	if quiet {
		return
	}
	if !counted {
		r.lateReturn(ctx, tk, start, err)
		return
	}
	defer r.reported(1) // deferred: a hook that calls runtime.Goexit must not leave tk pending
	if err == nil {
		r.emit(tk, Completed, start, nil)
		return
	}
	r.failed(ctx, tk, start, err, stack)
}

// abandonQueue counts q's running and waiting tasks abandoned, leaves q in
// state, and reports each task.
func (r *Runner) abandonQueue(q *queue, why error, state queueState) {
	r.mu.Lock()
	lost := r.cut(q)
	q.state = state
	r.mu.Unlock()
	r.abandonAll(lost, why)
}

// abandonAll reports tasks that cut has counted abandoned.
func (r *Runner) abandonAll(lost []*task, why error) {
	defer r.reported(len(lost))
	for _, tk := range lost {
		r.abandon(tk, why)
	}
}

// reported records that n counted tasks have been reported: they are no
// longer pending.
func (r *Runner) reported(n int) {
	if n == 0 {
		return
	}
	r.mu.Lock()
	r.done(n)
	r.mu.Unlock()
}
