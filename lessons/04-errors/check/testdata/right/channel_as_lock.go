// Right: a one-slot channel is the lock.
package exercise

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"

	"github.com/bgtasks/tutorial/bgtasks"
)

// DeadLetterHook uses a one-slot channel as its lock and json.Encoder into a
// buffer, so the line and its newline go out in one Write.
func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	sem := make(chan struct{}, 1)
	return func(ctx context.Context, te *bgtasks.TaskError) {
		var buf bytes.Buffer
		err := json.NewEncoder(&buf).Encode(struct {
			Task   string `json:"task"`
			Method string `json:"method"`
			Path   string `json:"path"`
			Error  string `json:"error"`
		}{te.Task, te.Method, te.Path, te.Err.Error()})
		if err == nil {
			sem <- struct{}{}
			var f *os.File
			f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
			if err == nil {
				_, err = f.Write(buf.Bytes())
				err = errors.Join(err, f.Close())
			}
			<-sem
		}
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost",
				"entry", string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))),
				"task", te.Task, "method", te.Method, "path", te.Path,
				"error", err)
		}
	}
}
