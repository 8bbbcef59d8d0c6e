package bgtasks

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"
)

// The functions here tell the log, the observer and the error hook what
// became of a task. They run without r.mu held, since the observer and the
// hook are the user's code and may call back into the Runner.

// emit tells the observer, if any, of one step of tk. start is when tk
// started, for the duration of Completed and Failed.
func (r *Runner) emit(tk *task, kind EventKind, start time.Time, err error) {
	if r.observe == nil {
		return
	}
	now := time.Now()
	e := Event{Kind: kind, Task: tk.name, Request: tk.q.id, Index: tk.index,
		Method: tk.q.method, Path: tk.q.path, Time: now, Err: err}
	if kind == Completed || kind == Failed {
		e.Duration = now.Sub(start)
	}
	r.safely(tk.ctx, tk, "observer", func() { r.observe(e) })
}

// failed reports a task that ran and did not complete. stack is where it
// called runtime.Goexit, if it did.
func (r *Runner) failed(ctx context.Context, tk *task, start time.Time, err error, stack []byte) {
	took := time.Since(start)
	if p, ok := err.(*PanicError); ok {
		stack = p.Stack
	}
	attrs := taskAttrs(tk, slog.Duration("duration", took), slog.Any("error", err))
	if stack != nil {
		attrs = append(attrs, slog.String("stack", string(stack)))
	}
	r.log.LogAttrs(ctx, slog.LevelError, "background task failed", attrs...)
	r.emit(tk, Failed, start, err)
	r.hook(ctx, tk, took, err)
}

// abandon reports a task that will never run to its end.
func (r *Runner) abandon(tk *task, why error) {
	dc := r.detach(tk.ctx) // not tk.run, which a task still running may be using
	ctx := &dc
	r.log.LogAttrs(ctx, slog.LevelWarn, "background task abandoned", taskAttrs(tk, slog.Any("reason", why))...)
	r.emit(tk, Abandoned, time.Time{}, why)
	r.hook(ctx, tk, 0, why)
}

// lateReturn logs a task that ended after Shutdown's deadline had counted
// it abandoned.
func (r *Runner) lateReturn(ctx context.Context, tk *task, start time.Time, err error) {
	r.log.LogAttrs(ctx, slog.LevelWarn, "abandoned background task returned",
		taskAttrs(tk, slog.Duration("duration", time.Since(start)), slog.Any("error", err))...)
}

func (r *Runner) hook(ctx context.Context, tk *task, took time.Duration, err error) {
	if r.onError == nil {
		return
	}
	te := &TaskError{Task: tk.name, Method: tk.q.method, Path: tk.q.path, Duration: took, Err: err}
	r.safely(ctx, tk, "error hook", func() { r.onError(ctx, te) })
}

// safely calls fn, the user's hook or observer, named who, on behalf of tk.
// A panic there is logged and recovered: it must not crash the server, nor
// stop the counting of tasks. A runtime.Goexit cannot be stopped; it is
// logged, and the deferred calls of run and drain still count the task and
// carry on with the queue.
func (r *Runner) safely(ctx context.Context, tk *task, who string, fn func()) {
	returned := false
	defer func() {
		if returned {
			return
		}
		msg, v := "bgtasks: "+who+" called runtime.Goexit", recover()
		if v != nil {
			msg = "bgtasks: " + who + " panicked"
		}
		r.log.LogAttrs(ctx, slog.LevelError, msg,
			taskAttrs(tk, slog.Any("panic", v), slog.String("stack", string(debug.Stack())))...)
	}()
	fn()
	returned = true
}

// taskAttrs names tk and its request in a log record, before more.
func taskAttrs(tk *task, more ...slog.Attr) []slog.Attr {
	return append([]slog.Attr{
		slog.String("task", tk.name),
		slog.String("method", tk.q.method),
		slog.String("path", tk.q.path),
	}, more...)
}
