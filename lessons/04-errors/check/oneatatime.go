package check

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/lessons/internal/goroutines"
)

// Step 2: one call writes at a time. Two calls are made at once on a file
// whose every Write blocks until the check lets it through, so that a call
// that is writing stays writing. The check then waits for a state that
// lasts: both calls writing (nothing made one wait for the other); one
// writing and the other parked on a lock or a channel (it waits its turn);
// or a call returned before any line could be written. Which of these is
// reached depends on the hook alone, never on how the scheduler ran the
// calls, unlike lines that mix or not in a plain file.
func (c *checker) oneAtATime() error {
	p, err := newFullPipe(filepath.Join(c.dir, "atonce.jsonl"))
	if err != nil {
		return err
	}
	if p == nil {
		c.t.Log("this system has no pipes that Go can poll: step 2 cannot check that one call of the hook writes at a time")
		return nil
	}
	defer p.close()
	calls := startCalls(c.hook(p.path), 2)
	if err := watch(calls, probeLimit); err != nil {
		return err
	}
	// Let both calls through; what they wrote is judged by the later steps,
	// from files the learner can read.
	deadline := time.Now().Add(probeLimit)
	for !calls.allReturned() {
		if time.Now().After(deadline) {
			return fmt.Errorf("step 2/7: two calls of the hook at once, the first left to write, had not both returned %s later: is a lock never released?\n"+
				"hint: a lock taken in the hook must be given back on every way out of it", probeLimit)
		}
		p.drain()
		time.Sleep(time.Millisecond) // a poll's pace, not a verdict: the bound above only names a hook that never returns
	}
	return nil
}

// calls are calls of a hook running on goroutines of their own.
type calls struct {
	ids      []string
	returned []atomic.Bool
}

// startCalls calls hook n times at once, each with a failure of its own,
// and returns once each call's goroutine has said its number.
func startCalls(hook func(context.Context, *bgtasks.TaskError), n int) *calls {
	c := &calls{ids: make([]string, n), returned: make([]atomic.Bool, n)}
	ids := make(chan string)
	for i := range n {
		go func() {
			ids <- goroutines.ID()
			call(hook, &bgtasks.TaskError{Task: fmt.Sprintf("at once %d", i), Method: "POST", Path: fmt.Sprintf("/at-once/%d", i),
				Err: errors.New("crm: 503 Service Unavailable")})
			c.returned[i].Store(true)
		}()
		c.ids[i] = <-ids
	}
	return c
}

func (c *calls) allReturned() bool {
	for i := range c.returned {
		if !c.returned[i].Load() {
			return false
		}
	}
	return true
}

// watch waits for the calls, whose Writes all block, to reach a state that
// lasts, and says what is wrong with it; limit only names a hook that never
// reaches one, such as one that spins.
func watch(c *calls, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		// Which calls had returned, then what the rest were doing: a call
		// missing from the account returned in between, and is seen so at
		// the next look.
		var returned []int
		for i := range c.returned {
			if c.returned[i].Load() {
				returned = append(returned, i)
			}
		}
		all := goroutines.All()
		if len(returned) > 0 {
			for _, g := range all {
				for _, i := range returned {
					if g.StartedBy(c.ids[i]) {
						return errors.New("step 2/7: a call of the hook returned before its line was written, leaving the writing to a goroutine it started: " +
							"the runner takes a hook that has returned as done, so a program that then exits loses the entry\n" +
							"hint: write the line in the hook itself, before it returns; the runner already calls the hook on the failing task's goroutine")
					}
				}
			}
		}
		var writing, reading, waiting int
		for i, id := range c.ids {
			g, ok := all[id]
			if !ok || c.returned[i].Load() {
				continue
			}
			switch inIO, read := g.InIO(); {
			case inIO && read:
				reading++
			case inIO:
				writing++
			case g.WaitsForOthers():
				waiting++
			}
		}
		switch {
		case reading > 0:
			return errors.New("step 2/7: a call of the hook reads the dead-letter file: to add an entry, the hook need not know what the file holds, " +
				"and one that writes it all back for each entry can lose every entry if the write fails halfway\n" +
				"hint: open the file to append, and write only the new line; the system puts it after what is there")
		case writing == 2:
			return errors.New("step 2/7: two calls of the hook at once were both writing to the file: nothing made one wait until the other was done, so nothing keeps their lines from mixing\n" +
				"hint: let one call write at a time, with a sync.Mutex that every call shares: one made in DeadLetterHook, outside the function it returns, and never copied; " +
				"lock it before the file is opened and unlock it after it is closed")
		case len(returned) == 2:
			return nil // neither wrote: the later steps say why
		case len(returned) == 1 && writing == 1:
			return errors.New("step 2/7: a call of the hook returned, without writing its line, while another call was writing: an entry is lost whenever two failures come together\n" +
				"hint: a call that finds the file in use must wait its turn, as a sync.Mutex's Lock does, rather than give up")
		case writing == 1 && waiting == 1:
			return nil // one writes; the other waits its turn
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("step 2/7: two calls of the hook at once, after %s, were neither writing nor waiting for each other: is the hook stuck in a loop?\n"+
				"hint: let one call write at a time, and the other wait for a lock until the first is done", limit)
		}
		time.Sleep(time.Millisecond) // a poll's pace, not a verdict
	}
}
