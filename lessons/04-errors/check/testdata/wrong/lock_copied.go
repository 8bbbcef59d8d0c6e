// want: step 2/7: two calls of the hook at once were both writing to the file

// Wrong: a method with a value receiver locks a copy of the mutex, a new one each call.
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

type dlFile struct {
	mu   sync.Mutex
	path string
}

func (d dlFile) write(line []byte) error { // value receiver: copies the mutex
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := os.OpenFile(d.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(line)
	if err == nil {
		_, err = f.Write([]byte("\n"))
	}
	return errors.Join(err, f.Close())
}

func DeadLetterHook(path string) func(ctx context.Context, err *bgtasks.TaskError) {
	d := &dlFile{path: path}
	return func(ctx context.Context, te *bgtasks.TaskError) {
		line, _ := json.Marshal(deadLetter{te.Task, te.Method, te.Path, te.Err.Error()})
		if err := d.write(line); err != nil {
			slog.ErrorContext(ctx, "dead letter lost", "entry", string(line), "error", err)
		}
	}
}
