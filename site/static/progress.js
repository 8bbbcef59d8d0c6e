// Progress and the live verdict. The record of progress lives in the
// learner's workspace (learn/progress.json), shared with the command line;
// this script shows it on the contents page and the lesson pages, and on a
// lesson page follows the exercise: each time the learner saves it, the
// server checks it again and this shows the new verdict, with no click.
//
// Hooks for tests and styles:
//   body[data-progress]        the lesson's state: new, started, failing, passed
//   #lessons li[data-progress] each lesson's state, on the contents page
//   body[data-watch]           the live verdict: connecting, watching,
//                              checking, passed, failed, error, off
//   body[data-watch-count]     how many verdicts have arrived since the page
//                              opened: wait for it to grow after a save
//   #watch-verdict             the live verdict's words
//   .learner-files             filled with the files to edit
// A static copy of the site has no server to ask: this does nothing there.
"use strict";
(function () {
  var body = document.body;
  if (body.getAttribute("data-mode") !== "live") return;
  var base = body.getAttribute("data-base") || "";
  var lesson = body.getAttribute("data-lesson") || "";
  var words = { "new": "", started: "started", failing: "not passing yet", passed: "✓ passed" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function showFiles(files) {
    var spots = document.querySelectorAll(".learner-files");
    for (var i = 0; i < spots.length; i++) {
      spots[i].textContent = "";
      for (var j = 0; j < files.length; j++) {
        if (j) spots[i].appendChild(document.createTextNode(" and "));
        spots[i].appendChild(el("code", "", files[j]));
      }
    }
  }

  function showProgress(p) {
    if (p.slug === lesson) {
      body.setAttribute("data-progress", p.state);
      if (p.files) showFiles(p.files);
    }
    var li = document.querySelector('#lessons li[data-slug="' + p.slug + '"]');
    if (!li) return;
    li.setAttribute("data-progress", p.state);
    var span = li.querySelector(".progress");
    if (span) span.textContent = words[p.state] || "";
  }

  fetch(base + "api/progress", { cache: "no-store" }).then(function (resp) {
    return resp.ok ? resp.json() : null;
  }).then(function (all) {
    if (!all) return;
    for (var i = 0; i < all.lessons.length; i++) showProgress(all.lessons[i]);
  }).catch(function () { /* no record: the page stays as rendered */ });

  if (!lesson || !window.EventSource) return;

  var box = el("div", "check-result watch");
  box.id = "watch-verdict";
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  var anchor = document.getElementById("check-result");
  if (anchor && anchor.parentNode) anchor.parentNode.insertBefore(box, anchor);
  else (document.getElementById("exercise") || body).appendChild(box);

  var count = 0;
  function state(s, text, cls) {
    body.setAttribute("data-watch", s);
    box.className = "check-result watch" + (cls ? " " + cls : "");
    box.textContent = "";
    if (text) box.appendChild(el("p", "verdict", text));
  }

  function showVerdict(v) {
    count++;
    body.setAttribute("data-watch-count", String(count));
    if (v.files) showFiles(v.files);
    if (v.state) showProgress({ slug: lesson, state: v.state });
    if (v.error) {
      state("error", "The check could not run: " + v.error, "bad");
      return;
    }
    if (v.passed) {
      state("passed", "✓ Your last save passes the check.", "good");
      return;
    }
    state("failed", "✗ Your last save does not pass yet. " + (v.step ? "Step " + v.step + ": " : "") + (v.message || "the check failed"), "bad");
    if (v.hint_html || v.hint) {
      var hint = el("p", "hint");
      hint.appendChild(document.createTextNode("Hint: "));
      var span = el("span");
      // hint_html is rendered by the server from the check's Markdown,
      // with raw HTML escaped.
      if (v.hint_html) span.innerHTML = v.hint_html;
      else span.textContent = v.hint;
      hint.appendChild(span);
      box.appendChild(hint);
    }
  }

  state("connecting", "");
  var es = new EventSource(base + "api/watch/" + lesson);
  es.addEventListener("status", function (e) {
    var p = JSON.parse(e.data);
    showProgress(p);
    var files = (p.files || []).join(" and ");
    state("watching", "Following " + files + ": save it and the verdict appears here.");
  });
  es.addEventListener("checking", function () {
    state("checking", "Saw your save: checking…");
  });
  es.addEventListener("verdict", function (e) { showVerdict(JSON.parse(e.data)); });
  es.addEventListener("error", function () {
    // EventSource reconnects by itself while the server is up; CLOSED means
    // it was refused, or the tutor has stopped.
    if (es.readyState === EventSource.CLOSED) state("off", "Not following your saves: is the tutor still running?");
  });
})();
