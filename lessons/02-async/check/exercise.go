package check

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing/synctest"
	"time"
)

// A DigestFunc is the exercise's SendDigest: it calls send for each
// recipient in turn, pausing every between two sends, and stops when ctx is
// cancelled.
type DigestFunc func(ctx context.Context, recipients []string, every time.Duration, send func(ctx context.Context, to string) error) error

const every = time.Second

var recipients = []string{"ada@example.com", "grace@example.com", "alan@example.com", "edsger@example.com", "barbara@example.com"}

// cancelAt is when step 3 cancels the digest: halfway through the pause
// after the third send, give or take a prime number of nanoseconds, so that
// a loop that sleeps a little and looks at ctx.Err() never happens to wake
// at that very instant and pass for one that honours ctx.Done().
const cancelAt = 2*every + 500_000_003*time.Nanosecond

// sendTakes is how long each send takes in step 1, on the fake clock: less
// than every, and no fraction of it that a ticker's ticks would line up
// with by chance.
const sendTakes = 300 * time.Millisecond

// errRelay is what send returns when step 2 makes it fail.
var errRelay = errors.New("relay: 554 message rejected")

// errWithdrawn is the cause steps 3 and 4 cancel with, as a caller says
// why it gave up. SendDigest's doc comment promises ctx.Err(): a caller
// asks errors.Is(err, context.Canceled), which the cause does not answer.
var errWithdrawn = errors.New("caller: digest withdrawn")

// callerKey marks the caller's context, as a request ID would: send must
// be handed that context, or one made from it.
type callerKey struct{}

// Exercise checks a SendDigest. It sleeps on a fake clock, so it must run
// inside a testing/synctest bubble:
//
//	synctest.Test(t, func(t *testing.T) {
//		if err := Exercise(exercise.SendDigest); err != nil {
//			t.Fatal(err)
//		}
//	})
//
// The error's first line is "step N/4: what is wrong"; its last line may be
// "hint: where to look".
func Exercise(sendDigest DigestFunc) error {
	for _, step := range []func(DigestFunc) error{paces, stopsAtFailure, stopsWhenCancelled, sendsNothingWhenCancelled} {
		if err := step(sendDigest); err != nil {
			return err
		}
	}
	return nil
}

// Step 1: with a context nobody cancels, everyone gets the digest, in
// order, at the promised pace, through the caller's context. Each send
// takes sendTakes on the fake clock, as a relay would, so what is measured
// is the pause from the end of one send to the start of the next.
func paces(sendDigest DigestFunc) error {
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), callerKey{}, "digest-1"))
	defer cancel()
	var (
		mu           sync.Mutex
		sent         []string
		began, ended []time.Duration // each send's, since start
		lostValues   bool
		deadline     time.Duration // how far away the first deadline send saw was
		deadlined    bool
	)
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		done <- sendDigest(ctx, recipients, every, func(ctx context.Context, to string) error {
			mu.Lock()
			sent = append(sent, to)
			began = append(began, time.Since(start))
			lostValues = lostValues || ctx.Value(callerKey{}) == nil
			if d, ok := ctx.Deadline(); ok && !deadlined {
				deadline, deadlined = time.Until(d), true
			}
			mu.Unlock()
			// Not under mu: the stuck case below takes it while sends
			// may still be asleep.
			time.Sleep(sendTakes)
			mu.Lock()
			ended = append(ended, time.Since(start))
			mu.Unlock()
			return nil
		})
	}()
	took := time.Duration(0)
	want := time.Duration(len(recipients))*sendTakes + time.Duration(len(recipients)-1)*every
	var err error
	select {
	case err = <-done:
		took = time.Since(start)
	case <-time.After(100 * want):
		// Stuck, say on a timer that already fired: cancelling may free it,
		// and the bubble can end only once it has returned.
		cancel()
		synctest.Wait()
		mu.Lock()
		n := len(sent)
		mu.Unlock()
		return fmt.Errorf("step 1/4: SendDigest had sent to %s, then was still waiting %s later, with nothing cancelled: its pause never ended\n"+
			"hint: a pause ends when its time is up or when the context ends, whichever comes first; a timer delivers once, so each pause needs one of its own, or one reset for it", count(n), 100*want)
	}
	// SendDigest has returned; a send it left running on a goroutine of its
	// own would still append, so look at a copy.
	mu.Lock()
	sent, began, ended = slices.Clone(sent), slices.Clone(began), slices.Clone(ended)
	mu.Unlock()
	switch {
	case err != nil:
		return fmt.Errorf("step 1/4: SendDigest returned %q, with nothing cancelled and every send succeeding\n"+
			"hint: an error means something went wrong; here nothing did", err)
	case len(sent) == 0:
		return errors.New("step 1/4: SendDigest returned without sending to anyone, with nothing cancelled and every send succeeding\n" +
			"hint: a context that can be cancelled has its Done channel from the start; whether it has ended is what its Err method says")
	case !slices.Equal(sent, recipients):
		return fmt.Errorf("step 1/4: SendDigest sent to %v, want every recipient once, in order: %v\n"+
			"hint: keep the starter's loop over the recipients", sent, recipients)
	case lostValues:
		return errors.New("step 1/4: SendDigest handed send a context without the caller's values, such as its request ID: a fresh context.Background()?\n" +
			"hint: pass on the context SendDigest was given: it carries the caller's values and its cancellation")
	case deadlined:
		// The fake send never looks at its deadline, so nothing else here
		// would notice; a real relay on a slow day would be cut off.
		return fmt.Errorf("step 1/4: SendDigest handed send a context with a deadline %s, though the caller's context has none: "+
			"a mail that takes longer than that is cut off and lost\n"+
			"hint: how long a send may take is the caller's to decide, through the context it passes; pass on the context SendDigest was given, or one made from it without a deadline of its own", away(deadline))
	}
	for i := 1; i < len(began) && i <= len(ended); i++ {
		if pause := began[i] - ended[i-1]; pause != every {
			return fmt.Errorf("step 1/4: SendDigest paused %s between the end of the send to %s and the start of the next, want %s, each send taking %s: "+
				"the relay needs its rest after each send, however long that send took\n"+
				"hint: start each pause once the send before it has returned: a ticker ticks on its own time, while send works too",
				pause, sent[i-1], every, sendTakes)
		}
	}
	if took != want {
		return fmt.Errorf("step 1/4: sending to %d recipients %s apart, each send taking %s, took %s, want %s\n"+
			"hint: pause between two sends, not before the first or after the last",
			len(recipients), every, sendTakes, took, want)
	}
	return nil
}

