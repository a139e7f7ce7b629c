// The question box under the lecture (qa/_question_box.html).
//
// Position: the answerer needs to know how far into the lecture the learner is. The lecture is read
// on this page, so the position is how far the reading has got: the point of the lecture text at the
// reading line (40% down the window), turned into seconds at the lecture's pace, segment by segment
// (the server's word offsets for each "## " segment, qa.position.script_blocks), so the seconds sent
// land on the words the learner is reading. "Pause and ask" (shown while the lecture is on screen)
// freezes that point and jumps to the box; without a pause, the box uses the furthest point the
// reading line has reached (scrolling past the end means the whole lecture was read). The box shows
// it: "Asking at 3:20 into the lecture".
//
// Streaming: where fetch and ReadableStream exist, a question goes to the streaming API
// (POST /api/sections/{id}/questions/stream); deltas are shown as they arrive, and the final event
// (authoritative: verified sources, stored message) replaces them with the stored exchange. Without
// them, the htmx form posts as before.
(function () {
  "use strict";
  const box = document.getElementById("qa");
  const form = box && box.querySelector("form.qa-form");
  if (!form) return;
  const timing = JSON.parse(document.getElementById("qa-timing").textContent);
  const lecture = document.getElementById("lecture");
  const label = form.querySelector(".qa-position");
  const field = form.querySelector('input[name="position_seconds"]');
  const pause = box.querySelector(".qa-pause");
  const history = document.getElementById("qa-history");
  const READING_LINE = 0.4;
  let furthest = null; // seconds: the furthest point the reading line has reached
  let pausedAt = null; // seconds: where "Pause and ask" was pressed

  const clock = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
  const totalSeconds = () => (timing.total_words * 60) / timing.pace_wpm;

  // Seconds of lecture above a line `y` px from the top of the window, or null with no lecture.
  function secondsAt(y) {
    if (!lecture || !timing.total_words) return null;
    const segments = Array.from(lecture.querySelectorAll(".segment"));
    const blocks = timing.blocks;
    let words = timing.total_words;
    if (segments.length && segments.length === blocks.length) {
      for (let i = 0; i < segments.length; i++) {
        const r = segments[i].getBoundingClientRect();
        if (y < r.top) { words = blocks[i].start; break; }
        if (y <= r.bottom) { words = blocks[i].start + (blocks[i].words * (y - r.top)) / Math.max(1, r.height); break; }
      }
    } else { // page and script differ: the lecture as one block
      const r = lecture.getBoundingClientRect();
      words = timing.total_words * Math.min(1, Math.max(0, (y - r.top) / Math.max(1, r.height)));
    }
    return (words * 60) / timing.pace_wpm;
  }

  function position() { return pausedAt !== null ? pausedAt : furthest; }

  function show() {
    const at = position();
    field.value = at === null ? "" : String(Math.round(at));
    if (at === null) { label.textContent = ""; return; }
    const whole = at >= totalSeconds() - 1;
    label.textContent = whole
      ? `Asking after the whole lecture (${clock(totalSeconds())})`
      : `Asking at ${clock(at)} into the lecture${pausedAt !== null ? " (paused)" : ""}`;
  }

  function onScroll() {
    const line = window.innerHeight * READING_LINE;
    const at = secondsAt(line);
    if (at !== null) furthest = Math.max(furthest || 0, at);
    if (lecture && pause) {
      const r = lecture.getBoundingClientRect(), b = box.getBoundingClientRect();
      pause.hidden = !(r.top < line && r.bottom > line && b.top > window.innerHeight);
    }
    show();
  }

  let queued = false;
  window.addEventListener("scroll", () => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; onScroll(); }); }
  }, { passive: true });
  window.addEventListener("resize", onScroll);
  if (pause) pause.addEventListener("click", () => {
    pausedAt = secondsAt(window.innerHeight * READING_LINE);
    pause.hidden = true;
    show();
    form.scrollIntoView({ behavior: "smooth", block: "center" });
    form.querySelector("textarea").focus({ preventScroll: true });
  });
  onScroll();
  window.docprofQA = { secondsAt, position, pauseAt: (s) => { pausedAt = s; show(); } };

  // -- streaming ----------------------------------------------------------------------------------
  if (!(window.fetch && window.ReadableStream && window.TextDecoder && form.dataset.streamUrl)) return;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function detail(data) {
    if (data && typeof data.detail === "string") return data.detail;
    const first = data && Object.values(data)[0];
    return Array.isArray(first) ? String(first[0]) : "The question could not be answered; ask again.";
  }

  async function finish(live, final) {
    document.getElementById("qa-session").value = final.session_id;
    try {
      const r = await fetch(form.dataset.messageUrl.replace(/0\/$/, `${final.message_id}/`), { credentials: "same-origin" });
      if (!r.ok) throw new Error(String(r.status));
      live.outerHTML = await r.text(); // the stored exchange, rendered (and escaped) by the server
    } catch (e) {
      live.querySelector(".qa-answer").textContent = final.answer; // the final text, at least
      live.classList.remove("qa-writing");
    }
  }

  async function ask(question) {
    const live = el("article", "qa-exchange qa-writing");
    const asked = el("p", "qa-question");
    asked.append(el("strong", "", "You:"), ` ${question}`);
    const answer = el("p", "qa-answer");
    answer.append(el("span", "muted", "Looking in your books…"));
    live.append(asked, answer);
    history.append(live);
    const body = { question };
    if (field.value !== "") body.position_seconds = Number(field.value);
    const session = document.getElementById("qa-session").value;
    if (session) body.session_id = Number(session);
    let written = "", done = false;
    const fail = (message) => { live.classList.remove("qa-writing"); answer.replaceChildren(el("span", "error qa-error", message)); };
    try {
      const response = await fetch(form.dataset.streamUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "text/event-stream, application/json", // a refusal comes back as JSON
          "X-CSRFToken": form.csrfmiddlewaretoken.value,
        },
        body: JSON.stringify(body),
      });
      if (!(response.headers.get("Content-Type") || "").startsWith("text/event-stream")) {
        let data = null;
        try { data = await response.json(); } catch (e) { /* not JSON: the generic message */ }
        fail(response.status === 429 ? `Too many questions; try again in ${response.headers.get("Retry-After") || 60} s.` : detail(data));
        return;
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done: ended } = await reader.read();
        buffer += decoder.decode(value || new Uint8Array(), { stream: !ended });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = (block.match(/^event: (.*)$/m) || [])[1];
          const data = JSON.parse((block.match(/^data: (.*)$/m) || [, "null"])[1]);
          if (event === "delta") { written += data.text; answer.textContent = written; }
          else if (event === "final") { done = true; form.question.value = ""; await finish(live, data); }
          else if (event === "error") { done = true; fail(detail(data)); }
        }
        if (ended) break;
      }
      if (!done) fail("The answer was cut off; ask again.");
    } catch (e) {
      if (!done) fail("The connection was lost; ask again.");
    }
  }

  // Capture phase: runs before htmx's own submit handler on the form, which it then never sees.
  document.addEventListener("submit", (event) => {
    if (event.target !== form) return;
    event.preventDefault();
    event.stopPropagation();
    const question = form.question.value;
    if (!question.trim()) { form.question.reportValidity(); return; }
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    ask(question).finally(() => { button.disabled = false; });
  }, true);
})();
