// Right: one mutex per file, kept in a sync.Map.
package exercise

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

type deadLetter struct {
	Task   string `json:"task"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Error  string `json:"error"`
}

// locks holds one mutex per file, shared by every hook writing to it, so two
// hooks on the same path do not interleave either.
var locks sync.Map // string -> *sync.Mutex

func lockFor(path string) *sync.Mutex {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	mu, _ := locks.LoadOrStore(path, new(sync.Mutex))
	return mu.(*sync.Mutex)
}

func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	mu := lockFor(path)
	return func(ctx context.Context, te *bgtasks.TaskError) {
		line, err := json.Marshal(deadLetter{Task: te.Task, Method: te.Method, Path: te.Path, Error: te.Err.Error()})
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "error", err)
			return
		}
		line = append(line, '\n')
		mu.Lock()
		err = appendLine(path, line)
		mu.Unlock()
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line[:len(line)-1]), "error", err)
		}
	}
}

func appendLine(path string, line []byte) (err error) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	_, err = f.Write(line)
	return err
}
