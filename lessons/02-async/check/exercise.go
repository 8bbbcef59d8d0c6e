package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing/synctest"
	"time"
)

// A DigestFunc is the exercise's SendDigest: it calls send for each
// recipient in turn, pausing every between two sends, and stops when ctx is
// cancelled.
type DigestFunc func(ctx context.Context, recipients []string, every time.Duration, send func(ctx context.Context, to string) error) error

// Exercise checks a SendDigest. It sleeps on a fake clock, so it must run
// inside a testing/synctest bubble:
//
//	synctest.Test(t, func(t *testing.T) {
//		if err := Exercise(exercise.SendDigest); err != nil {
//			t.Fatal(err)
//		}
//	})
func Exercise(sendDigest DigestFunc) error {
	const every = time.Second
	recipients := []string{"ada@example.com", "grace@example.com", "alan@example.com", "edsger@example.com", "barbara@example.com"}

	// Step 1: with a context nobody cancels, everyone gets the digest, in
	// order, at the promised pace.
	var sent []string
	start := time.Now()
	err := sendDigest(context.Background(), recipients, every, func(ctx context.Context, to string) error {
		sent = append(sent, to)
		return nil
	})
	took := time.Since(start)
	switch {
	case err != nil:
		return fmt.Errorf("step 1/3: SendDigest returned %v, with nothing cancelled and every send succeeding\nhint: return nil once every recipient has been sent the digest", err)
	case !slices.Equal(sent, recipients):
		return fmt.Errorf("step 1/3: SendDigest sent to %v, want every recipient once, in order: %v", sent, recipients)
	case took != time.Duration(len(recipients)-1)*every:
		return fmt.Errorf("step 1/3: sending to %d recipients %s apart took %s, want %s: pause between two sends, not before the first or after the last",
			len(recipients), every, took, time.Duration(len(recipients)-1)*every)
	}

	// Step 2: cancelled halfway through its pause after the third send,
	// SendDigest returns at once with the context's error.
	sent = nil
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- sendDigest(ctx, recipients, every, func(ctx context.Context, to string) error {
			sent = append(sent, to)
			return nil
		})
	}()
	time.Sleep(2*every + every/2)
	cancel()
	// Wait returns once every goroutine of the bubble is blocked: if
	// SendDigest is still sleeping, it has ignored the cancellation.
	synctest.Wait()
	select {
	case err = <-done:
	default:
		<-done // let it finish, on the fake clock, before the bubble ends
		return fmt.Errorf("step 2/3: SendDigest went on after its context was cancelled; it sent to %d recipients in all\nhint: wait with select on ctx.Done() and time.After(every), instead of time.Sleep(every)", len(sent))
	}
	switch {
	case !errors.Is(err, context.Canceled):
		return fmt.Errorf("step 2/3: cancelled, SendDigest returned %v, want the context's error (context.Canceled)\nhint: return ctx.Err() when ctx.Done() is closed", err)
	case len(sent) != 3:
		return fmt.Errorf("step 2/3: cancelled after 3 sends, SendDigest sent to %d recipients", len(sent))
	}

	// Step 3: a digest whose context has already ended sends nothing.
	sent = nil
	err = sendDigest(ctx, recipients, every, func(ctx context.Context, to string) error {
		sent = append(sent, to)
		return nil
	})
	if len(sent) > 0 || !errors.Is(err, context.Canceled) {
		return fmt.Errorf("step 3/3: with a context cancelled before it began, SendDigest sent to %d recipients and returned %v; want no sends and context.Canceled\nhint: check ctx.Err() before each send, not only while waiting", len(sent), err)
	}
	return nil
}
