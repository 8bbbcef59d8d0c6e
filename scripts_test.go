package tutorial_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// How long the scripts' commands wait for a server or a file before they
// give up: far longer than a healthy start takes.
const patience = 20 * time.Second

// TestScripts runs the scenarios in testdata/scripts against the real tutor
// binary, built once: what a learner types, what they see, over real HTTP.
//
// Scripts find the tutor on PATH, the repository in $REPO (cd $REPO before
// tutor check, which reads the exercise files from disk) and in $PORT a
// loopback port that was free a moment ago, for a server whose address the
// script must know in advance. Extra commands:
//
//	httpget URL [STATUS]          GET URL, retrying until the server is up;
//	                              the body goes to stdout
//	httppost URL BODY [STATUS]    the same for a POST with a JSON body
//	! httpget, ! httppost         the server must close the connection
//	                              without a response
//	waitfile FILE [VAR]           wait for FILE to exist; with VAR, set $VAR
//	                              to its contents (a URL in a ready file)
func TestScripts(t *testing.T) {
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	args := []string{"build", "-o", filepath.Join(bin, "tutor"+exe)}
	if raceEnabled() {
		args = append(args, "-race") // so the scripts race-check the tutor too
		t.Log("the tutor is built with -race")
	}
	build := exec.Command("go", append(args, "./cmd/tutor")...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the tutor: %v\n%s", err, out)
	}
	goEnv := goEnvironment(t)

	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "scripts"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("REPO", repo)
			// No script may touch a learner's real learn/.
			env.Setenv("TUTOR_LEARN", filepath.Join(env.WorkDir, "learn"))
			port, err := freePort()
			if err != nil {
				return err
			}
			env.Setenv("PORT", port)
			// tutor check runs go test, which needs the real caches and
			// settings rather than testscript's empty HOME.
			env.Setenv("HOME", os.Getenv("HOME"))
			for k, v := range goEnv {
				env.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"httpget":  httpGet,
			"httppost": httpPost,
			"waitfile": waitFile,
		},
	})
}

// goEnvironment returns the go command's settings that a go test run by a
// script needs to find its caches and behave as it does here.
func goEnvironment(t *testing.T) map[string]string {
	names := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GONOSUMDB", "GOTOOLCHAIN", "GOENV"}
	out, err := exec.Command("go", append([]string{"env", "-json"}, names...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	env := map[string]string{}
	if err := json.Unmarshal(out, &env); err != nil {
		t.Fatalf("go env -json: %v", err)
	}
	for k, v := range env {
		if v == "" {
			delete(env, k)
		}
	}
	return env
}

func httpGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: [!] httpget URL [STATUS]")
	}
	request(ts, neg, http.MethodGet, args[0], "", args[1:])
}

func httpPost(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: [!] httppost URL BODY [STATUS]")
	}
	request(ts, neg, http.MethodPost, args[0], args[1], args[2:])
}

// request sends one request, retrying while nothing listens at url yet,
// checks the status if one is wanted and writes the body to stdout. With
// neg, the server must close the connection without answering.
func request(ts *testscript.TestScript, neg bool, method, url, body string, status []string) {
	want := 0
	if len(status) == 1 {
		n, err := strconv.Atoi(status[0])
		if err != nil {
			ts.Fatalf("status %q is not a number", status[0])
		}
		want = n
	}
	client := &http.Client{Timeout: patience}
	deadline := time.Now().Add(patience)
	for {
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		ts.Check(err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		var op *net.OpError
		if err != nil && errors.As(err, &op) && op.Op == "dial" && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond) // not listening yet
			continue
		}
		if err != nil && neg {
			ts.Logf("%s %s: no response, as wanted: %v", method, url, err)
			return
		}
		if err != nil {
			ts.Fatalf("%s %s: %v", method, url, err)
		}
		if neg {
			resp.Body.Close()
			ts.Fatalf("%s %s: got %s, want no response", method, url, resp.Status)
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		ts.Check(err)
		ts.Logf("%s %s: %s", method, url, resp.Status)
		ts.Stdout().Write(b)
		if want != 0 && resp.StatusCode != want {
			ts.Fatalf("%s %s: status %d, want %d; body: %s", method, url, resp.StatusCode, want, bytes.TrimSpace(b))
		}
		return
	}
}

func waitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: waitfile FILE [VAR]")
	}
	file := ts.MkAbs(args[0])
	deadline := time.Now().Add(patience)
	for {
		b, err := os.ReadFile(file)
		if err == nil {
			if len(args) == 2 {
				ts.Setenv(args[1], strings.TrimSpace(string(b)))
			}
			return
		}
		if !errors.Is(err, os.ErrNotExist) {
			ts.Fatalf("waitfile: %v", err)
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfile: %s did not appear within %s", args[0], patience)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// freePort returns a loopback port that nothing listens on now, so that
// scripts run at the same time, or beside another program, do not collide
// on a fixed one.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

// raceEnabled reports whether this test was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}
