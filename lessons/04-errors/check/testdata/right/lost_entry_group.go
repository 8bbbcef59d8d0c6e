// Right: the lost entry is logged as a slog group.
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

type deadLetter struct {
	Task   string `json:"task"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Error  string `json:"error"`
}

func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	var mu sync.Mutex
	return func(ctx context.Context, te *bgtasks.TaskError) {
		line, _ := json.Marshal(deadLetter{te.Task, te.Method, te.Path, te.Err.Error()})
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.Write(append(line, 10))
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost",
				slog.Group("entry", "task", te.Task, "method", te.Method, "path", te.Path, "error", te.Err.Error()),
				slog.String("file", path), slog.Any("error", err))
		}
	}
}
