// want: step 2/7: two calls of the hook at once were both writing to the file

// Wrong: the lock is held only while the file is opened; the two Writes of each line are unguarded.
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
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		mu.Unlock()
		if err == nil {
			_, err = f.Write(line)
			if err == nil {
				_, err = f.Write([]byte{10})
			}
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line), "error", err)
		}
	}
}
