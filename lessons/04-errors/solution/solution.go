// Package solution solves the exercise of lesson 04-errors.
package solution

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

// A deadLetter is one line of the dead-letter file.
type deadLetter struct {
	Task   string `json:"task"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Error  string `json:"error"`
}

// DeadLetterHook returns an error hook, for bgtasks.WithErrorHook, that
// appends each failed or abandoned task to the file at path, one JSON object
// per line:
//
//	{"task":"sync to CRM","method":"POST","path":"/orders/1","error":"crm: order 1: 503 Service Unavailable"}
//
// The hook is safe for concurrent use: the tasks of different requests fail
// at the same time. A dead letter is the last trace of a failure, so when
// the file cannot be written, the hook logs the lost entry with log/slog.
func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	// One mutex for every call of the hook: lines written at once would
	// otherwise interleave.
	var mu sync.Mutex
	return func(ctx context.Context, te *bgtasks.TaskError) {
		line, err := json.Marshal(deadLetter{Task: te.Task, Method: te.Method, Path: te.Path, Error: te.Err.Error()})
		if err != nil {
			return // strings always marshal
		}
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.Write(append(line, '\n'))
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			// The file was the failure's last trace: the log keeps the line
			// it lost, which can be written back, and why it was lost.
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line), "error", err)
		}
	}
}
