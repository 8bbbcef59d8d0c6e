package apptests

import (
	"net/http"

	"github.com/bgtasks/tutorial/bgtasks"
	basic "github.com/bgtasks/tutorial/lessons/01-basic"
)

// NotificationApp is the notification service of lesson 01, served through
// r's middleware: POST /send-notification/{email} with a JSON body such as
// {"message": "Hi"} answers 202, then its tasks append two lines to
// dir/log.txt:
//
//	notification for ada@example.com: Hi
//	email sent to ada@example.com
//
// The second comes once the (simulated) mail server has answered, 80ms on.
// The test chooses r, so it chooses synchronous or asynchronous mode.
func NotificationApp(r *bgtasks.Runner, dir string) http.Handler {
	return r.Middleware(basic.NewApp(dir, nil))
}
