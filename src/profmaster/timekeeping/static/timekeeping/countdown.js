/* OP-3: countdowns that follow the server's clock.
 *
 * The venue screen (#screen-config) polls its state URL about once a second with the version it holds; while
 * nothing changed the answer is only {v, t}. Every answer carries the server time t, from which the offset
 * of this device's clock is taken (half the round trip corrected), so every screen shows the same second.
 * The day board ticks its [data-countdown] cells between htmx refreshes the same way.
 */
(function () {
  "use strict";
  var offset = 0; // server clock minus this device's clock, ms

  function serverNow() { return Date.now() + offset; }

  function format(ms) {
    var total = Math.max(0, Math.ceil(ms / 1000));
    var h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m)), ss = String(s).padStart(2, "0");
    return (h ? h + ":" : "") + mm + ":" + ss;
  }

  function remainingAt(timer, stateT, now) {
    if (timer.state === "running") { return timer.remaining_ms - (now - stateT); }
    return timer.remaining_ms;
  }

  // --- The venue screen ------------------------------------------------------------------------------
  function screen(config) {
    var state = config.state, labels = config.labels, busy = false;
    var el = function (id) { return document.getElementById(id); };

    function current() {
      for (var i = 0; i < state.timers.length; i++) { if (state.timers[i].id === state.current) { return state.timers[i]; } }
      return null;
    }

    function renderStatic() {
      var t = current();
      el("screen-title").textContent = t ? t.title : labels.none;
      el("screen-state").textContent = t ? t.state_label : "";
      el("screen-ends").textContent = t && t.ends_at && t.state === "running"
        ? labels.ends + ": " + t.ends_at.slice(11, 16) : "";
      var teams = el("screen-teams");
      teams.replaceChildren();
      (t ? t.teams : []).forEach(function (team) {
        var li = document.createElement("li");
        li.dataset.team = team.team;
        teams.appendChild(li);
      });
      var list = el("screen-timers");
      list.replaceChildren();
      state.timers.forEach(function (timer) {
        var li = document.createElement("li");
        li.textContent = timer.title + " — " + timer.state_label;
        if (timer.id === state.current) { li.className = "current"; }
        list.appendChild(li);
      });
      document.body.dataset.state = t ? t.state : "none";
      el("screen-time").dataset.state = t ? t.state : "";
      el("screen-time").dataset.version = state.v;
    }

    function tick() {
      var t = current();
      var now = serverNow();
      if (!t) { el("screen-time").textContent = "—"; return; }
      var at = state.at || state.t; // when the stored state's times were taken
      var left = remainingAt(t, at, now);
      el("screen-time").textContent = (t.state !== "not_started" && left <= 0) ? labels.over : format(left);
      var items = el("screen-teams").children;
      for (var i = 0; i < items.length && i < t.teams.length; i++) {
        var team = t.teams[i];
        items[i].textContent = team.name + " (+" + team.extra_minutes + " " + labels.extra + "): " +
          format(remainingAt({state: t.state, remaining_ms: team.remaining_ms}, at, now));
      }
    }

    function poll() {
      if (busy) { return; }
      busy = true;
      var sent = Date.now();
      fetch(config.state_url + "?v=" + encodeURIComponent(state.v), {cache: "no-store", credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          var received = Date.now();
          offset = data.t - (sent + received) / 2;
          if (data.timers) { state = data; renderStatic(); }
          tick();
        })
        .catch(function () { /* the venue's network drops: keep counting, ask again */ })
        .then(function () { busy = false; });
    }

    offset = state.t - Date.now();
    renderStatic();
    tick();
    setInterval(tick, 250);
    setInterval(poll, config.poll_ms || 1000);
  }

  // --- The day board -----------------------------------------------------------------------------------
  function board() {
    var renderedAt = {}; // server ms of the fragment each cell came with
    function tickBoard() {
      var live = document.querySelector("[data-server-ms]");
      if (!live) { return; }
      var stamp = Number(live.dataset.serverMs);
      if (!renderedAt[stamp]) { renderedAt = {}; renderedAt[stamp] = true; offset = stamp - Date.now(); }
      var now = serverNow();
      document.querySelectorAll("[data-countdown]").forEach(function (cell) {
        var left = remainingAt({state: cell.dataset.state, remaining_ms: Number(cell.dataset.remainingMs)}, stamp, now);
        cell.textContent = format(left);
      });
    }
    document.body.addEventListener("htmx:afterSwap", tickBoard);
    tickBoard();
    setInterval(tickBoard, 250);
  }

  function init() {
    var config = document.getElementById("screen-config");
    if (config) { screen(JSON.parse(config.textContent)); } else { board(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
