// The timeline of a run, drawn from the scenario's events. The scenario's
// notes cut it into steps; each step gets its caption, a line per request
// and per task with its whole label and its outcome in words, bars on the
// step's own scale, and a dashed mark where the client had its whole
// response, so that a task running past it shows at a glance. The words
// carry everything the bars show, for readers who cannot see them.
"use strict";
(function () {
  var site = window.bgtasks, el = site.el, fmtDur = site.fmtDur;

  // model turns events into steps of spans. A note starts a new step when
  // nothing is running; while something is, it is a remark inside the
  // step, at its time. Notes that follow one another close the step before
  // the last of them, which opens the next.
  function model(events, ended) {
    var steps = [], cur = null, pending = [], spans = {}, total = 0;
    function running(step) { return step.spans.some(function (s) { return s.end === null; }); }
    events.forEach(function (e) {
      total = Math.max(total, e.at);
      if (e.kind === "note") {
        if (cur && running(cur)) cur.remarks.push({ at: e.at, text: e.name });
        else pending.push(e.name);
        return;
      }
      if (!e.id) return; // logs and files are not spans
      var s = spans[e.id];
      if (!s) {
        if (!cur || pending.length) {
          var intro = pending;
          if (cur) { cur.after = cur.after.concat(pending.slice(0, -1)); intro = pending.slice(-1); }
          cur = { intro: intro, after: [], remarks: [], spans: [] };
          steps.push(cur);
          pending = [];
        }
        s = spans[e.id] = { id: e.id, name: e.name, lane: e.kind === "request" || e.kind === "response" ? "request" : "task",
          sent: "", status: "", said: "", queued: null, start: null, end: null, state: "running", reason: "", took: 0 };
        cur.spans.push(s);
      }
      switch (e.kind) {
        case "request": s.start = e.at; s.sent = e.detail || ""; break;
        case "response":
          s.end = e.at; s.state = "responded"; s.took = e.took;
          s.status = (e.detail || "").split(" ")[0];
          s.said = (e.detail || "").slice(s.status.length).trim();
          break;
        case "queued": s.queued = e.at; s.state = "queued"; break;
        case "started": s.start = e.at; s.state = "running"; break;
        case "finished": case "completed": case "failed": case "abandoned":
          // bgtasks calls a task that returned nil completed; the scenario's
          // timelines have called it finished.
          if (s.start === null) s.start = e.at;
          s.end = e.at; s.state = e.kind === "completed" ? "finished" : e.kind;
          s.reason = e.detail || ""; s.took = e.took || 0;
          break;
      }
    });
    if (pending.length) {
      if (cur) cur.after = cur.after.concat(pending);
      else steps.push({ intro: pending, after: [], remarks: [], spans: [] });
    }
    if (ended) {
      // Spans still open when the run ends never ended: a request without a
      // response (its handler panicked), a task cut off.
      Object.keys(spans).forEach(function (id) {
        var s = spans[id];
        if (s.end === null) s.state = s.lane === "request" ? "no-response" : "unfinished";
      });
    }
    return { steps: steps, total: total, spans: Object.keys(spans).length };
  }

  function begin(s) { return s.start === null ? s.queued : s.start; }

  // result is a span's outcome in words, and its reason if it went wrong.
  function result(s, responses) {
    if (s.lane === "request") {
      switch (s.state) {
        case "responded": return { text: s.status + " after " + fmtDur(s.took), status: s.status };
        case "no-response": return { text: "✗ no response", reason: "the server closed the connection without answering" };
        default: return { text: "waiting for the response…" };
      }
    }
    var text;
    switch (s.state) {
      case "queued": return { text: "queued…" };
      case "running": return { text: "running…" };
      case "finished": text = "finished in " + fmtDur(s.took); break;
      case "failed": text = "✗ failed after " + fmtDur(s.took); break;
      case "abandoned": return { text: "✗ abandoned", reason: s.reason };
      case "unfinished": return { text: "✗ cut off", reason: "the run ended before the task did" };
    }
    if (responses.length === 1) {
      var r = responses[0];
      text += s.end > r.end ? ", " + fmtDur(s.end - r.end) + " after the response" : ", before the response was read";
    }
    return { text: text, reason: s.state === "failed" ? s.reason : "" };
  }

  function lane(s, t0, span, responses, now) {
    var li = el("li", "lane " + s.lane + " " + s.state);
    li.setAttribute("data-kind", s.lane);
    li.setAttribute("data-id", s.id);
    li.setAttribute("data-state", s.state);
    var start = begin(s) || 0;
    li.setAttribute("data-start", (start / 1e6).toFixed(3));
    if (s.end !== null) li.setAttribute("data-end", (s.end / 1e6).toFixed(3));
    if (s.queued !== null) li.setAttribute("data-queued", (s.queued / 1e6).toFixed(3));

    var head = el("div", "head");
    var who = el("span", "who");
    who.appendChild(el("span", "kind", s.lane === "request" ? "client" : "task"));
    who.appendChild(document.createTextNode(s.name));
    head.appendChild(who);
    var r = result(s, responses);
    var res = el("span", "result");
    if (r.status) {
      res.appendChild(el("span", "s" + r.status.charAt(0), r.status));
      res.appendChild(document.createTextNode(r.text.slice(r.status.length)));
    } else {
      res.textContent = r.text;
    }
    head.appendChild(res);
    li.appendChild(head);
    if (s.sent) li.appendChild(el("span", "said mono", "sent " + s.sent));
    if (s.said) li.appendChild(el("span", "said mono", "got " + s.said));
    if (r.reason) li.appendChild(el("span", "reason mono", r.reason));

    var track = el("div", "track");
    track.setAttribute("aria-hidden", "true");
    function at(t) { return (100 * (t - t0) / span) + "%"; }
    if (s.queued !== null && s.start !== null && s.start > s.queued) {
      var wait = el("span", "wait");
      wait.style.left = at(s.queued);
      wait.style.width = (100 * (s.start - s.queued) / span) + "%";
      track.appendChild(wait);
    }
    if (s.start !== null) {
      var bar = el("span", "bar");
      bar.style.left = at(s.start);
      bar.style.width = (100 * ((s.end === null ? now : s.end) - s.start) / span) + "%";
      track.appendChild(bar);
    }
    responses.forEach(function (q) {
      var m = el("span", "mark");
      m.style.left = at(q.end);
      track.appendChild(m);
    });
    li.appendChild(track);
    return li;
  }

  // summary says in one sentence what the step's picture shows.
  function summary(step, responses) {
    var tasks = step.spans.filter(function (s) { return s.lane === "task"; });
    if (responses.length !== 1) return "";
    var r = responses[0];
    var after = tasks.filter(function (t) { return t.end === null || t.end > r.end; });
    return "The client had its whole response " + fmtDur(r.end - r.start) + " after sending its request; " +
      (tasks.length === 0 ? "no task was queued." :
        after.length === 0 ? "every task had ended by then." :
          after.length + " of " + tasks.length + " tasks went on after it: " + after.map(function (t) { return t.name; }).join(", ") + ".");
  }

  function drawStep(step, n, now) {
    var sec = el("section", "step");
    var cap = el("p", "caption");
    cap.id = "step-" + n;
    sec.setAttribute("aria-labelledby", cap.id);
    cap.appendChild(el("span", "n", "Step " + n));
    cap.appendChild(document.createTextNode(step.intro.join(" ")));
    sec.appendChild(cap);
    if (step.spans.length) {
      var t0 = Math.min.apply(null, step.spans.map(function (s) { return begin(s); }).filter(function (t) { return t !== null; }));
      var t1 = Math.max.apply(null, step.spans.map(function (s) { return s.end === null ? now : s.end; }));
      var span = Math.max(t1 - t0, 1);
      var responses = step.spans.filter(function (s) { return s.lane === "request" && s.end !== null && s.state === "responded"; });
      var axis = el("div", "axis");
      axis.setAttribute("aria-hidden", "true");
      axis.appendChild(el("span", "", "0"));
      axis.appendChild(el("span", "", fmtDur(span)));
      sec.appendChild(axis);
      var lanes = el("ol", "lanes");
      step.spans.forEach(function (s) { lanes.appendChild(lane(s, t0, span, responses, now)); });
      sec.appendChild(lanes);
      step.remarks.forEach(function (m) {
        var p = el("p", "note");
        p.appendChild(el("span", "at", "at " + fmtDur(Math.max(0, m.at - t0))));
        p.appendChild(document.createTextNode(m.text));
        sec.appendChild(p);
      });
      var sum = summary(step, responses);
      if (sum) sec.appendChild(el("p", "sr-only", sum));
    }
    step.after.forEach(function (text) { sec.appendChild(el("p", "note", text)); });
    return sec;
  }

  var legend = [["l-req", "a request, until the client has read its response"], ["l-task", "a task, from start to end"],
    ["l-wait", "a task waiting in its queue"], ["l-fail", "failed"], ["l-mark", "the client has its whole response"]];

  // Timeline collects a run's events and draws them into box, at most once
  // a frame however fast they come.
  function Timeline(box) {
    this.box = box;
    this.events = [];
    this.ended = false;
    this.pending = false;
  }
  Timeline.prototype.add = function (e) {
    this.events.push(e);
    this.schedule();
  };
  Timeline.prototype.end = function () {
    this.ended = true;
    this.draw();
    return model(this.events, true);
  };
  Timeline.prototype.schedule = function () {
    var t = this;
    if (t.pending) return;
    t.pending = true;
    requestAnimationFrame(function () { t.pending = false; t.draw(); });
  };
  Timeline.prototype.draw = function () {
    var m = model(this.events, this.ended);
    var box = this.box;
    box.textContent = "";
    if (!m.steps.length) return;
    var ul = el("ul", "legend");
    ul.setAttribute("aria-hidden", "true");
    legend.forEach(function (l) { ul.appendChild(el("li", l[0], l[1])); });
    box.appendChild(ul);
    m.steps.forEach(function (step, i) { box.appendChild(drawStep(step, i + 1, m.total)); });
    box.hidden = false;
  };
  Timeline.model = model;
  site.Timeline = Timeline;
})();
