package check

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgtasks/tutorial/bgtasks"
	"github.com/bgtasks/tutorial/lessons/03-dependencies/exercise"
	"github.com/bgtasks/tutorial/lessons/03-dependencies/solution"
)

// The starter must fail its check with a message that says what to do, and
// the solution must pass it.
func TestExerciseBothWays(t *testing.T) {
	err := Exercise(exercise.New)
	if err == nil {
		t.Fatal("the starter passes its check; it should fail while Subscribe calls bgtasks.From")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "step 1/4: Subscribe panicked") || !strings.Contains(msg, "\nhint: ") {
		t.Errorf("the starter fails with:\n%s\nwant step 1/4 about the panic outside HTTP, with a hint", msg)
	}
	if err := Exercise(solution.New); err != nil {
		t.Errorf("the solution fails its check:\n%v", err)
	}
}

// fake is a newsletter with one mistake or another.
type fake struct {
	dir       string
	events    func(email string) []string
	mailsSelf bool   // Subscribe writes the mail itself
	queue     string // the task the handler queues, "" for none
	status    int
}

func (f *fake) Subscribe(ctx context.Context, email string) ([]string, error) {
	if !strings.Contains(email, "@") {
		return nil, errors.New("invalid email")
	}
	if f.mailsSelf {
		_ = f.mail(email)
	}
	return f.events(email), nil
}

func (f *fake) mail(email string) error {
	file, err := os.OpenFile(filepath.Join(f.dir, "outbox.txt"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer file.Close()
	_, err = file.WriteString("welcome mail to " + email + "\n")
	return err
}

func (f *fake) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.queue != "" {
			bgtasks.From(r.Context()).Add(f.queue, func(context.Context) error { return f.mail("grace@example.com") })
		}
		w.WriteHeader(f.status)
	})
}

// Each step of the check catches the mistake it is there for.
func TestCheckNewsletterCatches(t *testing.T) {
	one := func(email string) []string { return []string{email} }
	tests := []struct {
		name string
		fake fake
		step string
	}{
		{"no events", fake{events: func(string) []string { return nil }, queue: "send welcome", status: 201}, "step 2/4: "},
		{"wrong status", fake{events: one, queue: "send welcome", status: 200}, "step 3/4: "},
		{"nothing queued", fake{events: one, status: 201}, "step 3/4: "},
		{"badly named task", fake{events: one, queue: "welcome", status: 201}, "step 3/4: "},
		{"use case mails", fake{events: one, mailsSelf: true, queue: "send welcome", status: 201}, "step 4/4: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Exercise(func(dir string) *fake {
				f := tt.fake
				f.dir = dir
				return &f
			})
			if err == nil || !strings.HasPrefix(err.Error(), tt.step) {
				t.Errorf("got %v, want an error starting %q", err, tt.step)
			}
		})
	}
}
