// want: step 7/7: when deadletter.jsonl opens but writing to it fails (here the disk is full), the hook says nothing
// Package exercise is the starter code of lesson 04-errors: a dead-letter
// file for the tasks that fail.
//
// Check your work with: go run ./cmd/tutor check 04
package exercise

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

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
	var mu sync.Mutex
	return func(ctx context.Context, te *bgtasks.TaskError) {
		line, err := json.Marshal(deadLetter{Task: te.Task, Method: te.Method, Path: te.Path, Error: te.Err.Error()})
		if err != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			slog.ErrorContext(ctx, "cannot open the dead-letter file", "task", te.Task, "task_error", te.Err, "error", err)
			return
		}
		defer f.Close()
		f.Write(append(line, '\n')) // it opened, so it writes
	}
}
