/* Keyboard-first mark entry (SC-2/SC-3): each cell autosaves on Tab/Enter/blur; Enter moves on. */
(function () {
  "use strict";
  const grid = document.getElementById("entry-grid");
  if (!grid) return;
  const state = document.getElementById("save-state");
  const inputs = Array.from(grid.querySelectorAll("input.mark-input"));
  const csrf = (document.body.getAttribute("hx-headers") || "").match(/"X-CSRFToken":\s*"([^"]+)"/);
  let pending = 0;

  function show(text, cls) {
    state.textContent = text;
    state.className = "badge " + cls;
  }

  async function save(input, reason) {
    const value = input.value.trim();
    // Enter also fires "change": one request per value, never two racing for the same cell.
    if (value === "" || (value === input.dataset.saved && !reason) || value === input.dataset.inflight) return;
    input.dataset.inflight = value;
    const body = new URLSearchParams({aspect: input.dataset.aspect, expert: input.dataset.expert || "",
                                      value: value, check: grid.dataset.check, reason: reason || ""});
    pending += 1;
    show(grid.dataset.msgSaving, "text-bg-warning");
    input.classList.remove("is-valid", "is-invalid");
    let data = {ok: false, error: grid.dataset.msgError};
    try {
      const response = await fetch(grid.dataset.saveUrl, {method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRFToken": csrf ? csrf[1] : "", "X-Requested-With": "fetch"}});
      data = await response.json();
    } catch (e) { /* network error: shown below, the value stays in the cell */ }
    pending -= 1;
    input.dataset.inflight = "";
    if (!data.ok && data.field === "reason" && !reason) {
      const given = window.prompt(grid.dataset.msgReason);
      if (given) return save(input, given);
    }
    if (data.ok) {
      input.dataset.saved = String(data.value);
      input.classList.add(data.mismatch ? "is-invalid" : "is-valid");
      input.title = grid.dataset.msgSaved;
      if (pending === 0) show(grid.dataset.msgAll, "text-bg-success");
    } else {
      input.classList.add("is-invalid");
      input.title = data.error || grid.dataset.msgError;
      show((grid.dataset.msgError) + ": " + (data.error || ""), "text-bg-danger");
    }
  }

  inputs.forEach(function (input, index) {
    input.dataset.saved = input.value;
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
  if (inputs.length && !inputs[0].disabled) {
    const firstEmpty = inputs.find(function (i) { return i.value === ""; }) || inputs[0];
    firstEmpty.focus();
  }
})();
