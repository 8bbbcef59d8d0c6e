package check

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"unsafe"

	"github.com/bgtasks/tutorial/lessons/internal/goroutines"
)

// guardsTheList holds the newsletter's own mutex while Subscribe runs on
// another goroutine, as a second request would. Subscribe must then wait
// for it before it looks at the list; one that finishes instead did not
// wait for the starter's lock, whatever it did in its place (no lock, a
// sync.Map, a TryLock that gives up). The check does not run under the race
// detector, and two real requests would collide only by chance: holding
// the lock makes the verdict certain.
func (c *checker[E]) guardsTheList() error {
	mus := mutexesOf(c.n)
	if len(mus) == 0 {
		return errors.New("step 2/5: the Newsletter no longer has a mutex, yet two requests may subscribe at once: both would read and write its list of subscribers together\n" +
			"hint: keep the starter's lock in Subscribe; only the task should move")
	}
	// alan is on the list since returnsTheEvent: a check of the list made
	// before taking the lock is caught too, and subscribing him changes
	// nothing, so each candidate mutex can be tried with him in turn.
	// katherine is new, and is tried only with the mutex found.
	for _, email := range []string{"alan@example.com", "katherine@example.com"} {
		var (
			events     []E
			err        error
			returned   bool
			leftLocked bool
		)
		for i, mu := range mus {
			returned, leftLocked = returnsWhileLocked(mu, func() { events, err, _ = subscribe(c.n, context.Background(), email) })
			if !returned {
				mus = mus[i : i+1] // the one Subscribe waits for
				break
			}
		}
		switch {
		case returned:
			// Say only what was seen: Subscribe may have used the list
			// unguarded, or a sync.Map, or given up on a busy lock.
			return fmt.Errorf("step 2/5: Subscribe(ctx, %q) returned while another goroutine held the newsletter's mutex: it did not wait for the starter's lock, and returned %+v, %s; "+
				"that lock keeps two requests at once from both reading and writing the list of subscribers\n"+
				"hint: keep the starter's lock in Subscribe, waited for and held from before the list is read until after it is written; only the task should move",
				email, events, describeErr(err))
		case leftLocked:
			return fmt.Errorf("step 2/5: Subscribe(ctx, %q) returned with the newsletter's mutex still locked: every later subscription would wait for it forever\n"+
				"hint: keep the starter's lock in Subscribe, with its deferred unlock, which runs on every return", email)
		}
	}
	return nil
}

// mutexesOf returns the sync.Mutex or sync.RWMutex fields of the struct n
// points to that may guard the list: the starter's, mu, alone if it is
// still there; otherwise every one, in declaration order, for the check to
// find the one Subscribe waits for. A learner may add a mutex of their own,
// say for the outbox, before mu. The fields are unexported, hence unsafe:
// reflect gives their address but would refuse their value.
func mutexesOf(n any) []tryLocker {
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	v = v.Elem()
	var all []tryLocker
	for i := range v.NumField() {
		var mu tryLocker
		switch f := v.Field(i); f.Type() {
		case reflect.TypeFor[sync.Mutex]():
			mu = (*sync.Mutex)(unsafe.Pointer(f.UnsafeAddr()))
		case reflect.TypeFor[sync.RWMutex]():
			mu = (*sync.RWMutex)(unsafe.Pointer(f.UnsafeAddr()))
		default:
			continue
		}
		if v.Type().Field(i).Name == "mu" {
			return []tryLocker{mu}
		}
		all = append(all, mu)
	}
	return all
}

// describeErr says err's text, quoted, or that there was none.
func describeErr(err error) string {
	if err == nil {
		return "no error"
	}
	return fmt.Sprintf("%q", err)
}

type tryLocker interface {
	sync.Locker
	TryLock() bool
}

// returnsWhileLocked holds mu, runs fn on a goroutine of its own, and says
// whether fn returned while mu was held. Otherwise it waits until that
// goroutine is parked on a lock, lets fn finish, and says whether fn left
// mu locked. Each outcome is a state that lasts, so which one is seen does
// not depend on timing. (A goroutine waiting for a mutex is not durably
// blocked, so synctest.Wait cannot wait for it.)
func returnsWhileLocked(mu tryLocker, fn func()) (returned, leftLocked bool) {
	mu.Lock()
	id, done := make(chan string, 1), make(chan struct{})
	go func() {
		defer close(done)
		id <- goroutines.ID()
		fn()
	}()
	waiting := <-id
	for {
		select {
		case <-done:
			mu.Unlock()
			return true, false
		default:
		}
		if goroutines.All()[waiting].OnLock() {
			break
		}
		runtime.Gosched()
	}
	mu.Unlock()
	<-done
	if !mu.TryLock() {
		return false, true
	}
	mu.Unlock()
	return false, false
}
