package check

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// heard is what two calls of a hook in a row told anyone, each way the
// check can tell apart: the doc comment asks for log/slog, and a learner who
// used something else must read which.
type heard struct {
	records  []record // through slog's default logger
	logged   string   // through the log package
	stdout   string
	stderr   string
	panicked any
	returned int // how many of the two calls returned within the limit
}

// maxKept bounds what the check keeps of what a hook says, in records or
// KiB: a hook that logs as it retries forever would otherwise fill memory
// while the check waits for it.
const maxKept = 64

// A record is one record a hook logged through slog.
type record struct {
	level slog.Level
	msg   string
	text  string // the message and every value, those of groups and With too
}

// holds reports whether the record names the task, holds its error, and
// says why the line was lost, in the system's words: without the first two,
// nobody reading the log can tell which failure was lost; without the
// last, what to mend so that it is not lost again.
func (r record) holds(te *bgtasks.TaskError, why string) (task, err, reason bool) {
	return strings.Contains(r.text, te.Task), strings.Contains(r.text, te.Err.Error()), strings.Contains(r.text, why)
}

// listen makes a hook with newHook, calls it with te twice in a row, as the
// runner would, and records what it said. The second call shows a lock kept after the first
// failed; limit bounds how long both may take, which they come nowhere
// near unless one never returns.
func listen(newHook func() func(context.Context, *bgtasks.TaskError), te *bgtasks.TaskError, limit time.Duration) (heard, error) {
	stdout, err := os.CreateTemp("", "bgtasks-check-stdout-")
	if err != nil {
		return heard{}, err
	}
	defer os.Remove(stdout.Name())
	defer stdout.Close()
	stderr, err := os.CreateTemp("", "bgtasks-check-stderr-")
	if err != nil {
		return heard{}, err
	}
	defer os.Remove(stderr.Name())
	defer stderr.Close()

	rec := &recorder{mu: new(sync.Mutex), records: new([]record)}
	logged := &lockedBuffer{}
	oldLogger, oldWriter, oldFlags := slog.Default(), log.Writer(), log.Flags()
	oldStdout, oldStderr := os.Stdout, os.Stderr
	slog.SetDefault(slog.New(rec))
	log.SetOutput(logged) // after SetDefault, which sends log's output to rec
	os.Stdout, os.Stderr = stdout, stderr
	hook := newHook()

	var mu sync.Mutex
	var h heard
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 2 {
			v := call(hook, te)
			mu.Lock()
			if h.panicked == nil {
				h.panicked = v
			}
			h.returned++
			mu.Unlock()
		}
	}()
	select {
	case <-done:
	case <-time.After(limit):
	}

	os.Stdout, os.Stderr = oldStdout, oldStderr
	slog.SetDefault(oldLogger)
	log.SetOutput(oldWriter) // SetDefault of the default handler leaves log alone
	log.SetFlags(oldFlags)

	mu.Lock()
	defer mu.Unlock()
	h.records, h.logged = rec.all(), logged.String()
	if h.stdout, err = readAll(stdout); err == nil {
		h.stderr, err = readAll(stderr)
	}
	return h, err
}

// readAll reads f from its start.
func readAll(f *os.File) (string, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKept<<10))
	return string(b), err
}

// call calls hook as the runner would, returning what it panicked with.
func call(hook func(context.Context, *bgtasks.TaskError), te *bgtasks.TaskError) (panicked any) {
	defer func() { panicked = recover() }()
	hook(context.Background(), te)
	return nil
}

// A recorder is a slog.Handler that keeps every record, with the values of
// its own attributes and of those a logger's With added, so that the check
// finds the task's name and error wherever the hook put them.
type recorder struct {
	mu      *sync.Mutex
	records *[]record
	attrs   []slog.Attr
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	b.WriteString(rec.Message)
	for _, a := range r.attrs {
		writeValue(&b, a.Value)
	}
	rec.Attrs(func(a slog.Attr) bool {
		writeValue(&b, a.Value)
		return true
	})
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(*r.records) < maxKept {
		*r.records = append(*r.records, record{level: rec.Level, msg: rec.Message, text: b.String()})
	}
	return nil
}

func (r *recorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &recorder{mu: r.mu, records: r.records, attrs: append(r.attrs[:len(r.attrs):len(r.attrs)], attrs...)}
}

// WithGroup keeps the handler: a group's name says nothing of the entry.
func (r *recorder) WithGroup(string) slog.Handler { return r }

func (r *recorder) all() []record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]record(nil), *r.records...)
}

// writeValue writes v's text after a NUL, which no task name or error
// holds, so that a match never spans two values. Bytes count as text, as
// slog's text handler prints them: the lost line itself is a fine record.
func writeValue(b *strings.Builder, v slog.Value) {
	v = v.Resolve()
	if v.Kind() == slog.KindGroup {
		for _, a := range v.Group() {
			writeValue(b, a.Value)
		}
		return
	}
	b.WriteByte(0)
	if rv := reflect.ValueOf(v.Any()); v.Kind() == slog.KindAny && rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
		b.Write(rv.Bytes())
		return
	}
	b.WriteString(v.String())
}

// A lockedBuffer is what the log package writes to while the hook runs, on
// a goroutine the check may stop waiting for.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() < maxKept<<10 {
		b.buf.Write(p)
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
