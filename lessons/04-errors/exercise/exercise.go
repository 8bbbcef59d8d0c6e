// Package exercise is the starter code of lesson 04-errors: a dead-letter
// file for the tasks that fail.
//
// Check your work with: go run ./cmd/tutor check 04
package exercise

import (
	"context"

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
	// te, not err: the name err stays free for the errors of json.Marshal
	// and os.OpenFile.
	return func(ctx context.Context, te *bgtasks.TaskError) {
		// TODO: append te.Task, te.Method, te.Path and te.Err.Error() to
		// path as one line of JSON.
	}
}
