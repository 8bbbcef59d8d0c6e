package site

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bgtasks/tutorial/internal/check"
	"github.com/bgtasks/tutorial/internal/tour"
	"github.com/bgtasks/tutorial/lessons"
)

// screenshots, when set, is where the browser test also writes its
// screenshots of the timeline: go test ./site -run Browser -screenshots ../docs
var screenshots = flag.String("screenshots", "", "also write the browser test's screenshots to this folder (../docs for the documentation's)")

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

// clippedJS lists the elements of the timeline whose text does not fit
// them, and code blocks wider than their box: whatever a reader would have
// to guess or scroll sideways to read.
const clippedJS = `JSON.stringify([...document.querySelectorAll("#timeline .who, #timeline .result, #timeline .said, #timeline .reason, #timeline .caption, #timeline .note, pre")]
	.filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
	.map(e => e.tagName + "." + e.className + " " + e.scrollWidth + ">" + e.clientWidth + ": " + e.textContent.slice(0, 60)))`

// marksJS checks the response marks of every step: each lane of a step
// with a response has one mark per response, at the right end of that
// request's bar. It returns what is wrong, or "".
const marksJS = `(() => {
	const bad = [];
	for (const step of document.querySelectorAll("#timeline .step")) {
		const reqs = [...step.querySelectorAll(".lane.request.responded")];
		for (const lane of step.querySelectorAll(".lane")) {
			const marks = lane.querySelectorAll(".mark");
			if (marks.length !== reqs.length) bad.push(lane.dataset.id + ": " + marks.length + " marks for " + reqs.length + " responses");
		}
		reqs.forEach((r, i) => {
			const bar = r.querySelector(".bar").getBoundingClientRect(), mark = r.querySelectorAll(".mark")[i].getBoundingClientRect();
			// 4px: a bar is drawn at least 3px wide, however short.
			if (Math.abs(bar.right - mark.left) > 4) bad.push(r.dataset.id + ": the mark is at " + mark.left + ", the response at " + bar.right);
		});
	}
	return bad.join("; ");
})()`

