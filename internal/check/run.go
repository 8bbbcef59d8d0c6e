package check

import (
	"bytes"
	"context"
	"os/exec"
	"sync"
	"time"
)

// run runs name with args in dir and returns what it wrote, each stream
// capped at maxKept. When ctx ends the process and its children are killed.
func run(ctx context.Context, dir, name string, args ...string) (stdout, stderr []byte, err error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out, errOut capped
	cmd.Stdout, cmd.Stderr = &out, &errOut
	killGroupOnCancel(cmd)
	// A child that outlives the kill could hold the pipes open; stop
	// waiting for it.
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

// capped keeps the first maxKept bytes written to it and drops the rest,
// never failing a write, so the process it reads from is not blocked.
type capped struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := maxKept - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.buf.Bytes())
}
