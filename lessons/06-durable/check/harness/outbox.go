package harness

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// refusals is how many attempts to mail each address the check's mail
// server refuses before it takes one: more than one, so that a welcome
// retried for another reason still meets a refusal.
const refusals = 2

// refused is how the check's mail server refuses a mail.
const refused = "451 4.3.2 try again later"

// heldFor is how long the mail server waits for the database's one
// connection before it concludes that the sender holds it. A sender that
// holds it never lets go, so the wait only bounds how long that takes to
// see; the check's own River client lets go within milliseconds.
const heldFor = 5 * time.Second

// outbox is the check's mail server. It refuses the first attempts to mail
// each address with a temporary error, as a busy server does. It then
// accepts one and drops the connection before it answers, so the worker
// sees an error and the customer has the mail; after that it accepts.
type outbox struct {
	db       *sql.DB       // whose one connection a sender must not hold
	held     chan struct{} // closed once a mail is sent from inside a transaction
	heldOnce sync.Once
	mu       sync.Mutex
	attempts map[string][]string // the key of each attempt to mail an address
	accepted map[string]int      // mails accepted for each address
	fromWork bool                // every mail was sent with a context from Work
}

func newOutbox(db *sql.DB) *outbox {
	return &outbox{db: db, held: make(chan struct{}), attempts: map[string][]string{}, accepted: map[string]int{}, fromWork: true}
}

func (o *outbox) send(ctx context.Context, key, to string) error {
	if o.sentFromTransaction(ctx) {
		return errors.New("the mail server gave up: the database was busy the whole time")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, err := river.ClientFromContextSafely[*sql.Tx](ctx); err != nil {
		o.fromWork = false // Work's context carries its River client
	}
	o.attempts[to] = append(o.attempts[to], key)
	switch n := len(o.attempts[to]); {
	case n <= refusals:
		return errors.New(refused + " (the mail server refused the mail)")
	case n == refusals+1:
		o.accepted[to]++
		return errors.New("connection reset by peer (after the mail server had accepted the mail)")
	default:
		o.accepted[to]++
		return nil
	}
}

// sentFromTransaction reports whether the sender holds the database's one
// connection, which only an open transaction keeps past a statement.
func (o *outbox) sentFromTransaction(ctx context.Context) bool {
	wait, cancel := context.WithTimeout(context.WithoutCancel(ctx), heldFor)
	defer cancel()
	conn, err := o.db.Conn(wait)
	if err == nil {
		conn.Close()
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	o.heldOnce.Do(func() { close(o.held) })
	return true
}

// detached reports whether a mail was sent with a context that is not
// from Work.
func (o *outbox) detached() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return !o.fromWork
}

func (o *outbox) keys(to string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.attempts[to]...)
}

func (o *outbox) acceptedFor(to string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.accepted[to]
}
