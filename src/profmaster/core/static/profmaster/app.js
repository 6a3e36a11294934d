/* Behaviour shared by every page, without inline handlers (the Content-Security-Policy forbids them, X-5):
   - <form data-confirm="Question?"> asks before it is submitted;
   - <select data-autosubmit> submits its form when changed;
   - <select data-navigate> goes to the address of the chosen option. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    const el = event.target;
    if (!(el instanceof HTMLSelectElement)) return;
    if (el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
    if (el.hasAttribute("data-navigate") && el.value) window.location.href = el.value;
  });
})();
