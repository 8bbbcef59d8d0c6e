// The tutorial's behaviour: theme toggle, progress, keys, copy buttons,
// search, hints, solution, and the Run and Check actions. No inline script:
// the Content-Security-Policy forbids it.
"use strict";
(function () {
  var body = document.body;
  var base = body.getAttribute("data-base") || "";
  var live = body.getAttribute("data-mode") === "live";
  var lesson = body.getAttribute("data-lesson") || "";

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function load(key, dflt) {
    try { var v = localStorage.getItem(key); return v === null ? dflt : JSON.parse(v); } catch (e) { return dflt; }
  }
  function save(key, v) {
    try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode: progress is not kept */ }
  }

  // Theme: the reader's choice wins over the system's, and is remembered.
  $("theme").addEventListener("click", function () {
    var root = document.documentElement;
    var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    try { localStorage.setItem("bgtasks.theme", next); } catch (e) { /* not remembered */ }
  });

  // Until the reader chooses, follow the system as it changes.
  if (window.matchMedia) {
    var dark = window.matchMedia("(prefers-color-scheme: dark)");
    var follow = function () {
      var chosen = null;
      try { chosen = localStorage.getItem("bgtasks.theme"); } catch (e) { /* none */ }
      if (!chosen) document.documentElement.setAttribute("data-theme", dark.matches ? "dark" : "light");
    };
    if (dark.addEventListener) dark.addEventListener("change", follow);
  }

  // Progress: "read" once a lesson is opened, "passed" once its check passes.
  var progress = load("bgtasks.progress", {});
  var rank = { read: 1, passed: 2 };
  function setProgress(slug, state) {
    if ((rank[progress[slug]] || 0) >= rank[state]) return;
    progress[slug] = state;
    save("bgtasks.progress", progress);
  }
  if (lesson) setProgress(lesson, "read");
  var items = document.querySelectorAll("#lessons li[data-slug]");
  for (var i = 0; i < items.length; i++) {
    var state = progress[items[i].getAttribute("data-slug")];
    if (state) {
      items[i].setAttribute("data-progress", state);
      items[i].querySelector(".progress").textContent = state === "passed" ? "✓ passed" : "read";
    }
  }
  if ($("reset-progress")) {
    $("reset-progress").addEventListener("click", function () {
      save("bgtasks.progress", {});
      location.reload();
    });
  }

  // Keys: left and right arrows go to the previous and next lesson; "/"
  // goes to the search box.
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    if (e.key === "/") {
      e.preventDefault();
      $("search").focus();
      return;
    }
    var rel = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : "";
    var a = rel && document.querySelector('a[rel="' + rel + '"]');
    if (a) location.href = a.href;
  });

  // Copy buttons on every code block.
  function copyText(text, button) {
    function done(ok) {
      button.textContent = ok ? "Copied" : "Select and copy";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      return;
    }
    var ta = el("textarea");
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    done(ok);
  }
  function addCopyButtons(root) {
    var figs = root.querySelectorAll("figure.code");
    for (var i = 0; i < figs.length; i++) {
      (function (fig) {
        var pre = fig.querySelector("pre");
        if (!pre || fig.querySelector("button.copy")) return;
        var b = el("button", "copy", "Copy");
        b.type = "button";
        b.setAttribute("aria-label", "Copy this code");
        b.addEventListener("click", function () { copyText(pre.textContent.replace(/\n$/, ""), b); });
        fig.insertBefore(b, fig.firstChild);
      })(figs[i]);
    }
  }
  addCopyButtons(document);

  // Search: a small index of every lesson's sections, fetched on first use.
  var index = null, indexing = null;
  var search = $("search"), results = $("search-results");
  function loadIndex() {
    if (!indexing) {
      indexing = fetch(base + "search.json").then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (j) { index = j; }, function () { index = []; });
    }
    return indexing;
  }
  function showResults() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length || !index) { results.hidden = true; return; }
    var found = 0;
    index.forEach(function (l) {
      l.sections.forEach(function (s, n) {
        if (found >= 8) return;
        var hay = (l.title + " " + s.title + " " + s.text).toLowerCase();
        for (var i = 0; i < words.length; i++) if (hay.indexOf(words[i]) < 0) return;
        found++;
        var li = el("li");
        var a = el("a");
        a.href = base + "lessons/" + l.slug + "/" + (n > 0 && s.id ? "#" + s.id : "");
        a.appendChild(el("strong", "", l.title));
        if (n > 0) a.appendChild(el("span", "", " › " + s.title));
        var at = s.text.toLowerCase().indexOf(words[0]);
        if (at >= 0) a.appendChild(el("small", "", "…" + s.text.slice(Math.max(0, at - 40), at + 80) + "…"));
        li.appendChild(a);
        results.appendChild(li);
      });
    });
    if (!found) results.appendChild(el("li", "none", "Nothing found"));
    results.hidden = false;
  }
  search.addEventListener("focus", loadIndex);
  search.addEventListener("input", function () { loadIndex().then(showResults); });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { search.value = ""; results.hidden = true; }
    if (e.key === "Enter") {
      var first = results.querySelector("a");
      if (first) location.href = first.href;
    }
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest(".search")) results.hidden = true;
  });

  // Hints, one at a time; the solution only after the reader confirms.
  var hintButton = $("hint-button");
  if (hintButton) {
    hintButton.addEventListener("click", function () {
      var hidden = document.querySelectorAll("#hints li[hidden]");
      if (hidden.length) hidden[0].hidden = false;
      var left = hidden.length - 1;
      var total = document.querySelectorAll("#hints li").length;
      if (left <= 0) { hintButton.hidden = true; return; }
      hintButton.textContent = "Show a hint (" + (total - left + 1) + " of " + total + ")";
    });
  }
  var solutionButton = $("solution-button");
  if (solutionButton) {
    solutionButton.addEventListener("click", function () {
      if (!window.confirm("Show the solution? You learn more by trying first, and the hints may be enough.")) return;
      $("solution").hidden = false;
      solutionButton.hidden = true;
      addCopyButtons($("solution"));
    });
  }

  if (!lesson) return;

  // The table of contents: open beside the lesson on a wide screen, folded
  // above it on a narrow one.
  var toc = $("toc");
  if (toc && window.matchMedia("(min-width: 72rem)").matches) toc.open = true;

  // Run: stream the scenario's events and draw them as a timeline.
  function ms(ns) { return ns / 1e6; }
  function fmtDur(ns) {
    if (ns < 1e6) return Math.round(ns / 1e3) + "µs";
    if (ns < 1e9) return (ns / 1e6).toFixed(1) + "ms";
    return (ns / 1e9).toFixed(2) + "s";
  }
  function eventLine(e) {
    var line = ("+" + fmtDur(e.at)).padStart(9) + "  " + e.kind.padEnd(9) + " " + e.name;
    if (e.took) line += " (" + fmtDur(e.took) + ")";
    if (e.detail) {
      var d = e.detail.replace(/\n+$/, "");
      line += d.indexOf("\n") >= 0 ? "\n" + d.replace(/^/gm, "                ") : ": " + d;
    }
    return line;
  }

  function Timeline() {
    this.events = [];
    this.spans = {};
    this.order = [];
    this.total = 0;
    this.pending = false;
  }
  Timeline.prototype.add = function (e) {
    this.events.push(e);
    this.total = Math.max(this.total, e.at);
    if (e.id) {
      var s = this.spans[e.id];
      if (!s) {
        s = this.spans[e.id] = { id: e.id, name: e.name, lane: e.kind === "request" || e.kind === "response" ? "request" : "task",
          start: null, end: null, queued: null, state: "running", detail: "", took: 0 };
        this.order.push(s);
      }
      switch (e.kind) {
        case "request": s.start = e.at; break;
        case "response": s.end = e.at; s.state = "responded"; s.detail = e.detail || ""; s.took = e.took; break;
        case "queued": s.queued = e.at; break;
        case "started": s.start = e.at; break;
        case "finished": case "failed": case "abandoned":
          if (s.start === null) s.start = e.at;
          s.end = e.at; s.state = e.kind; s.detail = e.detail || ""; s.took = e.took; break;
      }
    }
    if (e.kind === "response") this.addResponse(e);
    if (e.kind === "file") this.addFile(e);
    $("events").hidden = false;
    $("events-text").textContent += eventLine(e) + "\n";
    this.schedule();
  };
  Timeline.prototype.schedule = function () {
    var t = this;
    if (t.pending) return;
    t.pending = true;
    requestAnimationFrame(function () { t.pending = false; t.draw(); });
  };
  Timeline.prototype.draw = function () {
    var box = $("timeline");
    box.hidden = false;
    $("legend").hidden = false;
    box.textContent = "";
    var total = Math.max(this.total, 1);
    box.setAttribute("data-total-ms", ms(total).toFixed(3));
    var axis = el("div", "axis");
    axis.appendChild(el("span", "", "0"));
    axis.appendChild(el("span", "", fmtDur(total)));
    box.appendChild(axis);
    this.order.forEach(function (s) {
      var row = el("div", "lane " + s.lane + " " + s.state);
      row.setAttribute("data-kind", s.lane);
      row.setAttribute("data-id", s.id);
      row.setAttribute("data-state", s.state);
      var start = s.start === null ? (s.queued || 0) : s.start;
      row.setAttribute("data-start", ms(start).toFixed(3));
      if (s.end !== null) row.setAttribute("data-end", ms(s.end).toFixed(3));
      if (s.queued !== null) row.setAttribute("data-queued", ms(s.queued).toFixed(3));
      var label = el("span", "label", (s.lane === "request" ? "↔ " : "⚙ ") + s.name);
      label.title = s.id;
      row.appendChild(label);
      var track = el("span", "track");
      var end = s.end === null ? total : s.end;
      if (s.queued !== null && s.start !== null && s.start > s.queued) {
        var wait = el("span", "wait");
        wait.style.left = (100 * s.queued / total) + "%";
        wait.style.width = (100 * (s.start - s.queued) / total) + "%";
        track.appendChild(wait);
      }
      var bar = el("span", "bar");
      bar.style.left = (100 * start / total) + "%";
      bar.style.width = Math.max(0, 100 * (end - start) / total) + "%";
      bar.title = s.name + ": " + (s.end === null ? "running" : fmtDur(end - start)) + (s.detail ? " - " + s.detail : "");
      track.appendChild(bar);
      row.appendChild(track);
      var took = s.state === "no-response" ? "no response" : s.state === "unfinished" ? "cut off" :
        s.end === null ? "…" : fmtDur(end - start) + (s.state === "failed" ? " failed" : s.state === "abandoned" ? " abandoned" : "");
      row.appendChild(el("span", "took", took));
      box.appendChild(row);
    });
  };
  Timeline.prototype.addResponse = function (e) {
    var status = (e.detail || "").split(" ")[0];
    var div = el("div", "response");
    div.appendChild(el("strong", "", e.name));
    div.appendChild(el("span", "status s" + status.charAt(0), " → " + status));
    div.appendChild(el("span", "latency", " in " + fmtDur(e.took)));
    var rest = (e.detail || "").slice(status.length).trim();
    if (rest) div.appendChild(el("code", "body", rest));
    $("responses").appendChild(div);
  };
  Timeline.prototype.addFile = function (e) {
    var files = $("files");
    if (!files.firstChild) files.appendChild(el("h3", "", "Files the app wrote"));
    var fig = el("figure", "code");
    fig.appendChild(el("figcaption", "", e.name));
    var pre = el("pre", "chroma");
    pre.appendChild(el("code", "", (e.detail || "").replace(/\n$/, "")));
    fig.appendChild(pre);
    files.appendChild(fig);
  };

  function resetRun() {
    ["timeline", "responses", "files", "events-text"].forEach(function (id) { $(id).textContent = ""; });
    $("timeline").hidden = true;
    $("legend").hidden = true;
    $("events").hidden = true;
  }
  function finish(status, err, t) {
    // Spans still open when the run ends never ended: a request without a
    // response (its handler panicked), a task cut off.
    t.order.forEach(function (s) {
      if (s.end === null) s.state = s.lane === "request" ? "no-response" : "unfinished";
    });
    if (t.events.length) t.draw();
    status.className = "status " + (err ? "bad" : "good");
    var spans = t.order.length;
    status.textContent = err ? "The run stopped: " + err : "Done: " + t.events.length + " events, " + spans + " spans, " + fmtDur(t.total) + ".";
    body.setAttribute("data-run", err ? "failed" : "done");
  }

  // readStream reads a text/event-stream body: "event: NAME" and "data: JSON"
  // lines, with a blank line after each event.
  function readStream(resp, onEvent) {
    var reader = resp.body.getReader();
    var decoder = new TextDecoder();
    var buf = "";
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) return;
        buf += decoder.decode(r.value, { stream: true });
        var cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          var chunk = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          var name = "message", data = "";
          chunk.split("\n").forEach(function (line) {
            if (line.indexOf("event:") === 0) name = line.slice(6).trim();
            else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
          });
          if (data) onEvent(name, JSON.parse(data));
        }
        return pump();
      });
    }
    return pump();
  }

  function errorText(resp) {
    return resp.json().then(function (j) { return j.error || "HTTP " + resp.status; },
      function () { return "HTTP " + resp.status; });
  }

  var runButton = $("run-button");
  runButton.addEventListener("click", function () {
    var status = $("run-status");
    resetRun();
    runButton.disabled = true;
    body.setAttribute("data-run", "running");
    status.className = "status";
    status.textContent = live ? "Running…" : "Loading the recorded run…";
    var t = new Timeline();
    var ended = false;
    var work;
    if (live) {
      work = fetch(base + "api/run/" + lesson, { method: "POST", headers: { "Accept": "text/event-stream" } })
        .then(function (resp) {
          if (!resp.ok) return errorText(resp).then(function (msg) { throw new Error(msg); });
          return readStream(resp, function (name, data) {
            if (name === "event") t.add(data);
            if (name === "end") { ended = true; finish(status, data.error, t); }
          });
        }).then(function () {
          if (!ended) throw new Error("the connection closed before the run ended");
        });
    } else {
      work = fetch("run.json").then(function (resp) {
        if (!resp.ok) throw new Error("no recorded run (HTTP " + resp.status + ")");
        return resp.json();
      }).then(function (rec) {
        rec.events.forEach(function (e) { t.add(e); });
        finish(status, rec.error, t);
      });
    }
    work.catch(function (err) {
      var msg = err && err.message ? err.message : String(err);
      if (!live && location.protocol === "file:") msg += " - serve the built folder over HTTP (for example: python3 -m http.server)";
      finish(status, msg, t);
    }).then(function () { runButton.disabled = false; });
  });

  // Check: run the exercise's check on the reader's own code.
  var checkButton = $("check-button");
  checkButton.addEventListener("click", function () {
    var out = $("check-result");
    out.textContent = "";
    out.className = "check-result";
    if (!live) {
      out.className = "check-result info";
      out.appendChild(el("p", "", "Checking runs the Go code on your machine, so it needs the tutor there: clone the repository, run "));
      out.firstChild.appendChild(el("code", "", "go run ./cmd/tutor"));
      out.firstChild.appendChild(document.createTextNode(" and open this lesson in the page it serves (or run go run ./cmd/tutor check " + lesson.slice(0, 2) + ")."));
      body.setAttribute("data-check", "static");
      return;
    }
    checkButton.disabled = true;
    out.appendChild(el("p", "", "Checking… (go test compiles your code first; this takes a few seconds)"));
    body.setAttribute("data-check", "running");
    fetch(base + "api/check/" + lesson, { method: "POST" }).then(function (resp) {
      if (!resp.ok) return errorText(resp).then(function (msg) { throw new Error(msg); });
      return resp.json();
    }).then(function (r) {
      out.textContent = "";
      if (r.passed) {
        out.className = "check-result good";
        out.appendChild(el("p", "verdict", "✓ Passed" + (r.took ? " in " + fmtDur(r.took) : "") + ". Well done."));
        setProgress(lesson, "passed");
        body.setAttribute("data-check", "passed");
        return;
      }
      out.className = "check-result bad";
      var msg = (r.step ? "Step " + r.step + ": " : "") + (r.message || "the check failed");
      out.appendChild(el("p", "verdict", "✗ Not yet. " + msg));
      if (r.hint) out.appendChild(el("p", "hint", "Hint: " + r.hint));
      if (r.output) {
        var d = el("details");
        d.appendChild(el("summary", "", "go test output"));
        d.appendChild(el("pre", "", r.output));
        out.appendChild(d);
      }
      body.setAttribute("data-check", "failed");
    }).catch(function (err) {
      out.textContent = "";
      out.className = "check-result bad";
      out.appendChild(el("p", "verdict", "The check could not run: " + (err && err.message ? err.message : err)));
      body.setAttribute("data-check", "error");
    }).then(function () { checkButton.disabled = false; });
  });
})();
