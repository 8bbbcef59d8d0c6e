// want: want one JSON object per line
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

type deadLetter struct {
	Task   string `json:"task"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Error  string `json:"error"`
}

func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	var mu sync.Mutex
	return func(ctx context.Context, te *bgtasks.TaskError) {
		line := `{"task":` + fmt.Sprintf("%q", te.Task) + `,"method":` + fmt.Sprintf("%q", te.Method) + `,"path":` + fmt.Sprintf("%q", te.Path) + `,"error":` + fmt.Sprintf("%+q", te.Err.Error()) + "}\n"
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.Write([]byte(line))
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "task", te.Task, "error", err)
		}
	}
}
