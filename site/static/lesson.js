// A lesson page's exercise: the Check button, hints one at a time, the
// solution after a confirm; and its table of contents.
"use strict";
(function () {
  var site = window.bgtasks, $ = site.$, el = site.el, body = document.body;
  var lesson = site.lesson;

  // The table of contents: open beside the lesson on a wide screen, folded
  // above it on a narrow one.
  var toc = $("toc");
  if (toc && window.matchMedia("(min-width: 72rem)").matches) toc.open = true;

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
      site.addCopyButtons($("solution"));
    });
  }

  function errorText(resp) {
    return resp.json().then(function (j) { return j.error || "HTTP " + resp.status; },
      function () { return "HTTP " + resp.status; });
  }
  site.errorText = errorText;

  // Once the exercise passes, by the Check button or by a save the tutor
  // checked (progress.js), the way on is offered beside it.
  var next = $("next-lesson");
  function offerNext() {
    if (next && (body.getAttribute("data-check") === "passed" || body.getAttribute("data-progress") === "passed")) next.hidden = false;
  }
  new MutationObserver(offerNext).observe(body, { attributes: true, attributeFilter: ["data-check", "data-progress"] });

  // Check: run the exercise's check on the reader's own code.
  var checkButton = $("check-button");
  if (!checkButton) return;
  checkButton.addEventListener("click", function () {
    var out = $("check-result");
    out.textContent = "";
    out.className = "check-result";
    if (!site.live) {
      out.className = "check-result info";
      var p = el("p", "", "Checking runs the Go code on your machine, so it needs the tutor there: clone the repository, run ");
      p.appendChild(el("code", "", "go run ./cmd/tutor"));
      p.appendChild(document.createTextNode(" and open this lesson in the page it serves (or run go run ./cmd/tutor check " + lesson.slice(0, 2) + ")."));
      out.appendChild(p);
      body.setAttribute("data-check", "static");
      return;
    }
    checkButton.disabled = true;
    out.appendChild(el("p", "", "Checking… (go test compiles your code first; this takes a few seconds)"));
    body.setAttribute("data-check", "running");
    fetch(site.base + "api/check/" + lesson, { method: "POST" }).then(function (resp) {
      if (!resp.ok) return errorText(resp).then(function (msg) { throw new Error(msg); });
      return resp.json();
    }).then(function (r) {
      out.textContent = "";
      if (r.passed) {
        out.className = "check-result good";
        out.appendChild(el("p", "verdict", "✓ Passed" + (r.took ? " in " + site.fmtDur(r.took) : "") + ". Well done."));
        site.setProgress(lesson, "passed");
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
