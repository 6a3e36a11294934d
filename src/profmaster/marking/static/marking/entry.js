/* Keyboard-first mark entry (SC-2/SC-3): each cell autosaves on Tab/Enter/blur; Enter moves on.
   Saves go one at a time, in the order typed, so a fast typist never has two requests racing; a cell
   that failed stays marked, and "all saved" is shown only when no cell is unsaved. */
(function () {
  "use strict";
  const grid = document.getElementById("entry-grid");
  if (!grid) return;
  const state = document.getElementById("save-state");
  const inputs = Array.from(grid.querySelectorAll("input.mark-input"));
  const csrf = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken":\s*"([^"]+)"/);
  let pending = 0;
  let queue = Promise.resolve();

  function show(text, cls) {
    state.textContent = text;
    state.className = "badge " + cls;
  }

  function refresh() {
    const failed = inputs.filter(function (i) { return i.dataset.failed === "1"; });
    if (pending > 0) show(grid.dataset.msgSaving, "text-bg-warning");
    else if (failed.length) show(grid.dataset.msgError + ": " + (failed[0].title || ""), "text-bg-danger");
    else show(grid.dataset.msgAll, "text-bg-success");
  }

  async function send(input, value, reason) {
    const body = new URLSearchParams({aspect: input.dataset.aspect, expert: input.dataset.expert || "",
                                      value: value, check: grid.dataset.check, reason: reason || ""});
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const response = await fetch(grid.dataset.saveUrl, {method: "POST", body: body, credentials: "same-origin",
          headers: {"X-CSRFToken": csrf ? csrf[1] : "", "X-Requested-With": "fetch"}});
        if (response.status < 500) return await response.json();
      } catch (e) { /* network error: retried below */ }
      await new Promise(function (resolve) { setTimeout(resolve, 300 * (attempt + 1)); });
    }
    return {ok: false, error: grid.dataset.msgError};
  }

  function reasonField(input) {
    const sheet = input.closest("section.sheet");
    return sheet ? sheet.querySelector("input.sheet-reason") : null;
  }

  function showDiscrepancy(input, discrepancy) {
    // SC-4: the badge follows the marks as saved now; re-marking within the limit removes it.
    const row = input.closest("tr");
    const slot = row && row.querySelector(".discrepancy-slot");
    if (!slot || discrepancy === undefined) return;
    row.classList.toggle("table-danger", discrepancy === "open");
    slot.textContent = "";
    if (!discrepancy) return;
    const badge = document.createElement("span");
    badge.className = discrepancy === "open" ? "badge text-bg-danger discrepancy"
      : "badge text-bg-secondary discrepancy-resolved";
    badge.textContent = discrepancy === "open" ? grid.dataset.msgDiscrepancy : grid.dataset.msgResolved;
    slot.appendChild(badge);
  }

  async function run(input, value) {
    const field = reasonField(input);
    const data = await send(input, value, field ? field.value.trim() : "");
    input.classList.remove("is-valid", "is-invalid");
    if (field && data.field === "reason") {
      // A completed sheet: the correction waits for its reason, typed in the sheet's field (not a pop-up).
      field.classList.add("is-invalid");
      field.parentNode.querySelector(".reason-error").textContent = data.error || grid.dataset.msgReason;
      field.focus();
    } else if (field && data.ok) {
      field.classList.remove("is-invalid");
    }
    if (data.ok) {
      input.dataset.saved = String(data.value);
      input.dataset.failed = "";
      input.classList.add(data.mismatch ? "is-invalid" : "is-valid");
      input.title = grid.dataset.msgSaved;
      showDiscrepancy(input, data.discrepancy);
    } else {
      input.dataset.failed = "1";
      input.classList.add("is-invalid");
      input.title = data.error || grid.dataset.msgError;
    }
  }

  function save(input) {
    const value = input.value.trim();
    // Enter also fires "change": one request per value, never two for the same cell.
    if (value === "" || value === input.dataset.queued) return;
    if (value === input.dataset.saved && input.dataset.failed !== "1") return;
    input.dataset.queued = value;
    pending += 1;
    refresh();
    queue = queue.then(function () { return run(input, value); }).catch(function () {
      input.dataset.failed = "1";
    }).then(function () {
      pending -= 1;
      if (input.dataset.queued === value) input.dataset.queued = "";
      refresh();
    });
  }

  // A reason typed after a refused correction sends that sheet's unsaved marks again.
  grid.querySelectorAll("input.sheet-reason").forEach(function (field) {
    field.addEventListener("change", function () {
      if (!field.value.trim()) return;
      field.closest("section.sheet").querySelectorAll("input.mark-input").forEach(function (input) {
        if (input.dataset.failed === "1") save(input);
      });
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); field.dispatchEvent(new Event("change")); }
    });
  });

  inputs.forEach(function (input, index) {
    // Saved is what the server rendered: a value typed before this script ran is not saved yet (below).
    input.dataset.saved = input.defaultValue;
    input.addEventListener("change", function () { save(input); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        save(input);
        const next = inputs[index + 1];
        if (next) { next.focus(); next.select(); }
      }
    });
    input.addEventListener("focus", function () { input.select(); });
  });
  inputs.forEach(function (input) {
    if (!input.disabled && input.value.trim() !== input.defaultValue) save(input);
  });
  if (inputs.length && !inputs[0].disabled) {
    const firstEmpty = inputs.find(function (i) { return i.value === ""; }) || inputs[0];
    firstEmpty.focus();
  }
})();
