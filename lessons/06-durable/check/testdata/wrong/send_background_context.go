// want: not the one Work was given

// Wrong: the worker mails with context.Background().
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

// A SendFunc mails a welcome to one address. key is the mail's idempotency
// key: a mail server that keeps keys drops a second mail with the same key.
type SendFunc func(ctx context.Context, key, to string) error

// WelcomeArgs is the welcome job, stored as JSON in its row.
type WelcomeArgs struct {
	SubscriberID int64  `json:"subscriber_id"`
	Email        string `json:"email"`
}

// Kind names the job in the database.
func (WelcomeArgs) Kind() string { return "welcome" }

// A Newsletter stores subscribers and welcomes them. Its database holds
//
//	CREATE TABLE subscribers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
//	CREATE TABLE welcomes (subscriber_id INTEGER NOT NULL, job_id INTEGER NOT NULL);
//
// and River's tables.
type Newsletter struct {
	db   *sql.DB
	send SendFunc
}

// New returns a newsletter on db that mails with send.
func New(db *sql.DB, send SendFunc) *Newsletter {
	return &Newsletter{db: db, send: send}
}

// AddWorkers registers the newsletter's worker.
func (n *Newsletter) AddWorkers(workers *river.Workers) {
	river.AddWorker(workers, &welcomeWorker{n: n})
}

// Handler returns the newsletter's HTTP side: POST /subscribers takes
// {"email": "..."} and queues the welcome on queue.
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
	if _, err := queue.InsertTx(ctx, tx, WelcomeArgs{SubscriberID: id, Email: in.Email}, nil); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	if err := tx.Commit(); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error"})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"id": id, "email": in.Email})
}

// welcomeWorker mails a welcome and records it.
type welcomeWorker struct {
	river.WorkerDefaults[WelcomeArgs]
	n *Newsletter
}

// Work mails the welcome with a key that is the same on every attempt,
// then records it in the transaction that completes the job.
func (w *welcomeWorker) Work(ctx context.Context, job *river.Job[WelcomeArgs]) error {
	key := fmt.Sprintf("welcome-%d", job.Args.SubscriberID)
	if err := w.n.send(context.Background(), key, job.Args.Email); err != nil {
		return err
	}
	tx, err := w.n.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, `INSERT INTO welcomes (subscriber_id, job_id) VALUES ($1, $2)`,
		job.Args.SubscriberID, job.ID); err != nil {
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
