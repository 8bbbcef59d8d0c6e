// Package dependencies is the app of lesson 03-dependencies: a shop whose
// audit middleware, helpers and handler all add tasks to one queue per
// request, and whose use case stays free of HTTP.
package dependencies

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sync/atomic"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/lessons/internal/httpjson"
)

// NewApp returns the shop's HTTP side. POST /orders places an order with
// shop; its tasks mail confirmations with send (SimulatedSend if send is
// nil) and append to audit.log and log.txt in dir. POST /leaky/orders does
// the same through leakyAudited, whose task fails.
//
// Serve it through a Runner's Middleware: runner.Middleware(NewApp(dir, shop, nil)).
func NewApp(dir string, shop *Shop, send SendFunc) http.Handler {
	if send == nil {
		send = SimulatedSend
	}
	a := &app{shop: shop, send: send, audit: newJournal(dir, "audit.log"), log: newJournal(dir, "log.txt")}
	orders := http.HandlerFunc(a.placeOrder)
	mux := http.NewServeMux()
	mux.Handle("POST /orders", a.audited(orders))
	mux.Handle("POST /leaky/orders", a.leakyAudited(orders))
	return mux
}

type app struct {
	shop     *Shop
	send     SendFunc // the mail server, which takes tens of milliseconds
	audit    *journal // audit.log: one line per request
	log      *journal // log.txt: what the shop did about each order
	requests atomic.Int64
}

// maxBody caps a request's JSON: anything queued is held in memory until its
// task runs, so the app decides how much it accepts.
const maxBody = 4 << 10

// placeOrder is the HTTP side of Shop.PlaceOrder: it decodes the request,
// calls the use case, queues a task for each event it returns, and answers.
func (a *app) placeOrder(w http.ResponseWriter, r *http.Request) {
	var in OrderInput
	if status, err := httpjson.Decode(w, r, &in, maxBody); err != nil {
		httpjson.Error(w, status, err)
		return
	}
	if err := a.trackReferral(r); err != nil {
		httpjson.Error(w, http.StatusBadRequest, err)
		return
	}
	order, events, err := a.shop.PlaceOrder(in)
	if err != nil {
		httpjson.Error(w, statusOf(err), err)
		return
	}
	tasks := bgtasks.From(r.Context())
	for _, e := range events {
		tasks.Add(a.taskFor(e))
	}
	httpjson.Write(w, http.StatusCreated, order)
}

// taskFor says how the app acts on one of the shop's events.
func (a *app) taskFor(e Event) (string, bgtasks.Func) {
	switch e := e.(type) {
	case OrderPlaced:
		o := e.Order
		return "email confirmation", func(ctx context.Context) error {
			body := fmt.Sprintf("order %d, %d x %s", o.ID, o.Quantity, o.Item)
			if err := a.send(ctx, o.Email, body); err != nil {
				return err
			}
			return a.log.append("confirmation to " + o.Email + ": " + body)
		}
	case StockLow:
		return "reorder stock", func(ctx context.Context) error {
			return a.log.append(fmt.Sprintf("reorder %s: %d left", e.Item, e.Left))
		}
	}
	return fmt.Sprintf("%T", e), func(context.Context) error {
		return fmt.Errorf("no task for event %T", e) // logged, never lost in silence
	}
}

var refPattern = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// trackReferral is a helper, as a FastAPI dependency would be: it reads the
// optional ?ref= of a request and queues its own task on the request's
// queue. A referral counts even if the order then fails.
func (a *app) trackReferral(r *http.Request) error {
	ref := r.URL.Query().Get("ref")
	if ref == "" {
		return nil
	}
	if !refPattern.MatchString(ref) {
		return fmt.Errorf("invalid ref %q: use 1 to 32 lowercase letters, digits or dashes", ref)
	}
	bgtasks.From(r.Context()).Add("count referral", func(ctx context.Context) error {
		return a.log.append("referral: " + ref)
	})
	return nil
}

func statusOf(err error) int {
	switch {
	case errors.Is(err, ErrOutOfStock):
		return http.StatusConflict
	case errors.Is(err, ErrUnknownItem):
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}
