package scenario

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// Every event emitted before Close is printed, in order, and none after.
func TestPrinter(t *testing.T) {
	var buf bytes.Buffer
	p := NewPrinter(&buf)
	for i := range 3000 { // more than the queue holds: Emit waits, nothing is lost
		p.Emit(Event{At: time.Duration(i) * time.Millisecond, Kind: KindNote, Name: "n"})
	}
	p.Close()
	p.Emit(Event{Kind: KindNote, Name: "late"})
	p.Close() // a second Close is harmless
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3000 || strings.Contains(buf.String(), "late") {
		t.Fatalf("printed %d lines (late dropped: %v), want 3000", len(lines), !strings.Contains(buf.String(), "late"))
	}
	for i, l := range lines {
		var want bytes.Buffer
		_ = WriteText(&want, Event{At: time.Duration(i) * time.Millisecond, Kind: KindNote, Name: "n"})
		if l+"\n" != want.String() {
			t.Fatalf("line %d is %q, want %q: out of order", i, l, want.String())
		}
	}
}

// Emit and Close may race: an Emit under way finishes or is dropped whole.
func TestPrinterCloseWhileEmitting(t *testing.T) {
	var buf bytes.Buffer
	p := NewPrinter(&buf)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 500 {
				p.Emit(Event{Kind: KindNote, Name: "n"})
			}
		})
	}
	p.Close()
	wg.Wait()
	for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if l != "" && !strings.HasSuffix(l, "note      n") {
			t.Fatalf("a torn line: %q", l)
		}
	}
}
