package check

import (
	"bytes"
	"runtime"
	"strings"
)

// The check tells what a call of the hook is doing from the runtime's own
// account of its goroutines, as runtime.Stack prints them: a goroutine
// parked on a lock or on I/O stays parked until something else acts, so a
// state read from it lasts, and a verdict drawn from it does not depend on
// timing.

// goroutineID returns the calling goroutine's number, as its stack trace
// shows it.
func goroutineID() string {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	return string(bytes.Fields(buf)[1]) // "goroutine 7 [running]:"
}

// A goroutine is one goroutine's entry in the runtime's account.
type goroutine struct {
	status string // why it waits, such as "IO wait" or "sync.Mutex.Lock", or "running"
	stack  string // its trace, from the header line on
}

// goroutines returns every goroutine of the process, by number.
func goroutines() map[string]goroutine {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	all := map[string]goroutine{}
	for _, g := range strings.Split(string(buf), "\n\n") {
		// "goroutine 7 [sync.Mutex.Lock, 2 minutes]:"
		rest, ok := strings.CutPrefix(g, "goroutine ")
		id, rest, ok2 := strings.Cut(rest, " [")
		status, _, ok3 := strings.Cut(rest, "]")
		if !ok || !ok2 || !ok3 {
			continue
		}
		status, _, _ = strings.Cut(status, ",")
		all[id] = goroutine{status: status, stack: g}
	}
	return all
}

// waitsForOthers says whether g is parked until another goroutine lets it
// go: on a lock, a channel or a condition. Sleeping is not: it ends by
// itself.
func (g goroutine) waitsForOthers() bool {
	for _, s := range []string{"sync.Mutex.Lock", "sync.RWMutex.", "sync.Cond.Wait", "sync.WaitGroup.Wait", "semacquire", "chan send", "chan receive", "select"} {
		if strings.HasPrefix(g.status, s) {
			return true
		}
	}
	return false
}

// inIO says whether g is parked on a file that is not ready; reading says
// it was reading rather than writing.
func (g goroutine) inIO() (waiting, reading bool) {
	return g.status == "IO wait", strings.Contains(g.stack, "os.(*File).Read")
}

// startedBy says whether g was started by the goroutine numbered id.
func (g goroutine) startedBy(id string) bool {
	return strings.Contains(g.stack, "\ncreated by ") && strings.Contains(g.stack, " in goroutine "+id+"\n")
}
