// Adaptive polling, after healthchecks' adaptive-setinterval: every element marked `data-poll`
// (with hx-trigger="poll") is refreshed every 2 s while the tab is visible, every 30 s while it is
// hidden, and at once when it becomes visible again. A fragment in a final state is rendered
// without `data-poll`, so polling stops by itself when the work is done.
(function () {
  const VISIBLE_MS = 2000;
  const HIDDEN_MS = 30000;
  let timer = null;

  function poll() {
    if (!window.htmx) return;
    document.querySelectorAll("[data-poll]").forEach((el) => {
      if (!el.classList.contains("htmx-request")) window.htmx.trigger(el, "poll");
    });
  }

  function schedule() {
    clearInterval(timer);
    timer = setInterval(poll, document.hidden ? HIDDEN_MS : VISIBLE_MS);
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
    schedule();
  });
  schedule();
  window.docprofPoll = { poll, schedule, VISIBLE_MS, HIDDEN_MS };
})();
