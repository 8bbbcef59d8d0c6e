// Search: every lesson's sections, their words and their code, fetched on
// first use; results with a snippet cut at word ends, walked with the
// arrow keys.
"use strict";
(function () {
  var site = window.bgtasks, $ = site.$, el = site.el;
  var search = $("search"), results = $("search-results");
  var index = null, indexing = null;
  var maxResults = 10;

  function loadIndex() {
    if (!indexing) {
      indexing = fetch(site.base + "search.json").then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (j) { index = j; }, function () { index = []; });
    }
    return indexing;
  }

  // snippet is the part of text around its first match of word, cut at
  // spaces, with the match marked.
  function snippet(text, word, cls) {
    var at = text.toLowerCase().indexOf(word);
    if (at < 0) return null;
    var start = at > 50 ? text.lastIndexOf(" ", at - 40) + 1 : 0;
    var end = text.indexOf(" ", Math.min(text.length, at + word.length + 100));
    if (end < 0) end = text.length;
    var small = el("small", cls);
    small.appendChild(document.createTextNode((start > 0 ? "…" : "") + text.slice(start, at)));
    small.appendChild(el("mark", "", text.slice(at, at + word.length)));
    small.appendChild(document.createTextNode(text.slice(at + word.length, end) + (end < text.length ? "…" : "")));
    return small;
  }

  function show() {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length || !index) { results.hidden = true; return; }
    var found = [];
    index.forEach(function (l) {
      l.sections.forEach(function (s, n) {
        var title = (l.title + " " + s.title).toLowerCase(), text = s.text.toLowerCase(), code = (s.code || "").toLowerCase();
        var score = 0;
        for (var i = 0; i < words.length; i++) {
          var w = words[i];
          if (title.indexOf(w) >= 0) score += 3;
          else if (text.indexOf(w) >= 0) score += 2;
          else if (code.indexOf(w) >= 0) score += 1;
          else return;
        }
        found.push({ l: l, s: s, n: n, score: score });
      });
    });
    found.sort(function (a, b) { return b.score - a.score; });
    found.slice(0, maxResults).forEach(function (f) {
      var a = el("a");
      a.href = site.base + "lessons/" + f.l.slug + "/" + (f.n > 0 && f.s.id ? "#" + f.s.id : "");
      a.appendChild(el("strong", "", f.l.title));
      if (f.n > 0) a.appendChild(el("span", "", " › " + f.s.title));
      var small = snippet(f.s.text, words[0], "") || snippet(f.s.code || "", words[0], "code");
      if (small) a.appendChild(small);
      var li = el("li");
      li.appendChild(a);
      results.appendChild(li);
    });
    if (!found.length) results.appendChild(el("li", "none", "Nothing found"));
    results.hidden = false;
  }

  function links() { return Array.prototype.slice.call(results.querySelectorAll("a")); }
  function close() { results.hidden = true; search.focus(); }

  search.addEventListener("focus", loadIndex);
  search.addEventListener("input", function () { loadIndex().then(show); });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { search.value = ""; results.hidden = true; }
    if (e.key === "Enter" && links().length) location.href = links()[0].href;
    if (e.key === "ArrowDown" && links().length) {
      e.preventDefault();
      results.hidden = false;
      links()[0].focus();
    }
  });
  results.addEventListener("keydown", function (e) {
    var all = links(), at = all.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && at + 1 < all.length) { e.preventDefault(); all[at + 1].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); if (at > 0) all[at - 1].focus(); else search.focus(); }
    if (e.key === "Escape") { e.preventDefault(); close(); }
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest(".search")) results.hidden = true;
  });
})();