// Step 2: when send fails, SendDigest returns its error and sends no more.
func stopsAtFailure(sendDigest DigestFunc) error {
	var sent []string
	err := sendDigest(context.Background(), recipients, every, func(ctx context.Context, to string) error {
		sent = append(sent, to)
		if len(sent) == 3 {
			return errRelay
		}
		return nil
	})
	switch {
	case len(sent) > 3:
		return fmt.Errorf("step 2/4: send failed for the third recipient, and SendDigest went on to send to %d more\n"+
			"hint: the first failure ends the digest, as the doc comment says", len(sent)-3)
	case !errors.Is(err, errRelay):
		return fmt.Errorf("step 2/4: send failed for the third recipient with %q, and SendDigest returned %v\n"+
			"hint: the caller needs send's error to know the digest did not go out: give it back", errRelay, describe(err))
	}
	return nil
}

// Step 3: cancelled, with a cause, during its pause after the third send,
// SendDigest returns the context's error (not the cause) at once, and
// leaves nothing running; and a send under way when the digest is
// cancelled sees it too.
func stopsWhenCancelled(sendDigest DigestFunc) error {
	var sent []string
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	done := make(chan error, 1)
	go func() {
		done <- sendDigest(ctx, recipients, every, func(ctx context.Context, to string) error {
			sent = append(sent, to)
			return nil
		})
	}()
	time.Sleep(cancelAt)
	cancel(errWithdrawn)
	// Wait returns once every other goroutine of the bubble is blocked: if
	// SendDigest is still there, it is waiting out its pause.
	synctest.Wait()
	var err error
	select {
	case err = <-done:
	default:
		<-done // let it finish, on the fake clock, before the bubble ends
		return fmt.Errorf("step 3/4: SendDigest went on waiting after its context was cancelled; it sent to %s in all\n"+
			"hint: a pause that must end early waits for two things at once: the time, and the context's Done channel", count(len(sent)))
	}
	switch {
	case errors.Is(err, errWithdrawn) && !errors.Is(err, context.Canceled):
		return fmt.Errorf("step 3/4: cancelled with a cause, %q, SendDigest returned that cause, want the context's error (context.Canceled), as its doc comment promises: "+
			"a caller that asks errors.Is(err, context.Canceled) would not know the digest was cancelled\n"+
			"hint: context.Cause says why, for a log; what the context itself says, its Err method, is what the caller is promised", errWithdrawn)
	case !errors.Is(err, context.Canceled):
		return fmt.Errorf("step 3/4: cancelled, SendDigest returned %s, want the context's error (context.Canceled)\n"+
			"hint: the context itself says why it ended: its Err method", describe(err))
	case len(sent) != 3:
		return fmt.Errorf("step 3/4: cancelled during the pause after the third send, SendDigest sent to %s in all\n"+
			"hint: once the context has ended, nothing more is sent", count(len(sent)))
	}
	synctest.Wait() // let whatever SendDigest started run as far as it can
	if leaked := goroutinesOf(sendDigest); len(leaked) > 0 {
		// The bubble ends only once they have: let the fake clock run on
		// until they are done.
		for range 100 {
			if len(goroutinesOf(sendDigest)) == 0 {
				break
			}
			time.Sleep(every)
			synctest.Wait()
		}
		return fmt.Errorf("step 3/4: SendDigest returned, but left behind a goroutine of its own that is still waiting out the pause: %s\n"+
			"hint: the context's Done channel is already a channel to wait on, beside the timer's: no goroutine is needed", leaked[0])
	}
	return stopsSendWhenCancelled(sendDigest)
}

