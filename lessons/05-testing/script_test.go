package apptests_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bgtasks/tutorial/bgtasks"
	apptests "github.com/bgtasks/tutorial/lessons/05-testing"
)

// TestScripts runs the scripts in testdata. Their commands, besides
// testscript's own (cmp, exists, stdout, ...):
//
//	serve-notifications        start lesson 01's app on loopback, writing to $WORK
//	post PATH BODY STATUS      POST a JSON body; the response body goes to stdout
//	wait-tasks                 wait until no task is queued or running
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Values[appKey{}] = &scriptApp{}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"serve-notifications": serveNotifications,
			"post":                post,
			"wait-tasks":          waitTasks,
		},
	})
}

// scriptApp is the app a script started; appKey finds it in the script's
// values.
type scriptApp struct {
	url    string
	runner *bgtasks.Runner
}

type appKey struct{}

func app(ts *testscript.TestScript) *scriptApp {
	a := ts.Value(appKey{}).(*scriptApp)
	if a.runner == nil {
		ts.Fatalf("no app: call serve-notifications first")
	}
	return a
}

func serveNotifications(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: serve-notifications")
	}
	runner := bgtasks.New()
	srv := httptest.NewServer(apptests.NotificationApp(runner, ts.MkAbs(".")))
	a := ts.Value(appKey{}).(*scriptApp)
	a.url, a.runner = srv.URL, runner
	ts.Defer(func() {
		srv.Close()
		runner.Wait()
	})
}

func post(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: post PATH BODY STATUS")
	}
	want, err := strconv.Atoi(args[2])
	ts.Check(err)
	resp, err := http.Post(app(ts).url+args[0], "application/json", strings.NewReader(args[1]))
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	ts.Stdout().Write(b)
	if resp.StatusCode != want {
		ts.Fatalf("POST %s: status %d, want %d", args[0], resp.StatusCode, want)
	}
}

func waitTasks(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: wait-tasks")
	}
	app(ts).runner.Wait()
}
