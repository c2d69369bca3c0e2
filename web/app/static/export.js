// The studio's export box: the curve being designed (studio.js's readForm) as a PNG, GIF,
// MP4 or plotter SVG through POST /api/export; its progress, a cancel button, the link.
// The kiosk renders one export at a time and cancels one whose status nobody asks for, so
// the box asks every second while it waits.
"use strict";
(function () {
  const byId = (id) => document.getElementById(id);
  const POLL_MS = 1000;
  const WIDTH = { png: 1080, gif: 480, mp4: 720 }; // the first width offered per format
  const MOST = { png: [4096, 2304], gif: [720, 405], mp4: [1080, 1080] }; // square, 9:16
  let statusUrl = null;
  let timer = null;

  function say(text, state) {
    const note = byId("export-note");
    note.textContent = text;
    note.dataset.state = state || "";
  }

  function request() {
    const format = byId("export-format").value;
    const body = { curve: readForm(), format }; // eslint-disable-line no-undef
    if (format === "svg") {
      body.paper = byId("export-paper").value;
      body.pens = Number(byId("export-pens").value);
    } else {
      body.size = Number(byId("export-size").value);
      body.framing = byId("export-framing").value;
    }
    return body;
  }

  function fitOptions(formatChanged) {
    const format = byId("export-format").value;
    byId("export-raster").hidden = format === "svg";
    byId("export-svg").hidden = format !== "svg";
    if (format === "svg") return;
    const size = byId("export-size");
    const most = MOST[format][byId("export-framing").value === "9:16" ? 1 : 0];
    size.max = most;
    if (formatChanged) size.value = Math.min(WIDTH[format], most);
    else if (Number(size.value) > most) size.value = most;
  }

  function busy(on) {
    byId("export-start").disabled = on;
    byId("export-cancel").hidden = !on;
    byId("export-progress").hidden = !on;
  }

  async function answerOf(response) {
    try {
      return await response.json();
    } catch (err) {
      return null;
    }
  }

  async function start() {
    clearTimeout(timer);
    byId("export-link").hidden = true;
    say("asking…", "busy");
    try {
      const response = await fetch("/api/export", {
        method: "POST",
        cache: "no-store",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(request()),
      });
      const answer = await answerOf(response);
      if (response.status !== 202) {
        const wait = response.headers.get("Retry-After");
        const text = answer && answer.error ? answer.error : `the kiosk answered ${response.status}`;
        say(wait ? `${text} (in ${wait} s)` : text, "error");
        return;
      }
      statusUrl = answer.status_url;
      busy(true);
      show(answer);
    } catch (err) {
      say("could not reach the kiosk", "error");
    }
  }

  function show(status) {
    byId("export-progress").value = status.progress || 0;
    if (status.state === "queued") {
      say(`waiting for the renderer (${status.position} ahead of it)`, "busy");
    } else if (status.state === "running") {
      say(`rendering ${status.filename}: ${Math.round(100 * status.progress)}%`, "busy");
    } else if (status.state === "done") {
      busy(false);
      statusUrl = null;
      const link = byId("export-link");
      link.href = status.url;
      link.download = status.filename;
      link.textContent = `download ${status.filename} (${Math.ceil(status.bytes / 1024)} KiB)`;
      link.hidden = false;
      say("done: the file carries its curve's recipe; it is kept a few minutes", "ok");
      return;
    } else {
      busy(false);
      statusUrl = null;
      say(status.state === "failed" ? `failed: ${status.error}` : status.error || "cancelled", status.state === "failed" ? "error" : "");
      return;
    }
    timer = setTimeout(poll, POLL_MS);
  }

  async function poll() {
    if (!statusUrl) return;
    try {
      const response = await fetch(statusUrl, { cache: "no-store" });
      const answer = await answerOf(response);
      if (!response.ok) throw new Error(answer && answer.error ? answer.error : `the kiosk answered ${response.status}`);
      show(answer);
    } catch (err) {
      busy(false);
      statusUrl = null;
      say(err instanceof TypeError ? "could not reach the kiosk" : err.message, "error");
    }
  }

  async function cancel() {
    if (!statusUrl) return;
    clearTimeout(timer);
    try {
      const response = await fetch(statusUrl, {
        method: "DELETE",
        headers: { "Content-Type": "application/json" },
        body: "{}",
      });
      const answer = await answerOf(response);
      if (answer && answer.state) show(answer);
      else say(answer && answer.error ? answer.error : `the kiosk answered ${response.status}`, "error");
    } catch (err) {
      say("could not reach the kiosk", "error");
    }
  }

  function setup() {
    byId("export-format").addEventListener("change", () => fitOptions(true));
    byId("export-framing").addEventListener("change", () => fitOptions(false));
    byId("export-start").addEventListener("click", start);
    byId("export-cancel").addEventListener("click", cancel);
    fitOptions(true);
    if (/(?:^#|&)export(?:&|$)/.test(location.hash)) byId("export-box").scrollIntoView();
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
