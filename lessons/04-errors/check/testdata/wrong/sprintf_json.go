// want: step 4/7: after 8 calls of the hook, two at a time, each with the error
// Package exercise is the starter code of lesson 04-errors: a dead-letter
// file for the tasks that fail.
//
// Check your work with: go run ./cmd/tutor check 04
package exercise

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

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
		line := fmt.Sprintf(`{"task":"%s","method":"%s","path":"%s","error":"%s"}`+"\n", te.Task, te.Method, te.Path, te.Err)
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.WriteString(line)
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "error", err)
		}
	}
}
