package durable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
)

// A Mail is one message to one customer. Key is its idempotency key: the
// same on every attempt to send the same message, so that a receiver that
// keeps keys can drop a repeat.
type Mail struct {
	Key  string `json:"key"`
	To   string `json:"to"`
	Body string `json:"body"`
}

// A Mailer delivers mail. Send returns an error wrapping ErrRejected when
// trying again cannot help, and any other error when it may.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// ErrRejected is a mail server's final no, such as an unknown mailbox.
var ErrRejected = errors.New("mail rejected")

// SendDelay is how long an Outbox takes by default, as a real mail
// server's round trips would.
const SendDelay = 70 * time.Millisecond

// An Outbox stands in for a mail server outside the process: it appends each
// mail to a file as a line of JSON, after Delay. It keeps every delivery,
// repeats included, so that tests can count them; a real mail API that
// honours idempotency keys would drop a repeat instead.
type Outbox struct {
	Path  string
	Delay time.Duration

	mu sync.Mutex
}

// Send appends m to the outbox after o.Delay, or gives up when ctx ends.
func (o *Outbox) Send(ctx context.Context, m Mail) error {
	t := time.NewTimer(o.Delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return fmt.Errorf("mail to %s: %w", m.To, context.Cause(ctx))
	}
	line, err := json.Marshal(m)
	if err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	f, err := os.OpenFile(o.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	// One write of a whole line: a process killed at any moment leaves
	// whole lines behind.
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
