// Right: a json.Encoder writes a map, without HTML escaping.
package exercise

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

// DeadLetterHook appends one JSON line per failure, using json.Encoder.
func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	var mu sync.Mutex
	return func(ctx context.Context, te *bgtasks.TaskError) {
		entry := map[string]string{
			"task":   te.Task,
			"method": te.Method,
			"path":   te.Path,
			"error":  te.Err.Error(),
		}
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			enc := json.NewEncoder(f)
			enc.SetEscapeHTML(false)
			err = enc.Encode(entry) // one Write, newline included
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "method", te.Method,
				"path", te.Path, "task_error", te.Err.Error(), "error", err)
		}
	}
}
