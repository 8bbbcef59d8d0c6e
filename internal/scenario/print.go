package scenario

import (
	"bufio"
	"io"
	"sync"
)

// A Printer writes a timeline as text, one WriteText line per event, from a
// goroutine of its own and through a buffer that it flushes whenever it has
// caught up. An app being recorded therefore never waits for a terminal:
// with a line written to stdout under the session's lock, every request an
// app served paid for a system call.
type Printer struct {
	events chan Event
	done   chan struct{}

	mu     sync.RWMutex // Close waits for Emits under way
	closed bool
}

// NewPrinter starts a Printer that writes to w.
func NewPrinter(w io.Writer) *Printer {
	p := &Printer{events: make(chan Event, 1024), done: make(chan struct{})}
	go p.write(bufio.NewWriter(w))
	return p
}

func (p *Printer) write(w *bufio.Writer) {
	defer close(p.done)
	for e := range p.events {
		_ = WriteText(w, e)
		if len(p.events) == 0 {
			_ = w.Flush()
		}
	}
	_ = w.Flush()
}

// Emit queues e to be printed. It is the emit function to pass to Run or
// Serve. Events emitted after Close are dropped: a task abandoned at a
// deadline may still log after its run has ended.
func (p *Printer) Emit(e Event) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if !p.closed {
		p.events <- e
	}
}

// Close prints what is queued and returns once it is written.
func (p *Printer) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.events)
	}
	p.mu.Unlock()
	<-p.done
}
