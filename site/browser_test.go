package site

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

// chromium finds Debian's Chromium. Without it the browser test skips, but
// on CI (CI=true) it fails: there the browser is part of the suite.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium to drive the site: install it (apt-get install chromium)")
	}
	t.Skip("no chromium installed; the browser test needs it (apt-get install chromium)")
	return ""
}

// lane is one span of the run timeline, as the page draws it.
type lane struct {
	Kind   string   `json:"kind"`
	ID     string   `json:"id"`
	State  string   `json:"state"`
	Start  float64  `json:"start"`
	End    *float64 `json:"end"`
	Queued *float64 `json:"queued"`
}

const lanesJS = `[...document.querySelectorAll("#timeline .lane")].map(l => ({
	kind: l.dataset.kind, id: l.dataset.id, state: l.dataset.state,
	start: +l.dataset.start,
	end: l.dataset.end === undefined ? null : +l.dataset.end,
	queued: l.dataset.queued === undefined ? null : +l.dataset.queued,
}))`

// TestBrowser drives the site in a real headless Chromium, as a learner
// would: the contents, every lesson and its Run button, a Check of a starter
// exercise, hints, the solution, search, dark mode, and a phone's screen.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	execPath := chromium(t)
	root, err := lessons.Root()
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t)
	ts.root = root
	all := tour.All()

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	defer cancel()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil { // starts the browser, without a deadline
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(browser, 4*time.Minute)
	defer cancel()

	// Collect what the console reports: a script error or a refusal by the
	// Content-Security-Policy is a failure.
	var mu sync.Mutex
	var problems []string
	report := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, s)
	}
	logs := chromedp.Events(ctx, cdplog.EntryAdded)
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			if e := ev.Entry; e.Level == cdplog.EntryLevelError || strings.Contains(e.Text, "Content Security Policy") {
				report(fmt.Sprintf("console %s: %s (%s)", e.Level, e.Text, e.URL))
			}
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			report("exception: " + (&chromedp.ExceptionError{ExceptionDetails: ev.ExceptionDetails}).Error())
		}
	}()
	var confirms []string
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			mu.Lock()
			confirms = append(confirms, ev.Message)
			mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}

	shots := []string{t.TempDir()}
	if dir := os.Getenv("SCREENSHOT_DIR"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		shots = append(shots, dir)
	}
	screenshot := func(name string, shot chromedp.Action[[]byte]) {
		t.Helper()
		b, err := chromedp.Run(ctx, shot)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		for _, dir := range shots {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	waitFor := func(what, js string, limit time.Duration) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(limit), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}

	// The contents page lists every lesson.
	do("opening the contents", chromedp.Navigate(ts.URL+"/"))
	if n := eval(`String(document.querySelectorAll("#lessons li").length)`); n != fmt.Sprint(len(all)) {
		t.Fatalf("the contents list %s lessons, want %d", n, len(all))
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#lessons li a`))); err != nil {
		t.Fatalf("opening the first lesson: %v", err)
	}

	for i, l := range all {
		if loc := eval(`location.pathname`); loc != "/lessons/"+l.Slug+"/" {
			t.Fatalf("at %s, want lesson %s", loc, l.Slug)
		}
		do("running "+l.Slug, chromedp.Click(chromedp.ID("run-button")))
		waitFor(l.Slug+"'s run", `["done", "failed"].includes(document.body.dataset.run)`, 90*time.Second)
		if state := eval(`document.body.dataset.run`); state != "done" {
			t.Errorf("%s: the run ended %s: %s", l.Slug, state, eval(`document.getElementById("run-status").textContent`))
		}
		var lanes []lane
		if err := json.Unmarshal([]byte(eval(`JSON.stringify(`+lanesJS+`)`)), &lanes); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, ln := range lanes {
			kinds[ln.Kind]++
		}
		if kinds["request"] == 0 || kinds["task"] == 0 {
			t.Errorf("%s: the timeline has %d request lanes and %d task lanes", l.Slug, kinds["request"], kinds["task"])
		}
		// The headline of the first lesson, drawn: the response ends while
		// its task is still running. (Later lessons also show quick tasks
		// that end before the client has read the whole response.)
		if i == 0 && !responseBeforeTask(lanes) {
			t.Errorf("%s: the timeline shows no response ending before a task it queued ends: %s", l.Slug, eval(`JSON.stringify(`+lanesJS+`)`))
		}
		if i == 0 {
			do("scrolling to the timeline", chromedp.Evaluate[chromedp.Void](`document.getElementById("run").scrollIntoView()`))
			screenshot("lesson-run.png", chromedp.CaptureScreenshot())
		}
		if i+1 == len(all) {
			break
		}
		next := chromedp.Click(chromedp.CSS(`a[rel=next]`))
		if i == 0 { // the first time by keyboard: the right arrow
			next = chromedp.Steps(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent(kb.ArrowRight))
		}
		if _, err := chromedp.RunResponse(ctx, next); err != nil {
			t.Fatalf("going from %s to the next lesson: %v", l.Slug, err)
		}
	}

	// Check a starter exercise: it fails, and the page says which step.
	do("opening lesson 01", chromedp.Navigate(ts.URL+"/lessons/"+all[0].Slug+"/"))
	do("checking", chromedp.Click(chromedp.ID("check-button")))
	waitFor("the check", `["failed", "passed", "error"].includes(document.body.dataset.check)`, 3*time.Minute)
	result := eval(`document.getElementById("check-result").textContent`)
	if state := eval(`document.body.dataset.check`); state != "failed" || !strings.Contains(result, "Not yet") || !strings.Contains(result, "Step ") {
		t.Errorf("the starter's check: %s, %q; want a failure naming its step", state, result)
	}

	do("scrolling to the exercise", chromedp.Evaluate[chromedp.Void](`document.getElementById("exercise").scrollIntoView()`))
	screenshot("lesson-check.png", chromedp.CaptureScreenshot())

	// Hints one at a time; the solution after a confirm.
	do("asking for a hint", chromedp.Click(chromedp.ID("hint-button")))
	if shown := eval(`String(document.querySelectorAll("#hints li:not([hidden])").length)`); shown != "1" {
		t.Errorf("%s hints shown after one click, want 1", shown)
	}
	do("asking for the solution", chromedp.Click(chromedp.ID("solution-button")))
	waitFor("the solution", `!document.getElementById("solution").hidden`, 10*time.Second)
	mu.Lock()
	if len(confirms) != 1 {
		t.Errorf("dialogs %q, want one confirm before the solution", confirms)
	}
	mu.Unlock()

	// Search finds a section of another lesson.
	do("searching", chromedp.SendKeys(chromedp.ID("search"), "shutdown"))
	waitFor("search results", `document.querySelectorAll("#search-results a").length > 0`, 10*time.Second)

	// Dark mode: the toggle switches it, and the choice survives a reload.
	before := eval(`getComputedStyle(document.body).backgroundColor`)
	theme := eval(`document.documentElement.dataset.theme`)
	do("toggling the theme", chromedp.Click(chromedp.ID("theme")))
	after := eval(`getComputedStyle(document.body).backgroundColor`)
	if theme != "light" || eval(`document.documentElement.dataset.theme`) != "dark" || before == after {
		t.Errorf("theme %s -> %s, background %s -> %s", theme, eval(`document.documentElement.dataset.theme`), before, after)
	}
	do("reloading", chromedp.Reload())
	if got := eval(`document.documentElement.dataset.theme`); got != "dark" {
		t.Errorf("after a reload the theme is %s, want dark (kept in localStorage)", got)
	}
	do("running again", chromedp.Click(chromedp.ID("run-button")))
	waitFor("the run", `document.body.dataset.run === "done"`, 90*time.Second)
	do("scrolling to the timeline", chromedp.Evaluate[chromedp.Void](`document.getElementById("run").scrollIntoView()`))
	screenshot("lesson-run-dark.png", chromedp.CaptureScreenshot())
	do("toggling the theme back", chromedp.Click(chromedp.ID("theme")))

	// The contents page shows the progress kept in the browser.
	do("opening the contents", chromedp.Navigate(ts.URL+"/"))
	if n := eval(`String(document.querySelectorAll("#lessons li[data-progress]").length)`); n != fmt.Sprint(len(all)) {
		t.Errorf("%s lessons marked read, want %d", n, len(all))
	}
	screenshot("contents.png", chromedp.CaptureScreenshot())

	// A phone: nothing wider than the screen.
	do("a phone's screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(ts.URL+"/lessons/"+all[0].Slug+"/"))
	if w := eval(`String(window.innerWidth)`); w != "390" {
		t.Errorf("on a phone 390px wide the page lays out %spx wide; too wide: %s", w,
			eval(`JSON.stringify([...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 391 && !e.closest("pre, .timeline, table")).slice(0, 8).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)))`))
	}
	screenshot("lesson-phone.png", chromedp.CaptureScreenshot())

	// The static copy shows a recorded run, and explains that checks need
	// the tutor.
	built := t.TempDir()
	if err := Build(ctx, built, io.Discard); err != nil {
		t.Fatal(err)
	}
	static := httptest.NewServer(http.FileServer(http.Dir(built)))
	defer static.Close()
	do("opening the static copy", chromedp.EmulateReset(), chromedp.Navigate(static.URL+"/lessons/"+all[1].Slug+"/"),
		chromedp.Click(chromedp.ID("run-button")))
	waitFor("the recorded run", `["done", "failed"].includes(document.body.dataset.run)`, 10*time.Second)
	if state, n := eval(`document.body.dataset.run`), eval(`String(document.querySelectorAll("#timeline .lane").length)`); state != "done" || n == "0" {
		t.Errorf("static copy: run %s with %s lanes", state, n)
	}
	do("checking in the static copy", chromedp.Click(chromedp.ID("check-button")))
	if msg := eval(`document.getElementById("check-result").textContent`); !strings.Contains(msg, "go run ./cmd/tutor") {
		t.Errorf("static copy: the check says %q; want it to say the tutor is needed", msg)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser: %s", p)
	}
	t.Logf("screenshots in %s", strings.Join(shots, ", "))
}

// responseBeforeTask reports whether some request's response ended before a
// task queued during that request ended: the lesson's headline, drawn.
func responseBeforeTask(lanes []lane) bool {
	for _, r := range lanes {
		if r.Kind != "request" || r.End == nil {
			continue
		}
		for _, task := range lanes {
			if task.Kind != "task" || task.End == nil || task.Queued == nil {
				continue
			}
			if *task.Queued >= r.Start && *task.Queued <= *r.End && *r.End < *task.End {
				return true
			}
		}
	}
	return false
}
