package check

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

// holdTask is the name of the task the holder queues; the check leaves it
// out of what it reports.
const holdTask = "check: hold"

// holder queues a task ahead of every request's own, which waits until
// let is called. Until then the request's tasks cannot start, so the check
// can look at what the handler did by itself, and the request's context is
// over by the time they run, as it would be under net/http.
type holder struct {
	release chan struct{}
	once    sync.Once
}

func (h *holder) hold(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add(holdTask, func(context.Context) error {
			<-h.release
			return nil
		})
		next.ServeHTTP(w, r)
	})
}

// let lets every held task, now and later, go on.
func (h *holder) let() { h.once.Do(func() { close(h.release) }) }

// journal keeps the runner's events, the holder's left out.
type journal struct {
	mu     sync.Mutex
	events []bgtasks.Event
}

func (j *journal) observe(e bgtasks.Event) {
	if e.Task == holdTask {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.events = append(j.events, e)
}

// mark returns how many events there are so far, for since and ended.
func (j *journal) mark() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.events)
}

// since returns the names of the tasks of the events after mark of kind k.
func (j *journal) since(mark int, k bgtasks.EventKind) []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var names []string
	for _, e := range j.events[mark:] {
		if e.Kind == k {
			names = append(names, e.Task)
		}
	}
	return names
}

// ended returns the event that ended the first task named task after mark,
// or a zero Event if none has.
func (j *journal) ended(mark int, task string) bgtasks.Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range j.events[mark:] {
		if e.Task == task && (e.Kind == bgtasks.Completed || e.Kind == bgtasks.Failed || e.Kind == bgtasks.Abandoned) {
			return e
		}
	}
	return bgtasks.Event{}
}

// quoteAll formats names as ["a", "b"].
func quoteAll(s []string) string {
	b, _ := json.Marshal(s)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}
