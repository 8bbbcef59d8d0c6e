// want: step 2/7: two calls of the hook at once were both writing to the file

// Wrong: the mutex is made in each call, so no two calls share it and it guards nothing.
package exercise

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

var _ = errors.Join
var _ = fmt.Sprint
var _ = log.Printf
var _ = sync.Mutex{}
var _ = slog.Info
var _ = strconv.Quote
var _ = bufio.NewWriter
var _ = time.Sleep
var _ = json.Marshal
var _ = os.Open

type deadLetter struct {
	Task   string `json:"task"`
	Method string `json:"method"`
	Path   string `json:"path"`
	Error  string `json:"error"`
}

func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	return func(ctx context.Context, te *bgtasks.TaskError) {
		var mu sync.Mutex
		mu.Lock()
		defer mu.Unlock()
		line, _ := json.Marshal(deadLetter{te.Task, te.Method, te.Path, te.Err.Error()})
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.Write(line)
			if err == nil {
				_, err = f.Write([]byte("\n"))
			}
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line), "error", err)
		}
	}
}
