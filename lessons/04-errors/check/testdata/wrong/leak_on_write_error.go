// want: step 7/7: when deadletter.jsonl opens but writing to it fails (here the disk is full), the hook logs the lost entry, but after 2 calls it still holds 2 file(s) open

// Wrong: it returns without closing the file when Write fails: a full disk leaks a descriptor per failure.
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
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line), "error", err)
			return
		}
		if _, err := f.Write(append(line, 10)); err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line), "error", err)
			return // forgot to close
		}
		if err := f.Close(); err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line), "error", err)
		}
	}
}
