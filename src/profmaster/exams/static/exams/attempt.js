/* The exam attempt page: autosave on change with a queue kept in localStorage that retries until the
   server acknowledges each answer, a countdown from the server's clock, and focus reports (RM-1; a focus loss
   caused by opening «Поддержка» is reported as such, RM-6). */
(function () {
  "use strict";
  const state = JSON.parse(document.getElementById("exam-state").textContent);
  const text = JSON.parse(document.getElementById("exam-messages").textContent);
  const csrf = document.querySelector("#finish-form [name=csrfmiddlewaretoken]").value;
  const storeKey = "pm-exam-" + state.attempt;
  const statusEl = document.getElementById("save-status");
  const errorEl = document.getElementById("exam-error");
  const offset = Date.parse(state.server_now) - Date.now();
  const deadline = state.deadline ? Date.parse(state.deadline) : null;
  // Enter in an answer field must not submit the paper (answers are saved one by one).
  document.getElementById("paper").addEventListener("submit", (event) => event.preventDefault());

  function load() {
    try {
      const stored = JSON.parse(localStorage.getItem(storeKey) || "{}");
      return {seq: stored.seq || {}, pending: stored.pending || {}};
    } catch (e) { return {seq: {}, pending: {}}; }
  }
  const store = load();
  function persist() {
    try { localStorage.setItem(storeKey, JSON.stringify(store)); } catch (e) { /* private mode: memory only */ }
  }
  // Counters continue above what the server already holds, so a resumed page never sends an old seq.
  Object.entries(state.answers).forEach(([q, a]) => { store.seq[q] = Math.max(store.seq[q] || 0, a.seq); });

  function section(q) { return document.querySelector('.question[data-question="' + q + '"]'); }

  function read(el) {
    const kind = el.dataset.kind;
    if (kind === "single" || kind === "questionnaire") {
      const checked = el.querySelector("input:checked");
      return checked ? checked.value : null;
    }
    if (kind === "multiple") return Array.from(el.querySelectorAll("input:checked")).map((i) => i.value);
    if (kind === "matching") {
      const result = {};
      el.querySelectorAll("select.match").forEach((s) => { if (s.value) result[s.dataset.stem] = s.value; });
      return result;
    }
    if (kind === "ordering") return Array.from(el.querySelectorAll(".ordering li")).map((li) => li.dataset.id);
    const value = el.querySelector(".answer-text").value;
    return kind === "numeric" && value.trim() === "" ? null : value;
  }

  function show(el, response) {
    const kind = el.dataset.kind;
    if (response === null || response === undefined) return;
    if (kind === "single" || kind === "questionnaire" || kind === "multiple") {
      const chosen = Array.isArray(response) ? response : [response];
      el.querySelectorAll("input").forEach((i) => { i.checked = chosen.includes(i.value); });
    } else if (kind === "matching") {
      el.querySelectorAll("select.match").forEach((s) => { s.value = response[s.dataset.stem] || ""; });
    } else if (kind === "ordering") {
      const list = el.querySelector(".ordering");
      response.forEach((id) => { const li = list.querySelector('li[data-id="' + id + '"]'); if (li) list.appendChild(li); });
    } else {
      el.querySelector(".answer-text").value = response;
    }
  }

  // Resume exactly where the examinee was: the server's answers, then anything not yet acknowledged.
  Object.entries(state.answers).forEach(([q, a]) => { const el = section(q); if (el) show(el, a.response); });
  Object.entries(store.pending).forEach(([q, p]) => { const el = section(q); if (el) show(el, p.response); });

  let closed = false;
  let typing = 0;  // text answers being typed (saved 0.6 s after the last keystroke) count as unsaved
  function setStatus() {
    const waiting = Object.keys(store.pending).length + typing;
    if (closed) return;
    if (!waiting) { statusEl.className = "badge text-bg-success"; statusEl.textContent = text.saved; }
    else if (!navigator.onLine || failures > 0) {
      statusEl.className = "badge text-bg-danger"; statusEl.textContent = text.offline + " (" + waiting + ")";
    } else { statusEl.className = "badge text-bg-warning"; statusEl.textContent = text.saving; }
  }

  function queue(el) {
    const q = el.dataset.question;
    store.seq[q] = (store.seq[q] || 0) + 1;
    store.pending[q] = {response: read(el), seq: store.seq[q]};
    persist();
    setStatus();
    flush();
  }

  let flushing = false;
  let failures = 0;
  let retryTimer = null;
  async function flush() {
    if (flushing || closed) return;
    flushing = true;
    try {
      while (!closed && Object.keys(store.pending).length) {
        const [q, item] = Object.entries(store.pending)[0];
        let response;
        try {
          response = await fetch(state.save_url, {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
            body: JSON.stringify({question_id: Number(q), response: item.response, seq: item.seq, token: state.token}),
          });
        } catch (e) { response = null; }
        if (response === null || response.status >= 500 || response.status === 429) {
          // the answer stays queued (and in localStorage); a 503 or 429 says when to retry (Retry-After).
          failures += 1;
          setStatus();
          clearTimeout(retryTimer);
          const after = response === null ? NaN : Number(response.headers.get("Retry-After"));
          const wait = Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 60000)
            : Math.min(1000 * failures, 10000);
          retryTimer = setTimeout(flush, wait);
          return;
        }
        failures = 0;
        const body = await response.json().catch(() => ({}));
        const current = store.pending[q];
        if (response.ok) {
          if (current && current.seq <= item.seq) delete store.pending[q];
          const el = section(q);
          if (el) el.querySelector(".question-state").textContent = "";
        } else if (response.status === 409 || response.status === 403) {
          closed = true;
          statusEl.className = "badge text-bg-secondary"; statusEl.textContent = text.refused;
          errorEl.textContent = body.detail || text.refused; errorEl.classList.remove("d-none");
          if (body.code === "closed" || body.code === "transition") setTimeout(() => { location.href = state.reload_url; }, 1500);
          return;
        } else {
          // Refused as invalid: it will never be accepted, so it leaves the queue with a visible note.
          if (current && current.seq <= item.seq) delete store.pending[q];
          const el = section(q);
          if (el) el.querySelector(".question-state").textContent = text.refused + ": " + (body.detail || response.status);
        }
        persist();
        setStatus();
      }
    } finally { flushing = false; }
  }

  document.querySelectorAll(".question").forEach((el) => {
    let timer = null;
    el.addEventListener("change", (event) => {
      if (event.target.classList.contains("answer-text") && timer !== null) {
        clearTimeout(timer); timer = null; typing -= 1;
      }
      queue(el);
    });
    el.addEventListener("input", (event) => {
      if (!event.target.classList.contains("answer-text")) return;
      if (timer === null) typing += 1;
      clearTimeout(timer);
      setStatus();
      timer = setTimeout(() => { timer = null; typing -= 1; queue(el); }, 600);
    });
    el.querySelectorAll(".move-up, .move-down").forEach((button) => button.addEventListener("click", () => {
      const li = button.closest("li");
      if (button.classList.contains("move-up") && li.previousElementSibling) li.parentNode.insertBefore(li, li.previousElementSibling);
      if (button.classList.contains("move-down") && li.nextElementSibling) li.parentNode.insertBefore(li.nextElementSibling, li);
      queue(el);
    }));
  });
  window.addEventListener("online", () => { failures = 0; flush(); });
  window.addEventListener("offline", setStatus);

  function report(kind) {
    fetch(state.event_url, {method: "POST", credentials: "same-origin", keepalive: true,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({kind: kind, token: state.token})}).catch(() => {});
  }
  // RM-6: «Поддержка» opens in a new tab; the focus loss right after a click on it is reported as «support», so
  // the proctor reads a request for help (and still sees how long the window was away), not a departure.
  let supportClickedAt = 0;
  document.querySelectorAll("[data-exam-support]").forEach((link) => link.addEventListener("click", () => {
    supportClickedAt = Date.now();
  }));
  window.addEventListener("blur", () => {
    const viaSupport = Date.now() - supportClickedAt < 3000;
    supportClickedAt = 0;
    report(viaSupport ? "support" : "focus_lost");
  });
  window.addEventListener("focus", () => report("focus_back"));

  const countdown = document.getElementById("countdown");
  let timeUp = false;
  function tick() {
    if (deadline === null) return;
    const left = Math.max(0, deadline - (Date.now() + offset));
    const s = Math.floor(left / 1000);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    countdown.textContent = (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
    if (left === 0 && !timeUp) {
      timeUp = true;
      document.getElementById("time-up").classList.remove("d-none");
      document.querySelectorAll("#paper input, #paper select, #paper textarea, #paper button").forEach((i) => { i.disabled = true; });
      flush();
      // The server finishes the attempt once the grace for in-flight answers has passed.
      setTimeout(() => { location.href = state.reload_url; }, (state.grace_seconds + 1) * 1000);
    }
  }
  tick();
  setInterval(tick, 500);

  document.getElementById("finish-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!timeUp && !window.confirm(text.confirm)) return;
    await flush();
    if (Object.keys(store.pending).length && !closed) { setStatus(); return; }
    localStorage.removeItem(storeKey);
    event.target.submit();
  });
  setStatus();
  flush();
})();
