package goroutines

import (
	"runtime"
	"sync"
	"testing"
)

// A goroutine parked on a mutex, and one parked on a channel, are read as
// such, each under the number it reports, and as started by this test's
// goroutine.
func TestAll(t *testing.T) {
	var mu sync.Mutex
	mu.Lock()
	block := make(chan struct{})
	ids := make(chan string, 2)
	var wg sync.WaitGroup
	wg.Go(func() { ids <- ID(); mu.Lock(); mu.Unlock() })
	wg.Go(func() { ids <- ID(); <-block })
	onLock, onChan := <-ids, <-ids
	parent := ID()
	for {
		all := All()
		a, b := all[onLock], all[onChan]
		if a.OnLock() && b.WaitsForOthers() || b.OnLock() && a.WaitsForOthers() {
			if a.OnLock() == b.OnLock() {
				t.Fatalf("both goroutines read as waiting on the lock: %q and %q", a.Status, b.Status)
			}
			for _, g := range []G{a, b} {
				if !g.StartedBy(parent) {
					t.Errorf("goroutine %q is not read as started by %s:\n%s", g.Status, parent, g.Stack)
				}
				if waiting, _ := g.InIO(); waiting {
					t.Errorf("goroutine %q is read as waiting on I/O", g.Status)
				}
			}
			break
		}
		runtime.Gosched() // until both have parked: a state that lasts
	}
	mu.Unlock()
	close(block)
	wg.Wait()
}