// stopsSendWhenCancelled cancels the digest from inside the second send, as
// a caller could while a slow relay holds that send. Step 1 only proves
// that send's context has the caller's values; context.WithoutCancel keeps
// those and drops the cancellation, so a send could never be stopped.
func stopsSendWhenCancelled(sendDigest DigestFunc) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sent []string
	detached := false
	err := sendDigest(ctx, recipients, every, func(ctx context.Context, to string) error {
		sent = append(sent, to)
		if len(sent) == 2 {
			cancel()
			// A context made from ctx with context.AfterFunc hears of it on
			// a goroutine: let that run before looking.
			synctest.Wait()
			detached = ctx.Err() == nil
			return ctx.Err() // as a mail client gives up on an ended context
		}
		return nil
	})
	switch {
	case detached:
		return errors.New("step 3/4: the digest was cancelled while send was mailing the second recipient, and the context send had been handed did not end: " +
			"a send cut off from the caller's cancellation (context.WithoutCancel, or a context of its own) can never be stopped\n" +
			"hint: pass on the context SendDigest was given, or one made from it: it carries the caller's values and its cancellation")
	case !errors.Is(err, context.Canceled) || len(sent) != 2:
		return fmt.Errorf("step 3/4: cancelled while send was mailing the second recipient, SendDigest sent to %s in all and returned %s; want 2 recipients and context.Canceled\n"+
			"hint: once the context has ended, nothing more is sent, and the caller hears why", count(len(sent)), describe(err))
	}
	return nil
}

// Step 4: a digest whose context has already ended sends nothing.
func sendsNothingWhenCancelled(sendDigest DigestFunc) error {
	ctx, cancelCause := context.WithCancelCause(context.Background())
	cancelCause(errWithdrawn)
	var sent []string
	err := sendDigest(ctx, recipients, every, func(ctx context.Context, to string) error {
		sent = append(sent, to)
		return nil
	})
	if len(sent) > 0 || !errors.Is(err, context.Canceled) {
		return fmt.Errorf("step 4/4: with a context cancelled before it began, SendDigest sent to %s and returned %s; want no sends and context.Canceled\n"+
			"hint: the context may end while send runs, or before the first: look at it before each send, not only while waiting", count(len(sent)), describe(err))
	}

	// A context can also end at its deadline, and then says so.
	ctx, cancel := context.WithDeadline(context.Background(), time.Now())
	defer cancel()
	sent = nil
	err = sendDigest(ctx, recipients, every, func(ctx context.Context, to string) error {
		sent = append(sent, to)
		return nil
	})
	if len(sent) > 0 || !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("step 4/4: with a context whose deadline had passed before it began, SendDigest sent to %s and returned %s; want no sends and context.DeadlineExceeded\n"+
			"hint: a context ends for more than one reason, and only the context itself knows which: ask it", count(len(sent)), describe(err))
	}
	return nil
}

// goroutinesOf describes the goroutines, other than the caller's, that run
// code of fn's package, each by its innermost function of that package and
// where it is, such as "exercise.SendDigest.func1 (exercise.go:22)". The
// test that runs the check is of that package too, and is left out.
func goroutinesOf(fn any) []string {
	name := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()).Name() // path/to/pkg.Func
	slash := strings.LastIndex(name, "/") + 1
	pkg := name[:slash] + strings.SplitN(name[slash:], ".", 2)[0] + "."
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n")[1:] { // the first is the caller's
		lines := strings.Split(g, "\n")
		for i, line := range lines {
			f, ok := strings.CutPrefix(line, pkg)
			if !ok || strings.HasPrefix(f, "Test") || i+1 == len(lines) {
				continue
			}
			f, _, _ = strings.Cut(f, "(")
			at, _, _ := strings.Cut(strings.TrimSpace(lines[i+1]), " +0x")
			out = append(out, fmt.Sprintf("%s%s (%s)", name[slash:strings.Index(name[slash:], ".")+slash+1], f, filepath.Base(at)))
			break
		}
	}
	return out
}

// count says how many recipients n is, as "1 recipient" or "3 recipients".
func count(n int) string {
	if n == 1 {
		return "1 recipient"
	}
	return fmt.Sprintf("%d recipients", n)
}

// away says how far off a deadline is, as "1s away", or that it has passed.
func away(d time.Duration) string {
	if d <= 0 {
		return "already past"
	}
	return d.String() + " away"
}

// describe quotes err's text, or says nil.
func describe(err error) string {
	if err == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", err)
}
