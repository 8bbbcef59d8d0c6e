package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The samples in testdata are go test -json streams recorded from small
// packages that fail in each way a learner's code can.
func TestParseSamples(t *testing.T) {
	tests := []struct {
		sample  string
		passed  bool
		step    string
		message string // a substring of Result.Message
		hint    string
	}{
		{sample: "pass", passed: true},
		{sample: "fail", step: "2/3",
			message: "the response waited 200ms for the task to finish\nthe client should not wait for log.txt",
			hint:    "queue the write with bgtasks.From(r.Context()).Add"},
		{sample: "sub", step: "2/2", message: "the file log.txt is empty", hint: "write one line per notification"},
		{sample: "compile", message: "your code does not compile:\ncompile/x.go:3:23: cannot use \"x\" (untyped string constant) as int value in return statement\ncompile/x.go:4:12: undefined: undefinedThing"},
		{sample: "vet", message: "go vet, which go test runs first, reports a problem:\nvet/x_test.go:7:44: fmt.Printf format %d has arg \"s\" of wrong type string"},
		{sample: "panicky", message: "your code panicked: assignment to entry in nil map\nat /home/learner/tutorial/panicky/x_test.go:7"},
		{sample: "hang", message: "the check timed out after 1s: something in your code waits forever"},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tt.sample+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			r := parse(b)
			if !r.sawPackage {
				t.Fatal("parse did not see the package start")
			}
			var res Result
			r.fill(&res)
			if res.Passed != tt.passed {
				t.Errorf("Passed = %v, want %v (message %q)", res.Passed, tt.passed, res.Message)
			}
			if res.Step != tt.step {
				t.Errorf("Step = %q, want %q", res.Step, tt.step)
			}
			if tt.message == "" && res.Message != "" || !strings.Contains(res.Message, tt.message) {
				t.Errorf("Message = %q, want it to contain %q", res.Message, tt.message)
			}
			if res.Hint != tt.hint {
				t.Errorf("Hint = %q, want %q", res.Hint, tt.hint)
			}
			if res.Output == "" {
				t.Error("Output is empty")
			}
		})
	}
}

func TestParseNoTests(t *testing.T) {
	stream := `{"Action":"start","Package":"example.com/x"}
{"Action":"output","Package":"example.com/x","Output":"?   \texample.com/x\t[no test files]\n"}
{"Action":"skip","Package":"example.com/x","Elapsed":0}
`
	if r := parse([]byte(stream)); !r.noTests || r.passed {
		t.Errorf("noTests = %v, passed = %v; want true, false", r.noTests, r.passed)
	}
}

// A failure without the step format still tells the learner something.
func TestExplainPlainFailure(t *testing.T) {
	step, msg, hint := explain([]string{"=== RUN   TestCheck", "    check_test.go:9: got 500, want 202", "--- FAIL: TestCheck (0.00s)"})
	if step != "" || msg != "got 500, want 202" || hint != "" {
		t.Errorf("explain = %q, %q, %q", step, msg, hint)
	}
}

// The check's message ends at the next log line, even without a hint.
func TestExplainStopsAtNextLog(t *testing.T) {
	step, msg, hint := explain([]string{
		"    check_test.go:9: step 1/2: no response",
		"        within 5s",
		"    check_test.go:10: cleanup done",
	})
	if step != "1/2" || msg != "no response\nwithin 5s" || hint != "" {
		t.Errorf("explain = %q, %q, %q", step, msg, hint)
	}
}

func TestCapText(t *testing.T) {
	long := strings.Repeat("é", maxShown) // two bytes each: the cut falls inside a rune
	got := capText(long)
	if len(got) > maxShown+len("\n… (output cut)") || !strings.HasSuffix(got, "(output cut)") {
		t.Errorf("capText kept %d bytes", len(got))
	}
	if !strings.HasPrefix(got, "éé") || strings.ContainsRune(got, '\uFFFD') {
		t.Error("capText broke a rune")
	}
}

func TestCappedKeepsTheStart(t *testing.T) {
	var c capped
	chunk := make([]byte, 1000)
	for range maxKept/1000 + 10 {
		if n, err := c.Write(chunk); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if got := len(c.Bytes()); got != maxKept {
		t.Errorf("kept %d bytes, want %d", got, maxKept)
	}
}
