package failures_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
)

// crashEnv names the crash a re-run of this test binary should commit.
const crashEnv = "LESSON04_CRASH"

// crashes are failures that the runner cannot turn into a task's error:
// a panic on a goroutine the task started, which no recover on the task's
// goroutine sees, and a fatal runtime error, which no recover sees at all.
var crashes = map[string]struct {
	task bgtasks.Func
	want string // in what the dying process prints
}{
	"panic in a goroutine the task started": {
		task: func(ctx context.Context) error {
			go func() { panic("boom, on a goroutine of the task's own") }()
			return nil
		},
		want: "panic: boom, on a goroutine of the task's own",
	},
	"concurrent map writes": {
		task: func(ctx context.Context) error {
			for i := 0; ; i++ {
				unguarded[i%64]++ // two requests' tasks run at the same time
			}
		},
		want: "fatal error: concurrent map", // writes, or read and map write
	},
}

var unguarded = map[int]int{}

// TestCrashesTheRunnerCannotCatch re-runs this test binary, which serves
// two requests whose tasks crash the process, and checks that they do.
func TestCrashesTheRunnerCannotCatch(t *testing.T) {
	if name := os.Getenv(crashEnv); name != "" {
		crash(name) // in the re-run: does not return
	}
	if testing.Short() {
		t.Skip("runs this test binary again, to crash it")
	}
	for name, c := range crashes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashesTheRunnerCannotCatch$")
			cmd.Env = append(os.Environ(), crashEnv+"="+name, "GOMAXPROCS=4")
			out, err := cmd.CombinedOutput()
			if err == nil || strings.Contains(string(out), "survived") {
				t.Fatalf("the process survived (%v):\n%s", err, out)
			}
			if !strings.Contains(string(out), c.want) && !strings.Contains(string(out), "DATA RACE") {
				t.Errorf("the process died without %q:\n%s", c.want, out)
			}
		})
	}
}

// crash serves two requests whose task is crashes[name].task through a
// Runner, then waits for the process to die.
func crash(name string) {
	runner := bgtasks.New()
	h := runner.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgtasks.From(r.Context()).Add(name, crashes[name].task)
		w.WriteHeader(http.StatusCreated)
	}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/orders/1", nil))
	}
	time.Sleep(30 * time.Second)
	fmt.Println("survived")
	os.Exit(0)
}
