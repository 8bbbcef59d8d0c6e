package durable

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash proof, over real processes: a shop takes 12 orders whose mails
// are slow, the test kills it with SIGKILL halfway and starts it again.
// River confirms every order, each exactly once in the database; the
// in-process shop of lessons 01-05 loses every confirmation it had not yet
// sent, and nothing brings them back.
func TestCrash(t *testing.T) {
	t.Parallel() // it mostly waits
	testCrash(t, func(*testing.T) string { return "" })
}

const (
	crashOrders = 12
	crashFirst  = 6 // orders confirmed before the second half is placed
)

func testCrash(t *testing.T, newURL func(*testing.T) string) {
	if testing.Short() {
		t.Skip("the crash proof waits some 20 s for River to rescue the jobs that the killed process was running")
	}
	bin := buildShop(t)
	t.Run("River", func(t *testing.T) {
		t.Parallel()
		run := killHalfway(t, bin, newURL(t), false)
		db := run.db.DB
		// Queued jobs resume at once; the ones that were running wait for
		// RescueAfter and for the dead process to lose its leadership.
		waitUntil(t, 90*time.Second, func() bool {
			return count(t, db, `SELECT count(*) FROM confirmations`) >= crashOrders &&
				count(t, db, `SELECT count(*) FROM river_job WHERE state <> 'completed'`) == 0
		})
		recovered := time.Since(run.restarted)

		if n, distinct := count(t, db, `SELECT count(*) FROM confirmations`),
			count(t, db, `SELECT count(DISTINCT order_id) FROM confirmations`); n != crashOrders || distinct != crashOrders {
			t.Errorf("%d confirmations of %d orders, want exactly one for each of %d", n, distinct, crashOrders)
		}
		sent := outbox(t, run.dir)
		duplicates := 0
		for id := 1; id <= crashOrders; id++ {
			switch n := sent[fmt.Sprintf("order-%d-confirmation", id)]; {
			case n == 0:
				t.Errorf("order %d was never mailed", id)
			case n > 1:
				duplicates += n - 1
			}
		}
		// A job killed after its mail went out, before its transaction
		// committed, mails again: at least once, never more often than
		// the jobs that were running.
		if duplicates > run.runningAtKill {
			t.Errorf("%d duplicate mails, but only %d jobs were running at the kill", duplicates, run.runningAtKill)
		}
		t.Logf("River: killed with %d of %d confirmed, %d jobs running; all confirmed %.1fs after the restart; %d duplicate mails",
			run.confirmedAtKill, crashOrders, run.runningAtKill, recovered.Seconds(), duplicates)
	})
	t.Run("bgtasks", func(t *testing.T) {
		t.Parallel()
		run := killHalfway(t, bin, newURL(t), true)
		lost := crashOrders - run.confirmedAtKill
		if lost == 0 {
			t.Fatal("the in-process shop lost nothing: was it killed after its tasks had run?")
		}
		// The new process confirms new orders, and only those: nothing
		// recorded that the others were due.
		if status, _ := postOrder(t, run.url, crashOrders+1); status != http.StatusCreated {
			t.Fatalf("order %d after the restart: status %d", crashOrders+1, status)
		}
		waitUntil(t, 30*time.Second, func() bool {
			return count(t, run.db.DB, `SELECT count(*) FROM confirmations WHERE order_id = $1`, crashOrders+1) == 1
		})
		if n := count(t, run.db.DB, `SELECT count(*) FROM confirmations WHERE order_id <= $1`, crashOrders); n != run.confirmedAtKill {
			t.Errorf("%d of the first orders confirmed after the restart, want still %d", n, run.confirmedAtKill)
		}
		t.Logf("bgtasks: killed with %d of %d confirmed; %d confirmations lost for good", run.confirmedAtKill, crashOrders, lost)
	})
}

// A crashRun is a shop killed halfway through its orders and started again.
type crashRun struct {
	dir, url        string // the run's folder; the restarted shop's URL
	db              *database
	restarted       time.Time
	confirmedAtKill int
	runningAtKill   int // River's jobs left running by the killed process
}

