// Package failures is the app of lesson 04-errors: tasks that fail and
// panic, handlers that fail and panic, and what the client, the log and the
// remaining tasks see in each case.
package failures

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// NewApp returns the lesson's handler. Its tasks' failures are logged by
// runner; log receives the app's own lines and the panics of its handlers.
// Each call an order's tasks make to the card processor or the mail server
// takes delay: App passes NetworkDelay, tests 0.
func NewApp(runner *bgtasks.Runner, log *slog.Logger, delay time.Duration) http.Handler {
	svc := services{log: log, delay: delay}
	stats := &orderStats{}
	refunds := &refundBook{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		handleOrder(w, r, svc, stats)
	})
	mux.HandleFunc("POST /payments/{id}", func(w http.ResponseWriter, r *http.Request) {
		handlePayment(w, r, log)
	})
	mux.HandleFunc("POST /refunds/{id}", func(w http.ResponseWriter, r *http.Request) {
		handleRefund(w, r, log, refunds)
	})
	return logPanics(log, runner.Middleware(mux))
}

// handleOrder queues four tasks: two succeed, one returns an error and one
// panics. The client gets its 201 either way, before the first has ended.
func handleOrder(w http.ResponseWriter, r *http.Request, svc services, stats *orderStats) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	tasks := bgtasks.From(r.Context())
	tasks.Add("charge card", func(ctx context.Context) error { return svc.chargeCard(ctx, id) })
	tasks.Add("sync to CRM", func(ctx context.Context) error { return syncToCRM(ctx, id) })
	tasks.Add("update stats", func(ctx context.Context) error {
		stats.record(id) // panics
		return nil
	})
	tasks.Add("send receipt", func(ctx context.Context) error { return svc.sendReceipt(ctx, id) })
	writeJSON(w, http.StatusCreated, map[string]any{"order": id, "status": "created"})
}

// handlePayment queues an audit record of the attempt, then fails and says
// so with a 502. It has returned normally, so the audit task runs.
func handlePayment(w http.ResponseWriter, r *http.Request, log *slog.Logger) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	bgtasks.From(r.Context()).Add("audit payment attempt", func(ctx context.Context) error {
		log.InfoContext(ctx, "payment attempt audited", "payment", id)
		return nil
	})
	if err := chargeProvider(r.Context(), id); err != nil {
		log.ErrorContext(r.Context(), "payment failed", "payment", id, "error", err)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "payment provider unavailable"})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"payment": id, "status": "paid"})
}

// handleRefund queues a notice to the customer, then panics: the notice is
// dropped, and the client gets no response.
func handleRefund(w http.ResponseWriter, r *http.Request, log *slog.Logger, refunds *refundBook) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	bgtasks.From(r.Context()).Add("notify customer", func(ctx context.Context) error {
		log.InfoContext(ctx, "refund notice sent", "refund", id)
		return nil
	})
	refunds.add(id) // panics
	writeJSON(w, http.StatusCreated, map[string]any{"refund": id, "status": "opened"})
}

// pathID reads the {id} of the path, a positive number, or answers 400.
func pathID(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	raw := r.PathValue("id")
	id, err := strconv.ParseUint(raw, 10, 64)
	if err != nil || id == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("id %q is not a positive number", raw)})
		return 0, false
	}
	return id, true
}

// writeJSON sends v as JSON with status, in one write.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b) // a client that has gone cannot be told
}
