// Right: the job is queued as unique by its args.
package exercise

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

type SendFunc func(ctx context.Context, key, to string) error

type WelcomeArgs struct {
	SubscriberID int64  `json:"subscriber_id"`
	Email        string `json:"email"`
}

func (WelcomeArgs) Kind() string { return "welcome" }

type Newsletter struct {
	db   *sql.DB
	send SendFunc
}

func New(db *sql.DB, send SendFunc) *Newsletter {
	return &Newsletter{db: db, send: send}
}

func (n *Newsletter) AddWorkers(workers *river.Workers) {
	river.AddWorker(workers, &welcomeWorker{n: n})
}

func (n *Newsletter) Handler(queue *river.Client[*sql.Tx]) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /subscribers", func(w http.ResponseWriter, r *http.Request) {
		n.subscribe(w, r, queue)
	})
	return mux
}

func (n *Newsletter) subscribe(w http.ResponseWriter, r *http.Request, queue *river.Client[*sql.Tx]) {
	var in struct {
		Email string `json:"email"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid JSON body: " + err.Error()})
		return
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("invalid email address %q", in.Email)})
		return
	}

	ctx := r.Context()
	tx, err := n.db.BeginTx(ctx, nil)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	defer tx.Rollback() // after Commit, a no-op
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO subscribers (email) VALUES ($1) RETURNING id`, in.Email).Scan(&id)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "already subscribed"})
			return
		}
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	if _, err := queue.InsertTx(ctx, tx, WelcomeArgs{SubscriberID: id, Email: in.Email}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	if err := tx.Commit(); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}

	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "email": in.Email})
}

type welcomeWorker struct {
	river.WorkerDefaults[WelcomeArgs]
	n *Newsletter
}

func (w *welcomeWorker) Work(ctx context.Context, job *river.Job[WelcomeArgs]) error {
	key := fmt.Sprintf("welcome-%d", job.Args.SubscriberID)
	if err := w.n.send(ctx, key, job.Args.Email); err != nil {
		return err
	}
	tx, err := w.n.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO welcomes (subscriber_id, job_id) VALUES ($1, $2)", job.Args.SubscriberID, job.ID); err != nil {
		return err
	}
	if _, err := river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, tx, job); err != nil {
		return err
	}
	return tx.Commit()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
