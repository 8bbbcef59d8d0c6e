package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/internal/tour"
)

// runCmd runs a lesson's scenario and prints its timeline as it happens, or
// with -serve keeps the lesson's app up until ctx ends.
func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	serve := fs.Bool("serve", false, "keep the app up for curl until Ctrl-C")
	addr := fs.String("addr", "127.0.0.1:8081", "where the app listens, with -serve")
	ready := fs.String("ready", "", "with -serve, write the app's URL to `file` once it listens")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, rest, 1, "LESSON"); err != nil {
		return err
	}
	l, err := tour.Find(rest[0])
	if err != nil {
		return usageError{err.Error()}
	}
	if !*serve && (isSet(fs, "addr") || isSet(fs, "ready")) {
		return usagef("run: -addr and -ready need -serve")
	}

	// The timeline, the examples and the notices share stdout line by line.
	out := &lockedWriter{w: stdout}
	if *serve {
		return serveLesson(ctx, l, *addr, *ready, out, stderr)
	}
	limited, cancel := context.WithTimeout(ctx, l.Timeout)
	defer cancel()
	printer := scenario.NewPrinter(out)
	err = scenario.Run(limited, l.App, l.Steps, printer.Emit)
	printer.Close()
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return errors.New("interrupted")
	case limited.Err() != nil:
		return fmt.Errorf("run %s: the scenario did not finish within %s: %w", l.Slug, l.Timeout, err)
	}
	return fmt.Errorf("run %s: %w", l.Slug, err)
}

// serveLesson keeps l's app up on addr until ctx ends, printing its URL,
// example requests and the timeline of what curl makes it do. ready, if
// set, is a file to write the URL to once the app listens.
func serveLesson(ctx context.Context, l tour.Lesson, addr, ready string, out, stderr io.Writer) error {
	printer := scenario.NewPrinter(out)
	defer printer.Close()
	emit := printer.Emit
	if !loopback(addr) {
		fmt.Fprintf(stderr, "tutor: warning: %s is not a loopback address: other machines can reach this app\n", addr)
	}
	var examples sync.WaitGroup
	defer examples.Wait()
	// On Ctrl-C, say so before the app drains its tasks: the timeline lines
	// that follow show the draining.
	appCtx, stopApp := context.WithCancel(context.WithoutCancel(ctx))
	defer stopApp()
	stopping := make(chan struct{})
	go func() {
		defer close(stopping)
		select {
		case <-ctx.Done():
			fmt.Fprintf(out, "Stopping: %s takes no more requests and lets its tasks finish.\n", l.Slug)
			stopApp()
		case <-appCtx.Done():
		}
	}()
	err := scenario.Serve(appCtx, addr, l.App, emit, func(url string) {
		fmt.Fprintf(out, "%s is listening on %s (Ctrl-C stops it)\n", l.Slug, url)
		if ready != "" {
			if err := writeReady(ready, url); err != nil {
				fmt.Fprintf(stderr, "tutor: %v\n", err)
			}
		}
		examples.Go(func() { printExamples(ctx, l, url, out) })
	})
	stopApp()
	<-stopping
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("run -serve %s: %w", l.Slug, err)
	}
	return nil
}

// printExamples prints the lesson scenario's requests as curl commands
// aimed at url. It learns them from a run of the scenario against an app of
// its own, so every example is a request the lesson really makes.
func printExamples(ctx context.Context, l tour.Lesson, url string, out io.Writer) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	var reqs []scenario.Event
	seen := map[string]bool{}
	err := scenario.Run(ctx, l.App, l.Steps, func(e scenario.Event) {
		mu.Lock()
		defer mu.Unlock()
		if key := e.Name + " " + e.Detail; e.Kind == scenario.KindRequest && !seen[key] {
			seen[key] = true
			reqs = append(reqs, e)
		}
	})
	if err != nil || ctx.Err() != nil || len(reqs) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("Try the lesson's requests:\n")
	for i, e := range reqs {
		if i == 8 {
			fmt.Fprintf(&b, "  (and %d more)\n", len(reqs)-i)
			break
		}
		b.WriteString("  " + curl(url, e.Name, e.Detail) + "\n")
	}
	io.WriteString(out, b.String())
}

// curl writes a request of the timeline ("POST /orders", its JSON body) as
// a curl command line.
func curl(url, name, body string) string {
	method, path, _ := strings.Cut(name, " ")
	cmd := "curl -i"
	if method != "GET" {
		cmd += " -X " + method
	}
	cmd += " " + shellQuote(url+path)
	if body != "" {
		cmd += " -H 'Content-Type: application/json' -d " + shellQuote(body)
	}
	return cmd
}

// shellQuote quotes s for a POSIX shell, unless it needs no quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeReady writes url to file in one step, so that a reader never sees
// it half written.
func writeReady(file, url string) error {
	tmp := filepath.Join(filepath.Dir(file), "."+filepath.Base(file)+".tmp")
	if err := os.WriteFile(tmp, []byte(url+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// loopback reports whether addr only listens on this machine.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}
