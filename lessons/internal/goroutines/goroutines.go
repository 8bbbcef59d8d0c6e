// Package goroutines reads what each goroutine of the process is doing
// from the runtime's own account, as runtime.Stack prints it. The lessons'
// checks use it to tell a call that waits for a lock from one that does not:
// a goroutine parked on a lock or on I/O stays parked until something else
// acts, so a state read from it lasts, and a verdict drawn from it does not
// depend on timing.
package goroutines

import (
	"bytes"
	"runtime"
	"strings"
)

// ID returns the calling goroutine's number, as its stack trace
// shows it.
func ID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return string(bytes.Fields(buf)[1]) // "goroutine 7 [running]:"
}

// A G is one goroutine's entry in the runtime's account.
type G struct {
	Status string // why it waits, such as "IO wait" or "sync.Mutex.Lock", or "running"
	Stack  string // its trace, from the header line on
}

// All returns every goroutine of the process, by number.
func All() map[string]G {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	all := map[string]G{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		// "goroutine 7 [sync.Mutex.Lock, 2 minutes]:"
		rest, ok := strings.CutPrefix(g, "goroutine ")
		id, rest, ok2 := strings.Cut(rest, " [")
		status, _, ok3 := strings.Cut(rest, "]")
		if !ok || !ok2 || !ok3 {
			continue
		}
		status, _, _ = strings.Cut(status, ",")
		all[id] = G{Status: status, Stack: g}
	}
	return all
}

// OnLock says whether g waits for a sync.Mutex or sync.RWMutex.
func (g G) OnLock() bool {
	return strings.HasPrefix(g.Status, "sync.Mutex.Lock") || strings.HasPrefix(g.Status, "sync.RWMutex.")
}

// WaitsForOthers says whether g is parked until another goroutine lets it
// go: on a lock, a channel or a condition. Sleeping is not: it ends by
// itself.
func (g G) WaitsForOthers() bool {
	if g.OnLock() {
		return true
	}
	for _, s := range []string{"sync.Cond.Wait", "sync.WaitGroup.Wait", "semacquire", "chan send", "chan receive", "select"} {
		if strings.HasPrefix(g.Status, s) {
			return true
		}
	}
	return false
}

// InIO says whether g is parked on a file that is not ready; reading says
// it was reading rather than writing.
func (g G) InIO() (waiting, reading bool) {
	return g.Status == "IO wait", strings.Contains(g.Stack, "os.(*File).Read")
}

// StartedBy says whether g was started by the goroutine numbered id.
func (g G) StartedBy(id string) bool {
	return strings.Contains(g.Stack, "\ncreated by ") && strings.Contains(g.Stack, " in goroutine "+id+"\n")
}
