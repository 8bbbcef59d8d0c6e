// What every page does: the theme toggle, progress kept in the browser,
// the arrow keys, copy buttons, and the helpers the other scripts share
// (window.bgtasks). No inline script: the Content-Security-Policy forbids it.
"use strict";
(function () {
  var body = document.body;
  var site = window.bgtasks = {
    base: body.getAttribute("data-base") || "",
    live: body.getAttribute("data-mode") === "live",
    lesson: body.getAttribute("data-lesson") || "",
    $: function (id) { return document.getElementById(id); },
    el: function (tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    },
    load: function (key, dflt) {
      try { var v = localStorage.getItem(key); return v === null ? dflt : JSON.parse(v); } catch (e) { return dflt; }
    },
    save: function (key, v) {
      try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode: not kept */ }
    },
    // fmtDur writes a duration in nanoseconds as the tutor's text timeline does.
    fmtDur: function (ns) {
      if (ns < 1e6) return Math.round(ns / 1e3) + "µs";
      if (ns < 1e9) return (ns / 1e6).toFixed(1) + "ms";
      return (ns / 1e9).toFixed(2) + "s";
    }
  };
  var $ = site.$, el = site.el;

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
  var progress = site.load("bgtasks.progress", {});
  var rank = { read: 1, passed: 2 };
  site.setProgress = function (slug, state) {
    if ((rank[progress[slug]] || 0) >= rank[state]) return;
    progress[slug] = state;
    site.save("bgtasks.progress", progress);
  };
  if (site.lesson) site.setProgress(site.lesson, "read");

  // The contents: each lesson's state, how far the reader has come, and
  // where to go on. A static copy keeps the states in this browser; the live
  // site has them from the learner's workspace (progress.js), the one record
  // the command line reads too. The summary follows whatever the list says.
  var items = document.querySelectorAll("#lessons li[data-slug]");
  for (var i = 0; i < items.length && !site.live; i++) {
    var state = progress[items[i].getAttribute("data-slug")];
    if (state) {
      items[i].setAttribute("data-progress", state);
      items[i].querySelector(".progress").textContent = state === "passed" ? "✓ passed" : "read";
    }
  }
  function summarise() {
    var passed = 0, begun = 0, next = null;
    for (var i = 0; i < items.length; i++) {
      var state = items[i].getAttribute("data-progress") || "new";
      if (state === "passed") passed++;
      else {
        if (state !== "new") begun++;
        if (!next) next = items[i];
      }
    }
    if (!passed && !begun) { $("progress-summary").hidden = true; return; }
    $("progress-count").textContent = passed + " of " + items.length + " lessons passed" +
      (begun ? ", " + begun + " more begun" : "") + ".";
    var on = $("progress-next");
    if (next) {
      var a = next.querySelector("a");
      on.href = a.getAttribute("href");
      on.textContent = "Continue with " + a.textContent.replace(/\s+/g, " ").trim() + " →";
      on.parentNode.hidden = false;
    } else {
      on.parentNode.hidden = true;
      $("progress-count").textContent += " Every exercise passes: well done.";
    }
    $("progress-summary").hidden = false;
  }
  if (items.length) {
    summarise();
    new MutationObserver(summarise).observe($("lessons"), { attributes: true, subtree: true, attributeFilter: ["data-progress"] });
  }
  if ($("reset-progress")) {
    $("reset-progress").addEventListener("click", function () {
      site.save("bgtasks.progress", {});
      location.reload();
    });
  }

  // Keys: the arrows go to the previous and next page, the contents at
  // either end; "/" goes to the search box.
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || e.defaultPrevented) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || (t.closest && t.closest(".search")))) return;
    if (e.key === "/") {
      e.preventDefault();
      $("search").focus();
      return;
    }
    var key = e.key === "ArrowLeft" ? "prev" : e.key === "ArrowRight" ? "next" : "";
    var a = key && document.querySelector('a[data-key="' + key + '"]');
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
  site.addCopyButtons = function (root) {
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
  };
  site.addCopyButtons(document);
})();
