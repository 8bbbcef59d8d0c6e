package check

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bgtasks/tutorial/internal/scenario"
	"github.com/bgtasks/tutorial/lessons"
)

// The scenario's numbers: nine orders, mailed three at a time, each mail
// taking a second, so that the kill finds three mailed, three being mailed
// and three queued.
const (
	orders    = 9
	workers   = 3
	sendDelay = "1s"
)

// runs holds each session's shop, from App to Scenario.
var runs sync.Map // *scenario.Session -> *shop

// App builds the lesson's shop (once per process, into the user's cache),
// starts it as a separate process on a SQLite file of its own, and returns a
// handler that forwards each request to whichever shop process is up. The
// shop's log lines become the timeline's events.
func App(s *scenario.Session) (http.Handler, error) {
	bin, err := build()
	if err != nil {
		return nil, err
	}
	dbDir, err := os.MkdirTemp("", "durable-scenario-")
	if err != nil {
		return nil, err
	}
	sh := &shop{s: s, bin: bin, args: []string{"-addr", "127.0.0.1:0", "-dir", s.Dir,
		"-db", filepath.Join(dbDir, "shop.db"), "-workers", fmt.Sprint(workers), "-send-delay", sendDelay,
		"-job-timeout", "3s", "-rescue-after", "4s"}}
	sh.changed = sync.NewCond(&sh.mu)
	s.Cleanup(func() {
		sh.stop()
		os.RemoveAll(dbDir)
		runs.Delete(s)
	})
	if err := sh.start(); err != nil {
		return nil, err
	}
	runs.Store(s, sh)
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(sh.current()) }}
	return proxy, nil
}

// Scenario places the orders, kills the shop with SIGKILL while three
// confirmations are being mailed, starts it again on the same database, and
// waits for every order to be confirmed: the queued jobs at once, the
// killed ones once River rescues them.
func Scenario(ctx context.Context, s *scenario.Session) error {
	v, ok := runs.Load(s)
	if !ok {
		return errors.New("the scenario needs the shop that App starts")
	}
	sh := v.(*shop)
	s.Note("%d orders; each confirmation is a River job whose mail takes %s, %d at a time", orders, sendDelay, workers)
	for i := range orders {
		body := fmt.Sprintf(`{"email":"customer%d@example.com","item":"book","quantity":1}`, i+1)
		resp, err := s.Do(ctx, "POST", "/orders", body)
		if err != nil {
			return err
		}
		if resp.Status != http.StatusCreated {
			return fmt.Errorf("POST /orders: status %d, want %d", resp.Status, http.StatusCreated)
		}
	}
	// At least a round confirmed, and a full round mid-mail: a state that
	// lasts a mail's length while jobs remain, so it is always seen, however
	// the rounds overlap.
	var running, confirmed int
	if err := sh.waitUntil(ctx, func() bool {
		running, confirmed = len(sh.running), sh.confirmed
		return confirmed >= workers && running == workers
	}); err != nil {
		return err
	}
	s.Note("SIGKILL: no deferred call, no shutdown; %d confirmations are half done, %d not started", running, orders-confirmed-running)
	sh.kill()

	s.Note("a new process on the same database: queued jobs start at once; the killed ones wait for the rescue (RescueStuckJobsAfter, here 4s, and the dead process's leadership, about 15s)")
	if err := sh.start(); err != nil {
		return err
	}
	if err := sh.waitUntil(ctx, func() bool { return sh.confirmed == orders }); err != nil {
		return err
	}
	resp, err := s.Do(ctx, "GET", fmt.Sprintf("/orders/%d", orders), "")
	if err != nil {
		return err
	}
	if !strings.Contains(resp.Body, `"confirmed":true`) {
		return fmt.Errorf("GET /orders/%d: %s, want it confirmed", orders, resp.Body)
	}
	s.Note("every order confirmed once; outbox.jsonl holds the mails, a repeat only where a kill fell between a mail and its commit")
	return nil
}

