package check

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgtasks/tutorial/bgtasks"
	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
	"github.com/bgtasks/tutorial/lessons/05-testing/exercise"
	"github.com/bgtasks/tutorial/lessons/05-testing/solution"
)

// TestExerciseBothWays proves the check: the starter fails it with a
// message that says what to do, and the solution passes.
func TestExerciseBothWays(t *testing.T) {
	err := Exercise(exercise.TestNotificationIsLogged)
	if err == nil {
		t.Fatal("the starter passes the check")
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	if first != "step 3/5: your test passed against a broken app that answers 202 but never writes log.txt: it must fail there" {
		t.Errorf("starter: %v", err)
	}
	if !strings.Contains(err.Error(), "\nhint: ") {
		t.Errorf("starter: no hint in %v", err)
	}
	if err := Exercise(solution.TestNotificationIsLogged); err != nil {
		t.Errorf("solution: %v", err)
	}
}

// learnerTest is a test of the notification app as a learner might write
// it, with knobs for the usual mistakes.
type learnerTest struct {
	sync      bool          // a Synchronous runner
	inProcess bool          // ServeHTTP with a recorder, not a real server
	wait      bool          // runner.Wait() after the response
	sleep     time.Duration // time.Sleep after the response, instead of waiting
	check     string        // "exists", "first line" or "all": how much of log.txt it checks
}

func (lt learnerTest) run(t apptests.T, newApp apptests.NewApp) {
	dir := t.TempDir()
	var opts []bgtasks.Option
	if lt.sync {
		opts = append(opts, bgtasks.Synchronous())
	}
	runner := bgtasks.New(opts...)
	h := newApp(runner, dir)
	const body = `{"message": "Your order has shipped"}`
	if lt.inProcess {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/send-notification/ada@example.com", strings.NewReader(body)))
		if rec.Code != http.StatusAccepted {
			t.Fatalf("status %d", rec.Code)
		}
	} else {
		srv := httptest.NewServer(h)
		defer srv.Close()
		resp, err := http.Post(srv.URL+"/send-notification/ada@example.com", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if lt.wait {
		runner.Wait()
	}
	time.Sleep(lt.sleep)
	b, err := os.ReadFile(filepath.Join(dir, "log.txt"))
	if err != nil {
		t.Fatalf("log.txt: %v", err)
	}
	want := "notification for ada@example.com: Your order has shipped\nemail sent to ada@example.com\n"
	switch lt.check {
	case "first line":
		want, _, _ = strings.Cut(want, "\n")
		if line, _, _ := strings.Cut(string(b), "\n"); line != want {
			t.Errorf("first line %q, want %q", line, want)
		}
	case "all":
		if string(b) != want {
			t.Errorf("log.txt = %q, want %q", b, want)
		}
	}
}

// TestCheckCatchesMistakes runs the check on tests with the mistakes the
// lesson warns about, and on good tests written other ways.
func TestCheckCatchesMistakes(t *testing.T) {
	tests := []struct {
		name string
		test learnerTest
		want string // the error's first line; "" for a pass
	}{
		{"in process, synchronous", learnerTest{sync: true, inProcess: true, check: "all"}, ""},
		{"real server, Wait", learnerTest{wait: true, check: "all"}, ""},
		{"real server, synchronous, Wait", learnerTest{sync: true, wait: true, check: "all"}, ""},
		{"real server, no Wait", learnerTest{check: "all"},
			"step 1/5: your test failed against the working app of lesson 01, where it must pass; it reported:"},
		{"real server, synchronous, no Wait", learnerTest{sync: true, check: "all"},
			"step 1/5: your test failed against the working app of lesson 01, where it must pass; it reported:"},
		// 200ms outlasts lesson 01's 80ms mail with room for a loaded
		// machine, and still falls short of the slow copy's 300ms.
		{"sleeps instead of waiting", learnerTest{sleep: 200 * time.Millisecond, check: "all"},
			"step 2/5: your test failed against the working app of lesson 01 once its mail server takes 300ms to answer, where it must pass; it reported:"},
		{"checks that log.txt exists", learnerTest{wait: true, check: "exists"},
			"step 4/5: your test passed against a broken app that writes someone.else@example.com into log.txt instead of the address you sent: it must fail there"},
		{"checks the first line", learnerTest{wait: true, check: "first line"},
			`step 5/5: your test passed against a broken app whose mail is never sent (its "send email" task fails, so the line "email sent to ..." is missing): it must fail there`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Exercise(tt.test.run)
			var first string
			if err != nil {
				first, _, _ = strings.Cut(err.Error(), "\n")
			}
			if first != tt.want {
				t.Errorf("check said %v\nwant first line %q", err, tt.want)
			}
		})
	}
}

// TestCheckStopsAHangingTest checks that a test that never returns is
// reported, not waited for.
func TestCheckStopsAHangingTest(t *testing.T) {
	defer SetTestTimeout(50 * time.Millisecond)()
	release := make(chan struct{})
	defer close(release)
	err := Exercise(func(t apptests.T, newApp apptests.NewApp) { <-release })
	if err == nil || !strings.HasPrefix(err.Error(), "step 1/5: your test ran against the working app of lesson 01 and it did not finish within 50ms\nhint: ") {
		t.Errorf("check said %v", err)
	}
}

// TestCheckReportsPanicsAndSilentFailures checks what the learner is told
// when the test panics, or fails without a message.
func TestCheckReportsPanicsAndSilentFailures(t *testing.T) {
	err := Exercise(func(t apptests.T, newApp apptests.NewApp) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "\n    panic: boom\n") {
		t.Errorf("a panicking test: check said %v", err)
	}
	err = Exercise(func(t apptests.T, newApp apptests.NewApp) {
		t.Cleanup(func() { t.Fatal() })
	})
	if err == nil || !strings.Contains(err.Error(), "it failed without a message") {
		t.Errorf("a test failing in its cleanup: check said %v", err)
	}
}
