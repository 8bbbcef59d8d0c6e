// want: step 2/7: a call of the hook reads the dead-letter file

// Wrong: it reads the whole file and writes it back with the new line: a failed write can lose every entry, and /dev/full never ends.
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
	var mu sync.Mutex
	return func(ctx context.Context, te *bgtasks.TaskError) {
		line, _ := json.Marshal(deadLetter{te.Task, te.Method, te.Path, te.Err.Error()})
		mu.Lock()
		defer mu.Unlock()
		old, _ := os.ReadFile(path)
		err := os.WriteFile(path, append(old, append(line, 10)...), 0o644)
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line), "error", err)
		}
	}
}
