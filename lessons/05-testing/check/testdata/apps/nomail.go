package apptests

// This copy of notification.go has a mail server that refuses every mail:
// the "send email" task fails (the runner logs it), so log.txt holds only
// the first line.

import (
	"context"
	"errors"
	"net/http"

	"github.com/bgtasks/tutorial/bgtasks"
	basic "github.com/bgtasks/tutorial/lessons/01-basic"
)

// NotificationApp is lesson 01's app whose mail never goes out.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	return r.Middleware(basic.NewApp(dir, func(ctx context.Context, to, message string) error {
		return errors.New("550 mailbox unavailable")
	}))
}