// killHalfway starts a shop, places crashFirst orders and waits for their
// confirmations, places the rest, and, once a job is running (River) or
// right away (bgtasks), kills the shop and starts another on the same
// database.
func killHalfway(t *testing.T, bin, dbURL string, inProcess bool) *crashRun {
	t.Helper()
	dir := t.TempDir()
	args := []string{"-dir", dir, "-db", dbURL, "-addr", "127.0.0.1:0", "-workers", "3",
		"-send-delay", "500ms", "-job-timeout", "2s", "-rescue-after", "3s"}
	if inProcess {
		args = append(args, "-in-process")
	}
	first := startShop(t, bin, filepath.Join(dir, "first.log"), args)
	db, err := openDatabase(context.Background(), dbURL, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	for id := 1; id <= crashOrders; id++ {
		if status, reply := postOrder(t, first.url, id); status != http.StatusCreated {
			t.Fatalf("order %d: %d %s", id, status, reply)
		}
		if id == crashFirst {
			waitUntil(t, 30*time.Second, func() bool {
				return count(t, db.DB, `SELECT count(*) FROM confirmations`) == crashFirst
			})
		}
	}
	if !inProcess {
		waitUntil(t, 30*time.Second, func() bool {
			return count(t, db.DB, `SELECT count(*) FROM river_job WHERE state = 'running'`) > 0
		})
	}
	first.kill(t)

	run := &crashRun{dir: dir, db: db, confirmedAtKill: count(t, db.DB, `SELECT count(*) FROM confirmations`)}
	if !inProcess {
		run.runningAtKill = count(t, db.DB, `SELECT count(*) FROM river_job WHERE state = 'running'`)
	}
	run.restarted = time.Now()
	second := startShop(t, bin, filepath.Join(dir, "second.log"), args)
	run.url = second.url
	return run
}

func postOrder(t *testing.T, url string, id int) (int, string) {
	t.Helper()
	body := fmt.Sprintf(`{"email":"customer%d@example.com","item":"book","quantity":1}`, id)
	resp, err := http.Post(url+"/orders", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply strings.Builder
	bufio.NewReader(resp.Body).WriteTo(&reply)
	return resp.StatusCode, reply.String()
}

// waitUntil polls cond, and fails the test if it is still false after
// limit.
func waitUntil(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %s", limit)
		}
		time.Sleep(20 * time.Millisecond) // the polling interval, not a verdict
	}
}

// outbox counts the mails in dir's outbox.jsonl, by idempotency key.
func outbox(t *testing.T, dir string) map[string]int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "outbox.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]int{}
	for line := range strings.Lines(string(b)) {
		var m Mail
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("outbox.jsonl: %q: %v", line, err)
		}
		sent[m.Key]++
	}
	return sent
}

// buildShop builds cmd/shop, with -race when the test has it, so that the
// build reuses the packages the test was built from.
func buildShop(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "shop")
	args := append([]string{"build", "-o", bin}, raceFlag...)
	out, err := exec.Command("go", append(args, "github.com/bgtasks/tutorial/lessons/06-durable/cmd/shop")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// A shopProcess is cmd/shop running.
type shopProcess struct {
	cmd *exec.Cmd
	url string
	log string // its log file
}

// startShop starts bin with args, logging to logPath, and waits for its
// "listening" line. It is stopped with SIGTERM when t ends.
func startShop(t *testing.T, bin, logPath string, args []string) *shopProcess {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &shopProcess{cmd: cmd, log: logPath}
	urls := make(chan string, 1)
	go func() {
		defer logFile.Close()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(logFile, sc.Text())
			var line struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "listening" {
				urls <- line.URL
			}
		}
		close(urls)
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s:\n%s", filepath.Base(logPath), b)
		}
	})
	url, ok := <-urls
	if !ok {
		cmd.Wait()
		b, _ := os.ReadFile(logPath)
		t.Fatalf("the shop exited before listening:\n%s", b)
	}
	p.url = url
	return p
}

// kill sends SIGKILL: no deferred call, no shutdown, no flush.
func (p *shopProcess) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
}

// raceFlag is set by race_test.go when the test runs with -race.
var raceFlag []string
