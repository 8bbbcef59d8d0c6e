package check

import (
	"os"
	"path/filepath"
	"testing"
)

// parse reads code as the learner's file.
func parse(t *testing.T, code string) *source {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, learnerFile), []byte("package exercise\n\n"+code), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := parseSource(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The source tells t.Fatal where it cannot stop the test from t.Fatal where
// it can.
func TestFatalsHandedOver(t *testing.T) {
	tests := []struct {
		name, body string
		handed     bool
	}{
		{"in the test", `t.Fatal("x")`, false},
		{"in a helper called here", `check := func() { t.Fatal("x") }; check()`, false},
		{"in a deferred call", `defer func() { t.Fatal("x") }()`, false},
		{"in a subtest, on its own T", `t.Run("a", func(t *testing.T) { t.Fatal("x") })`, false},
		{"in a cleanup", `t.Cleanup(func() { t.Fatal("x") })`, false},
		{"in a go statement", `go func() { t.Fatal("x") }()`, true},
		{"in a task", `bgtasks.From(ctx).Add("x", func(ctx context.Context) error { t.Fatalf("x"); return nil })`, true},
		{"in a handler", `h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.FailNow() }); _ = h`, true},
		{"in a synctest bubble, on its own T", `synctest.Test(t, func(t *testing.T) { t.Fatal("x") })`, false},
		{"in a synctest bubble, on the outer T", `synctest.Test(t, func(st *testing.T) { t.Fatal("x") })`, true},
		{"in a goroutine in a synctest bubble", `synctest.Test(t, func(t *testing.T) { go func() { t.Fatal("x") }() })`, true},
		{"in a hook in a synctest bubble", `synctest.Test(t, func(t *testing.T) { bgtasks.WithObserver(func(e bgtasks.Event) { t.Fatal("x") }) })`, true},
		{"t.Error in a task", `bgtasks.From(ctx).Add("x", func(ctx context.Context) error { t.Error("x"); return nil })`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := parse(t, "import (\n\t\"testing\"\n\t\"testing/synctest\"\n)\n\nfunc TestNotification(t *testing.T) {\n\t"+tt.body+"\n}\n")
			if s.test == nil {
				t.Fatal("no TestNotification found")
			}
			if got := len(s.fatals) > 0; got != tt.handed {
				t.Errorf("handed over: %v, want %v", got, tt.handed)
			}
		})
	}
}

func TestSourceFacts(t *testing.T) {
	s := parse(t, `import (
	"os"
	tt "testing"
	"testing/synctest"
	"time"
)

func TestNotification(t *tt.T) {
	synctest.Wait()
	_, err := os.ReadFile("log.txt")
	t.Log(err.Error())
	for {
		if _, err := os.Stat("log.txt"); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	<-time.After(time.Second)
}
`)
	switch {
	case s.test == nil:
		t.Error("TestNotification, with testing imported as tt, not found")
	case len(s.waits) != 0:
		t.Errorf("synctest.Wait counted as waiting for the tasks")
	case s.reports:
		t.Error("err.Error() counted as reporting a failure")
	case len(s.polls) != 1 || len(s.sleeps) != 1 || len(s.timers) != 1 || len(s.reads) != 2:
		t.Errorf("polls %d, sleeps %d, timers %d, reads %d; want 1, 1, 1, 2", len(s.polls), len(s.sleeps), len(s.timers), len(s.reads))
	case s.at(s.polls) != "line 14":
		t.Errorf("the loop is at %s, want line 14", s.at(s.polls))
	}
}