// build builds cmd/shop from the repository on disk, once per process: the
// tutor does not link River, so the shop is a program of its own. A failed
// build is not remembered, so a learner who fixes the cause can run again.
func build() (string, error) {
	built.Lock()
	defer built.Unlock()
	if built.bin != "" {
		return built.bin, nil
	}
	root, err := lessons.Root()
	if err != nil {
		return "", fmt.Errorf("lesson 06 builds its shop from the repository: %w", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	// One binary per checkout, so two copies of the tutorial never run each
	// other's shop, and one build at a time: tests run scenarios in several
	// processes at once, and a cold build of SQLite takes a minute or more.
	sum := sha256.Sum256([]byte(root))
	bin := filepath.Join(cache, "bgtasks-tutorial", fmt.Sprintf("06-durable-shop-%x", sum[:6]))
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	unlock, err := lockFile(bin + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	cmd := exec.Command("go", "build", "-o", bin, "./lessons/06-durable/cmd/shop")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the lesson's shop: %v\n%s", err, out)
	}
	built.bin = bin
	return bin, nil
}

var built struct {
	sync.Mutex
	bin string
}

// A shop is the lesson's app as a process, and what its log has said.
type shop struct {
	s    *scenario.Session
	bin  string
	args []string

	mu        sync.Mutex
	changed   *sync.Cond
	cmd       *exec.Cmd
	done      chan struct{} // closed when cmd's log ends
	url       *url.URL
	confirmed int            // orders confirmed, by every process so far
	running   map[string]job // jobs started and not finished, by event ID
}

// A job is a confirmation as the timeline names it.
type job struct {
	name    string
	started time.Time
}

// start starts a shop process and waits for its "listening" line.
func (sh *shop) start() error {
	cmd := exec.Command(sh.bin, sh.args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	sh.mu.Lock()
	sh.cmd, sh.url, sh.done, sh.running = cmd, nil, make(chan struct{}), map[string]job{}
	done := sh.done
	sh.mu.Unlock()
	go sh.read(stderr, done)
	return sh.waitUntil(context.Background(), func() bool { return sh.url != nil || sh.exited(done) })
}

func (sh *shop) exited(done chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// read turns the shop's log lines into events until the process ends.
func (sh *shop) read(stderr io.Reader, done chan struct{}) {
	defer func() {
		sh.mu.Lock()
		close(done)
		sh.changed.Broadcast()
		sh.mu.Unlock()
	}()
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		raw := map[string]any{}
		if json.Unmarshal(sc.Bytes(), &raw) != nil {
			continue
		}
		msg, _ := raw["msg"].(string)
		order, attempt := fmt.Sprint(raw["order"]), fmt.Sprint(raw["attempt"])
		id := "job-" + order + "." + attempt
		name := "confirmation of order " + order
		sh.mu.Lock()
		switch msg {
		case "listening":
			u, _ := raw["url"].(string)
			sh.url, _ = url.Parse(u)
		case "order placed":
			sh.s.Emit(scenario.Event{Kind: scenario.KindQueued, ID: "job-" + order + ".1", Name: name})
		case "confirmation started":
			name += ", attempt " + attempt
			sh.running[id] = job{name, time.Now()}
			sh.s.Emit(scenario.Event{Kind: scenario.KindStarted, ID: id, Name: name})
		case "order confirmed":
			sh.confirmed++
			j := sh.running[id]
			delete(sh.running, id)
			sh.s.Emit(scenario.Event{Kind: scenario.KindCompleted, ID: id, Name: j.name, Took: time.Since(j.started)})
		default:
			sh.s.Emit(scenario.Event{Kind: scenario.KindLog, Name: logLine(raw)})
		}
		sh.changed.Broadcast()
		sh.mu.Unlock()
	}
}

// logLine formats one of the shop's JSON log lines as the timeline shows
// logs: msg="..." key=value ..., without the time.
func logLine(raw map[string]any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "level=%v msg=%q", raw["level"], raw["msg"])
	for k, v := range raw {
		if k != "time" && k != "level" && k != "msg" {
			fmt.Fprintf(&b, " %s=%v", k, v)
		}
	}
	return b.String()
}

// waitUntil waits until cond, called with sh.mu held, is true, or ctx ends.
func (sh *shop) waitUntil(ctx context.Context, cond func() bool) error {
	stop := context.AfterFunc(ctx, func() {
		sh.mu.Lock()
		sh.changed.Broadcast()
		sh.mu.Unlock()
	})
	defer stop()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for !cond() {
		if ctx.Err() != nil {
			return fmt.Errorf("waiting for the shop: %w", context.Cause(ctx))
		}
		sh.changed.Wait()
	}
	if sh.url == nil {
		return errors.New("the shop exited before it listened")
	}
	return nil
}

func (sh *shop) current() *url.URL {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.url == nil {
		return &url.URL{Scheme: "http", Host: "127.0.0.1:1"} // down: the proxy answers 502
	}
	return sh.url
}

// kill sends SIGKILL and reports the jobs it cut short.
func (sh *shop) kill() {
	sh.mu.Lock()
	cmd, done := sh.cmd, sh.done
	sh.url = nil
	sh.mu.Unlock()
	cmd.Process.Kill()
	cmd.Wait()
	<-done
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for id, j := range sh.running {
		sh.s.Emit(scenario.Event{Kind: scenario.KindAbandoned, ID: id, Name: j.name, Took: time.Since(j.started),
			Detail: "killed with the process; its row still says running, so River will run it again"})
	}
}

// stop ends the running shop with SIGTERM: it finishes its jobs and exits.
func (sh *shop) stop() {
	sh.mu.Lock()
	cmd, done := sh.cmd, sh.done
	sh.mu.Unlock()
	if cmd == nil || cmd.ProcessState != nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	<-done
}
