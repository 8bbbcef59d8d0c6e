// The Run button: stream the scenario's events from the tutor (or read the
// run recorded in a static copy) into the timeline, the files the app
// wrote, and every event as text.
"use strict";
(function () {
  var site = window.bgtasks, $ = site.$, el = site.el, fmtDur = site.fmtDur, body = document.body;
  var runButton = $("run-button");
  if (!runButton) return;

  // eventLine is one event as the tutor's text timeline prints it.
  function eventLine(e) {
    var line = ("+" + fmtDur(e.at)).padStart(9) + "  " + e.kind.padEnd(9) + " " + e.name;
    if (e.took) line += " (" + fmtDur(e.took) + ")";
    if (e.detail) {
      var d = e.detail.replace(/\n+$/, "");
      line += d.indexOf("\n") >= 0 ? "\n" + d.replace(/^/gm, "                ") : ": " + d;
    }
    return line;
  }

  function addFile(e) {
    var files = $("files");
    if (!files.firstChild) files.appendChild(el("h3", "", "Files the app wrote"));
    var fig = el("figure", "code");
    fig.appendChild(el("figcaption", "", e.name));
    var pre = el("pre", "chroma");
    pre.appendChild(el("code", "", (e.detail || "").replace(/\n$/, "")));
    fig.appendChild(pre);
    files.appendChild(fig);
  }

  function add(t, e) {
    t.add(e);
    if (e.kind === "file") addFile(e);
    $("events").hidden = false;
    $("events-text").textContent += eventLine(e) + "\n";
  }

  function reset() {
    ["timeline", "files", "events-text"].forEach(function (id) { $(id).textContent = ""; });
    $("timeline").hidden = true;
    $("events").hidden = true;
  }

  function finish(status, err, t) {
    var m = t.end();
    status.className = "status " + (err ? "bad" : "good");
    status.textContent = err ? "The run stopped: " + err :
      "Done: " + m.steps.length + (m.steps.length === 1 ? " step, " : " steps, ") + m.spans + " requests and tasks, " + fmtDur(m.total) + ".";
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

  runButton.addEventListener("click", function () {
    var status = $("run-status");
    reset();
    runButton.disabled = true;
    body.setAttribute("data-run", "running");
    status.className = "status";
    status.textContent = site.live ? "Running…" : "Loading the recorded run…";
    var t = new site.Timeline($("timeline"));
    var ended = false;
    var work;
    if (site.live) {
      work = fetch(site.base + "api/run/" + site.lesson, { method: "POST", headers: { "Accept": "text/event-stream" } })
        .then(function (resp) {
          if (!resp.ok) return site.errorText(resp).then(function (msg) { throw new Error(msg); });
          return readStream(resp, function (name, data) {
            if (name === "event") add(t, data);
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
        rec.events.forEach(function (e) { add(t, e); });
        finish(status, rec.error, t);
      });
    }
    work.catch(function (err) {
      var msg = err && err.message ? err.message : String(err);
      if (!site.live && location.protocol === "file:") msg += " - serve the built folder over HTTP (for example: python3 -m http.server)";
      finish(status, msg, t);
    }).then(function () { runButton.disabled = false; });
  });
})();
