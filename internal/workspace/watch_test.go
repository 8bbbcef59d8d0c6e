package workspace

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// changed reports whether ch holds a change, without waiting: under
// synctest.Wait every poll that was due has happened.
func changed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestChanges(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "exercise.go"), "package exercise\n")
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		ch := Changes(ctx, dir, PollEvery)
		poll := func() bool {
			time.Sleep(PollEvery)
			synctest.Wait()
			return changed(ch)
		}
		if poll() {
			t.Error("a change before anything changed")
		}
		write(t, filepath.Join(dir, "exercise.go"), "package exercise\n\n// TODO done\n")
		if !poll() {
			t.Error("an edit was not seen")
		}
		if poll() {
			t.Error("one edit was seen twice")
		}
		// Same size, new content: seen, whatever the file system's clock.
		write(t, filepath.Join(dir, "exercise.go"), "package exercise\n\n// TODO DONE\n")
		if !poll() {
			t.Error("an edit that keeps the size was not seen")
		}
		write(t, filepath.Join(dir, "log.txt"), "written by the learner's app")
		if poll() {
			t.Error("a file other than Go code set off a change")
		}
		write(t, filepath.Join(dir, "extra.go"), "package exercise\n")
		if !poll() {
			t.Error("a new file was not seen")
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if !poll() {
			t.Error("the folder's removal was not seen")
		}
		write(t, filepath.Join(dir, "a.go"), "package exercise\n")
		write(t, filepath.Join(dir, "b.go"), "package exercise\n")
		if !poll() || changed(ch) {
			t.Error("two files saved between polls are not one change")
		}
		cancel()
		synctest.Wait() // the poller has stopped: the bubble would not end otherwise
	})
}

// checker is a check that records its calls and, when told to, blocks until
// released, so that a test can act while a check is running.
type checker struct {
	mu       sync.Mutex
	calls    int
	running  int
	overlap  bool
	block    bool
	release  chan struct{}
	canceled int
}

func (c *checker) check(ctx context.Context) {
	c.mu.Lock()
	c.calls++
	c.running++
	c.overlap = c.overlap || c.running > 1
	block := c.block
	c.mu.Unlock()
	if block {
		select {
		case <-c.release:
		case <-ctx.Done():
			c.mu.Lock()
			c.canceled++
			c.mu.Unlock()
		}
	}
	c.mu.Lock()
	c.running--
	c.mu.Unlock()
}

func (c *checker) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

func TestLoop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		changes := make(chan struct{}, 1)
		c := &checker{release: make(chan struct{})}
		// save signals a change as Changes does: one waiting at most.
		save := func() {
			select {
			case changes <- struct{}{}:
			default:
			}
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			Loop(ctx, changes, Settle, c.check)
		}()
		c.check(ctx) // the caller's first check, as the tutor's watch makes it
		synctest.Wait()
		if n := c.count(); n != 1 {
			t.Fatalf("%d checks at the start, want the caller's only", n)
		}

		// A burst of saves, each within Settle of the last: one check,
		// once the saves stop.
		for range 3 {
			save()
			time.Sleep(Settle / 2)
		}
		synctest.Wait()
		if n := c.count(); n != 1 {
			t.Errorf("%d checks during a burst of saves, want none yet", n-1)
		}
		time.Sleep(Settle)
		synctest.Wait()
		if n := c.count(); n != 2 {
			t.Errorf("%d checks after a burst of saves, want 1", n-1)
		}

		// Saves during a check: one more check after it, not during it.
		c.mu.Lock()
		c.block = true
		c.mu.Unlock()
		save()
		time.Sleep(Settle)
		synctest.Wait() // the third check is running, blocked
		for range 3 {
			save()
			time.Sleep(Settle)
		}
		synctest.Wait()
		if n := c.count(); n != 3 {
			t.Errorf("%d checks while one runs; want the running one only", n)
		}
		c.mu.Lock()
		c.block = false
		c.mu.Unlock()
		c.release <- struct{}{}
		time.Sleep(Settle)
		synctest.Wait()
		if n := c.count(); n != 4 {
			t.Errorf("%d checks after saves during a check, want 4", n)
		}

		// Stopping ends the check that runs, and the loop.
		c.mu.Lock()
		c.block = true
		c.mu.Unlock()
		save()
		time.Sleep(Settle)
		synctest.Wait()
		cancel()
		<-done
		if c.overlap {
			t.Error("two checks ran at once")
		}
		if c.canceled != 1 {
			t.Errorf("%d checks saw the loop stop, want the one running", c.canceled)
		}
	})
}