// TestBrowser drives the site in a real headless Chromium, as a learner
// would: the contents, every lesson and its Run button, the timeline it
// draws, a Check of a starter exercise and one that passes, hints, the
// solution, search, the arrow keys, dark mode, a phone's screen and the
// static copy.
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
	// The real check of the starter first; once pass is set, a check that
	// passes, to see what a learner sees then.
	var pass atomic.Bool
	realCheck := ts.checkFunc()
	ts.check = func(ctx context.Context, root string, l tour.Lesson) (check.Result, error) {
		if pass.Load() {
			return check.Result{Lesson: l.Slug, Passed: true, Took: time.Second}, nil
		}
		return realCheck(ctx, root, l)
	}
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
		chromedp.Flag("hide-scrollbars", true),
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

	// Every screenshot goes to a folder of the test's; the timeline's, named
	// timeline-*.png, to -screenshots too.
	shots := t.TempDir()
	if *screenshots != "" {
		if err := os.MkdirAll(*screenshots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	screenshot := func(name string, shot chromedp.Action[[]byte]) {
		t.Helper()
		b, err := chromedp.Run(ctx, shot)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		dirs := []string{shots}
		if *screenshots != "" && strings.HasPrefix(name, "timeline-") {
			dirs = append(dirs, *screenshots)
		}
		for _, dir := range dirs {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	eval := func(js string, opts ...chromedp.EvaluateOption) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, opts...))
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
	key := func(what, k string) {
		t.Helper()
		if _, err := chromedp.RunResponse(ctx, chromedp.Steps(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent(k))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	at := func(path string) {
		t.Helper()
		if loc := eval(`location.pathname`); loc != path {
			t.Fatalf("at %s, want %s", loc, path)
		}
	}
	run := func(slug string) {
		t.Helper()
		do("running "+slug, chromedp.Click(chromedp.ID("run-button")))
		waitFor(slug+"'s run", `["done", "failed"].includes(document.body.dataset.run)`, 90*time.Second)
		if state := eval(`document.body.dataset.run`); state != "done" {
			t.Errorf("%s: the run ended %s: %s", slug, state, eval(`document.getElementById("run-status").textContent`))
		}
	}

	// The contents page lists every lesson, each with whole sentences, and
	// says nothing of progress before there is any. The right arrow opens
	// the first lesson.
	do("opening the contents", chromedp.Navigate(ts.URL+"/"))
	if n := eval(`String(document.querySelectorAll("#lessons li").length)`); n != fmt.Sprint(len(all)) {
		t.Fatalf("the contents list %s lessons, want %d", n, len(all))
	}
	if cut := eval(`[...document.querySelectorAll("#lessons li p")].map(p => p.textContent.trim()).filter(s => !/[.?!]$/.test(s)).join(" | ")`); cut != "" {
		t.Errorf("summaries stop mid-sentence: %s", cut)
	}
	if eval(`String(document.getElementById("progress-summary").hidden)`) != "true" {
		t.Errorf("the contents show progress before any: %q", eval(`document.getElementById("progress-summary").textContent`))
	}
	key("the right arrow on the contents", kb.ArrowRight)
	at("/lessons/" + all[0].Slug + "/")

	// The left arrow on the first lesson goes back to the contents.
	key("the left arrow on the first lesson", kb.ArrowLeft)
	at("/")
	do("opening the first lesson", chromedp.Navigate(ts.URL+"/lessons/"+all[0].Slug+"/"))

	for i, l := range all {
		at("/lessons/" + l.Slug + "/")
		// No code block is wider than the text, at 1280px: none scrolls.
		if c := eval(clippedJS); c != "[]" {
			t.Errorf("%s: too wide before the run: %s", l.Slug, c)
		}
		// The Run button sits after the recorded output it replays, not at
		// the end of the page; nothing of the timeline shows before a run.
		if prev := eval(`(document.getElementById("run").previousElementSibling || {}).textContent || ""`); !strings.Contains(prev, "as recorded") &&
			strings.Contains(string(l.README()), "<!-- output:") {
			t.Errorf("%s: the Run widget follows %.80q, not the recorded output", l.Slug, prev)
		}
		if vis := eval(`String([...document.querySelectorAll("#timeline, .legend, #events")].some(e => e.offsetParent !== null))`); vis != "false" {
			t.Errorf("%s: part of the timeline shows before anything has run", l.Slug)
		}
		run(l.Slug)

		var lanes []lane
		if err := json.Unmarshal([]byte(eval(`JSON.stringify(`+lanesJS+`)`)), &lanes); err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, ln := range lanes {
			kinds[ln.Kind]++
			if ln.State == "running" || ln.State == "queued" {
				t.Errorf("%s: %s is still %s after the run", l.Slug, ln.ID, ln.State)
			}
		}
		if kinds["request"] == 0 || kinds["task"] == 0 {
			t.Errorf("%s: the timeline has %d request lanes and %d task lanes", l.Slug, kinds["request"], kinds["task"])
		}
		// The headline of the first lesson, drawn: the response ends while
		// its task is still running.
		if i == 0 && !responseBeforeTask(lanes) {
			t.Errorf("%s: the timeline shows no response ending before a task it queued ends: %s", l.Slug, eval(`JSON.stringify(`+lanesJS+`)`))
		}
		// Every label whole, every outcome whole: nothing clipped.
		if c := eval(clippedJS); c != "[]" {
			t.Errorf("%s: clipped: %s", l.Slug, c)
		}
		// A mark where the client had its whole response, across the step.
		if bad := eval(marksJS); bad != "" {
			t.Errorf("%s: response marks: %s", l.Slug, bad)
		}
		// The scenario's notes are the captions, in the page, not folded away.
		if c := eval(`(() => {
			const notes = document.getElementById("events-text").textContent.split("\n").filter(l => / note /.test(l)).length;
			const shown = document.querySelectorAll("#timeline .caption, #timeline .note").length;
			return notes > 0 && shown >= notes ? "" : notes + " notes in the run, " + shown + " captions on the timeline";
		})()`); c != "" {
			t.Errorf("%s: %s", l.Slug, c)
		}
		// A failure is red and says why, in words.
		if bad := eval(`(() => {
			const probe = document.createElement("span");
			probe.style.color = "var(--bad)";
			document.body.appendChild(probe);
			const red = getComputedStyle(probe).color;
			probe.remove();
			return [...document.querySelectorAll("#timeline .lane.failed, #timeline .lane.abandoned, #timeline .lane.no-response")]
				.filter(l => getComputedStyle(l.querySelector(".result")).color !== red || !(l.querySelector(".reason") || {}).textContent)
				.map(l => l.dataset.id + ": " + l.textContent).join(" | ");
		})()`); bad != "" {
			t.Errorf("%s: failures not in red or without their reason: %s", l.Slug, bad)
		}
		// A screen reader hears what the picture shows.
		if i == 0 {
			if sr := eval(`(document.querySelector("#timeline .step .sr-only") || {}).textContent || ""`); !strings.Contains(sr, "went on after it: ") || !strings.Contains(sr, "send email") {
				t.Errorf("%s: the timeline's words for a screen reader: %q", l.Slug, sr)
			}
			do("scrolling to the timeline", chromedp.Evaluate[chromedp.Void](`document.getElementById("run").scrollIntoView()`))
			screenshot("timeline-light.png", chromedp.Screenshot(chromedp.CSS("#run")))
		}
		switch l.Number {
		case 1: // two requests that differ in one character are told apart
			labels := eval(`[...document.querySelectorAll("#timeline .lane.request .who")].map(e => e.textContent).join("|")`)
			if !strings.Contains(labels, "/send-notification/ada@example.com") || !strings.Contains(labels, "/send-notification/ada.example.com") {
				t.Errorf("%s: request labels %q", l.Slug, labels)
			}
		case 4:
			if n := eval(`String(document.querySelectorAll("#timeline .lane.failed .reason").length)`); n == "0" {
				t.Errorf("%s: no failure on the timeline says why", l.Slug)
			}
			do("scrolling to the timeline", chromedp.Evaluate[chromedp.Void](`document.getElementById("run").scrollIntoView()`))
			screenshot("failures.png", chromedp.Screenshot(chromedp.CSS("#run")))
		case 5: // the two ways of testing are two steps, told apart by their captions
			caps := eval(`[...document.querySelectorAll("#timeline .caption")].map(e => e.textContent).join("|")`)
			if !strings.Contains(caps, "in process") || !strings.Contains(caps, "over loopback") {
				t.Errorf("%s: captions %q", l.Slug, caps)
			}
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
	// The right arrow on the last lesson goes to the contents, as its pager.
	key("the right arrow on the last lesson", kb.ArrowRight)
	at("/")

	// Check a starter exercise: it fails, and the page says which step. The
	// Check button follows the exercise's own text.
	do("opening lesson 01", chromedp.Navigate(ts.URL+"/lessons/"+all[0].Slug+"/"))
	if order := eval(`(() => {
		const h = document.querySelector("h2[id^=exercise]"), c = document.getElementById("check");
		let n = h.nextElementSibling, between = 0;
		for (; n && n !== c; n = n.nextElementSibling) { if (n.tagName === "H2") return "a heading between"; between++; }
		return n ? "ok" : "no Check after the exercise";
	})()`); order != "ok" {
		t.Errorf("the Check widget and the exercise's section: %s", order)
	}
	do("checking", chromedp.Click(chromedp.ID("check-button")))
	waitFor("the check", `["failed", "passed", "error"].includes(document.body.dataset.check)`, 3*time.Minute)
	result := eval(`document.getElementById("check-result").textContent`)
	if state := eval(`document.body.dataset.check`); state != "failed" || !strings.Contains(result, "Not yet") || !strings.Contains(result, "Step ") {
		t.Errorf("the starter's check: %s, %q; want a failure naming its step", state, result)
	}
	if eval(`String(document.getElementById("next-lesson").hidden)`) != "true" {
		t.Error("the next lesson is offered before the exercise passes")
	}
	do("scrolling to the check", chromedp.Evaluate[chromedp.Void](`document.getElementById("check").scrollIntoView()`))
	screenshot("lesson-check.png", chromedp.CaptureScreenshot())

	// Hints one at a time; the solution after a confirm, as what changes.
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
	if sol := eval(`JSON.stringify([document.querySelectorAll("#solution .gi").length, document.querySelectorAll("#solution .gd").length, document.getElementById("solution").textContent.includes("package solution")])`); sol == "" || strings.HasPrefix(sol, "[0,") || strings.HasSuffix(sol, "true]") {
		t.Errorf("the solution (added lines, removed lines, whole file): %s; want what changes", sol)
	}

	// Saving the solution into the learner's copy is noticed without a
	// click: the page's live verdict turns to passed, from a real check.
	waitFor("the live watch", `["watching", "failed", "passed"].includes(document.body.dataset.watch)`, 3*time.Minute)
	solved, err := os.ReadFile(filepath.Join(root, "lessons", all[0].Slug, "solution", "solution.go"))
	if err != nil {
		t.Fatal(err)
	}
	solved = []byte(strings.Replace(string(solved), "package solution", "package exercise", 1))
	if err := os.WriteFile(filepath.Join(ts.learn, all[0].Slug, "exercise.go"), solved, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor("the live verdict after a save", `document.body.dataset.watch === "passed"`, 3*time.Minute)
	if words := eval(`document.getElementById("watch-verdict").textContent`); words == "" {
		t.Error("the live verdict passed with no words on the page")
	}

	// A check that passes offers the next lesson beside it.
	pass.Store(true)
	do("checking again", chromedp.Click(chromedp.ID("check-button")))
	waitFor("the passing check", `document.body.dataset.check === "passed"`, time.Minute)
	if link := eval(`document.getElementById("next-lesson").hidden ? "" : document.querySelector("#next-lesson a").getAttribute("href")`); link != "../"+all[1].Slug+"/" {
		t.Errorf("after a pass the page offers %q, want the next lesson", link)
	}

	// Search finds code as well as words (NewServeMux is only ever in code);
	// its snippets start at a word; the arrow keys walk the results.
	do("searching code", chromedp.SendKeys(chromedp.ID("search"), "NewServeMux"))
	waitFor("search results", `document.querySelectorAll("#search-results a").length > 0`, 10*time.Second)
	if got := eval(`document.querySelector("#search-results small mark").textContent`); got != "NewServeMux" {
		t.Errorf("searching code: the first result marks %q", got)
	}
	do("searching words", chromedp.Evaluate[chromedp.Void](`document.getElementById("search").value = ""`), chromedp.SendKeys(chromedp.ID("search"), "shutdown"))
	waitFor("search results", `document.querySelectorAll("#search-results a").length > 1`, 10*time.Second)
	if bad := eval(`fetch("/search.json").then(r => r.json()).then(index => {
		const texts = index.flatMap(l => l.sections.flatMap(s => [s.text, s.code || ""]));
		return [...document.querySelectorAll("#search-results small")].map(s => s.textContent.replace(/^…/, "").replace(/…$/, ""))
			.filter(s => !texts.some(t => t.startsWith(s) || t.includes(" " + s))).join(" | ");
	})`, chromedp.EvalAwaitPromise); bad != "" {
		t.Errorf("search snippets that start mid-word: %s", bad)
	}
	do("the down arrow in the search box", chromedp.KeyEvent(kb.ArrowDown))
	first := eval(`document.activeElement.href || ""`)
	do("the down arrow in the results", chromedp.KeyEvent(kb.ArrowDown))
	second := eval(`document.activeElement.href || ""`)
	do("the up arrow in the results", chromedp.KeyEvent(kb.ArrowUp))
	if back := eval(`document.activeElement.href || ""`); first == "" || second == "" || first == second || back != first {
		t.Errorf("arrows through the results: %q, %q, back to %q", first, second, back)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatalf("opening a result: %v", err)
	}
	if loc := eval(`location.href`); loc != first {
		t.Errorf("Enter on a result opened %s, want %s", loc, first)
	}

	// Dark mode: the toggle switches it, code colours with it, and the
	// choice survives a reload.
	do("opening lesson 01", chromedp.Navigate(ts.URL+"/lessons/"+all[0].Slug+"/"))
	tokenColour := `getComputedStyle(document.querySelector("pre .kd")).color`
	before, beforeCode := eval(`getComputedStyle(document.body).backgroundColor`), eval(tokenColour)
	theme := eval(`document.documentElement.dataset.theme`)
	do("toggling the theme", chromedp.Click(chromedp.ID("theme")))
	after, afterCode := eval(`getComputedStyle(document.body).backgroundColor`), eval(tokenColour)
	if theme != "light" || eval(`document.documentElement.dataset.theme`) != "dark" || before == after || beforeCode == afterCode {
		t.Errorf("theme %s -> %s, background %s -> %s, a keyword %s -> %s", theme, eval(`document.documentElement.dataset.theme`), before, after, beforeCode, afterCode)
	}
	do("reloading", chromedp.Reload())
	if got := eval(`document.documentElement.dataset.theme`); got != "dark" {
		t.Errorf("after a reload the theme is %s, want dark (kept in localStorage)", got)
	}
	run(all[0].Slug)
	do("scrolling to the timeline", chromedp.Evaluate[chromedp.Void](`document.getElementById("run").scrollIntoView()`))
	screenshot("timeline-dark.png", chromedp.Screenshot(chromedp.CSS("#run")))

	// A phone: nothing wider than the screen, the timeline whole.
	phone := func(theme string) {
		t.Helper()
		do("a phone's screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
			chromedp.Navigate(ts.URL+"/lessons/"+all[0].Slug+"/"))
		if got := eval(`document.documentElement.dataset.theme`); got != theme {
			do("toggling the theme", chromedp.Click(chromedp.ID("theme")))
		}
		run(all[0].Slug)
		if w := eval(`String(document.documentElement.scrollWidth)`); w != "390" {
			t.Errorf("on a phone 390px wide the page is %spx wide: %s", w,
				eval(`JSON.stringify([...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 391).slice(0, 8).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)))`))
		}
		if c := eval(clippedJS); c != "[]" {
			t.Errorf("on a phone, clipped: %s", c)
		}
		if bad := eval(marksJS); bad != "" {
			t.Errorf("on a phone, response marks: %s", bad)
		}
		do("scrolling to the timeline", chromedp.Evaluate[chromedp.Void](`document.getElementById("run").scrollIntoView()`))
		screenshot("timeline-phone-"+theme+".png", chromedp.Screenshot(chromedp.CSS("#run")))
	}
	phone("dark")
	phone("light")

	// The contents page shows how far the learner has come, and where to go
	// on.
	// The live site has it from the learner's workspace (progress.js), where
	// the passing check was recorded.
	do("opening the contents", chromedp.EmulateReset(), chromedp.ResetViewport(), chromedp.Navigate(ts.URL+"/"))
	waitFor("the progress", fmt.Sprintf(`document.querySelectorAll("#lessons li[data-progress]").length === %d`, len(all)), 10*time.Second)
	if s := eval(`document.getElementById("progress-summary").hidden ? "" : document.getElementById("progress-summary").textContent`); !strings.Contains(s, "of "+fmt.Sprint(len(all))+" lessons passed") || !strings.Contains(s, "Continue with") {
		t.Errorf("the contents' progress: %q", s)
	}
	screenshot("contents.png", chromedp.CaptureScreenshot())

	// The static copy shows a recorded run, and explains that checks need
	// the tutor.
	built := t.TempDir()
	if err := Build(ctx, built, io.Discard); err != nil {
		t.Fatal(err)
	}
	static := httptest.NewServer(http.FileServer(http.Dir(built)))
	defer static.Close()
	do("opening the static copy", chromedp.Navigate(static.URL+"/lessons/"+all[1].Slug+"/"),
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
	t.Logf("screenshots in %s", shots)
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
