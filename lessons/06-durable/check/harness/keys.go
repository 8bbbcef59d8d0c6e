package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// keepsItsKey is step 4: every mail to one subscriber carried the same,
// non-empty idempotency key, and different subscribers' different keys.
func (c *checker) keepsItsKey(context.Context) error {
	ada, alan := c.mail.keys("ada@example.com"), c.mail.keys("alan@example.com")
	for _, keys := range [][]string{ada, alan} {
		if slices.Contains(keys, "") {
			return errors.New("step 4/4: a welcome was mailed with an empty idempotency key: the mail server cannot tell a repeat from a new mail\n" +
				"hint: make the key from what identifies this welcome, the same on every attempt")
		}
		if len(slices.Compact(slices.Clone(keys))) > 1 {
			return fmt.Errorf("step 4/4: one welcome was mailed %d times with a different idempotency key on each attempt (%s): "+
				"after a crash the mail server cannot tell the repeat from a new mail, and the customer gets both\n"+
				"hint: make the key from what stays the same across attempts: the job or the subscriber, not the attempt or the time", len(keys), strings.Join(keys, ", "))
		}
	}
	if len(ada) > 0 && len(alan) > 0 && ada[0] == alan[0] {
		return fmt.Errorf("step 4/4: ada's and alan's welcomes share the idempotency key %q: the mail server would drop the second as a repeat of the first\n"+
			"hint: the key must tell one subscriber's welcome from another's", ada[0])
	}
	return nil
}
