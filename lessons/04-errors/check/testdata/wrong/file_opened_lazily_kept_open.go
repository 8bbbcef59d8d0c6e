// want: step 6/7: after 16 calls, the hook still holds
package exercise

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/bgtasks/tutorial/bgtasks"
)

var _ = errors.Join
var _ = fmt.Sprintf
var _ = strings.Contains
var _ = json.Marshal
var _ = slog.Info
var _ sync.Mutex
var _ = os.Open

type deadLetter struct {
	Task   string `json:"task"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Error  string `json:"error"`
}

func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	var mu sync.Mutex
	var f *os.File
	return func(ctx context.Context, te *bgtasks.TaskError) {
		line, err := json.Marshal(deadLetter{te.Task, te.Method, te.Path, te.Err.Error()})
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "error", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if f == nil {
			f, err = os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				f = nil
				slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "error", err)
				return
			}
		}
		if _, err := f.Write(append(line, '\n')); err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "error", err)
		}
	}
}
