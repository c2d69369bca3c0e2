// The kiosk page: renders /api/status and keeps it fresh; keeps the stream alive;
// lets the viewer ask for the next curve.
"use strict";

const POLL_MS = 2000;
const STREAM_RETRY_MS = 10000;
const $ = (id) => document.getElementById(id);
let lastCurveJson = null;
let askedFor = null; // the name of the curve this page asked for, until it starts

function text(id, value) {
  const el = $(id);
  if (el) el.textContent = value === null || value === undefined || value === "" ? "–" : String(value);
}

function round(value, digits) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : value;
}

function duration(seconds) {
  if (typeof seconds !== "number") return null;
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

function cameraText(camera) {
  if (camera === null || camera === undefined) return null;
  if (typeof camera !== "object") return camera;
  const parts = [camera.source, camera.state].filter((p) => p && p !== "none");
  return parts.length ? parts.join(", ") : "none";
}

function sizeText(size) {
  if (!size) return "–";
  if (Math.abs(size.angle_deg) < 0.05) return `${size.length}`;
  return `${size.length} ∠ ${size.angle_deg}°`;
}

// Unit shapes, as in display/curves: a point on the shape at angle theta.
const SHAPES = {
  circle: (t) => [Math.cos(t), Math.sin(t)],
  ellipse: (t) => [Math.cos(t), Math.sin(t)],
  square: (t) => {
    const c = Math.cos(t), s = Math.sin(t), k = Math.max(Math.abs(c), Math.abs(s));
    return [c / k, s / k];
  },
  rhombus: (t) => {
    const c = Math.cos(t), s = Math.sin(t), k = Math.abs(c) + Math.abs(s);
    return [c / k, s / k];
  },
  tetracuspid: (t) => [Math.cos(t) ** 3, Math.sin(t) ** 3],
};

function drawPreview(wheels) {
  const svg = $("preview");
  svg.replaceChildren();
  if (!wheels || !wheels.length || !wheels.every((w) => SHAPES[w.shape])) return;
  const top = Math.max(...wheels.map((w) => Math.abs(w.freq)));
  const n = Math.min(6000, Math.max(600, top * 40));
  const pts = [];
  let reach = 1e-9;
  for (let i = 0; i <= n; i++) {
    const t = (2 * Math.PI * i) / n;
    let x = 0, y = 0;
    for (const w of wheels) {
      const [sr, si] = SHAPES[w.shape](w.freq * t);
      x += w.width.re * sr - w.width.im * si;   // Re(width * S)
      y += w.height.re * si + w.height.im * sr; // Im(height * S)
    }
    reach = Math.max(reach, Math.abs(x), Math.abs(y));
    pts.push([x, y]);
  }
  const scale = 0.95 / reach;
  const path = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  path.setAttribute("points", pts.map(([x, y]) => `${(x * scale).toFixed(4)},${(-y * scale).toFixed(4)}`).join(" "));
  svg.appendChild(path);
}

function renderCurve(curve, info) {
  text("curve-name", curve ? curve.name || "unnamed curve" : "nothing yet");
  text("curve-summary", info ? info.summary || info.error : "");
  text("symmetry", info && !info.error ? info.symmetry_text : null);
  text("colour-map", curve && curve.colour_map);
  text("background-map", curve && curve.background_map);
  text("line-width", curve && curve.line_width !== undefined ? `${curve.line_width} px` : null);
  const body = $("wheels");
  body.replaceChildren();
  const rows = info && info.wheels ? info.wheels : (curve && curve.wheels) || [];
  rows.forEach((w, i) => {
    const tr = document.createElement("tr");
    const cells = [i + 1, w.freq, w.shape,
      typeof w.width === "object" ? sizeText(w.width) : w.width,
      typeof w.height === "object" ? sizeText(w.height) : w.height];
    cells.forEach((value, col) => {
      const td = document.createElement("td");
      td.textContent = value;
      if (col >= 3 && typeof w.width === "object") td.title = (col === 3 ? w.width : w.height).text;
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  drawPreview(info && info.wheels);
  const studio = $("open-in-studio");
  if (studio && curve && window.curveLink) studio.href = window.curveLink.href(curve);
}

function render(status) {
  text("fps", round(status.fps, 1));
  text("stream-fps", round(status.stream_fps, 1));
  text("viewers", status.viewers);
  text("max-viewers", status.max_viewers);
  text("mode", status.mode);
  text("camera", cameraText(status.camera));
  text("uptime", duration(status.uptime_s));
  text("frames-rendered", status.frames_rendered);
  text("frames-encoded", status.frames_encoded);
  const curveJson = JSON.stringify(status.curve || null);
  if (curveJson !== lastCurveJson) {
    lastCurveJson = curveJson;
    renderCurve(status.curve, status.curve_info);
    if (askedFor && status.curve && status.curve.name === askedFor) {
      $("ask-result").textContent += " · now drawing";
      askedFor = null;
    }
  }
  window.spirokioskStatus = status;
  const pause = $("pause-button");
  if (pause && typeof status.paused === "boolean") {
    pause.dataset.paused = String(status.paused);
    pause.textContent = status.paused ? "Resume" : "Pause";
  }
  document.dispatchEvent(new CustomEvent("spirokiosk:status", { detail: status }));
  // A place came free while the picture waits for one: take it now.
  if (stream.waiting && !document.hidden && status.viewers < status.max_viewers) stream.start();
}

function setLive(state, label) {
  $("live").dataset.state = state;
  text("live-text", label);
}

async function poll() {
  try {
    const response = await fetch("/api/status", { cache: "no-store" });
    if (!response.ok) throw new Error(response.statusText);
    render(await response.json());
    setLive("live", "live");
  } catch (err) {
    setLive("offline", "kiosk unreachable");
  }
}

// The stream: started here, after the error listener is in place; when it fails (the
// mirror is full, the kiosk restarts) a note says so and it starts again after a while,
// or as soon as the status shows a free place.
const stream = { waiting: false, start: null };

function setupStream() {
  const img = $("stream");
  const note = $("stream-note");
  let retry = null;
  const start = () => {
    clearTimeout(retry);
    stream.waiting = false;
    note.hidden = true;
    img.src = `${img.dataset.src}?t=${Date.now()}`;
  };
  stream.start = start;
  img.addEventListener("error", () => {
    if (document.hidden) return;
    const s = window.spirokioskStatus;
    note.textContent = s && s.viewers >= s.max_viewers
      ? `The mirror is full (${s.viewers} viewers). Retrying in ${STREAM_RETRY_MS / 1000} s…`
      : `The picture stopped. Retrying in ${STREAM_RETRY_MS / 1000} s…`;
    note.hidden = false;
    stream.waiting = true;
    retry = setTimeout(start, STREAM_RETRY_MS);
  });
  start();
  // A hidden tab gives its viewer slot back; it reconnects when shown again.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      clearTimeout(retry);
      img.removeAttribute("src");
    } else {
      start();
    }
  });
}

// "Draw next": fill the select from /api/presets, POST the choice to /api/curve.
async function loadPresets(select) {
  try {
    const response = await fetch("/api/presets", { cache: "no-store" });
    if (!response.ok) return;
    const group = document.createElement("optgroup");
    group.label = "presets";
    for (const preset of await response.json()) {
      const option = new Option(preset.name, `preset:${preset.name}`);
      option.title = [preset.description, preset.summary].filter(Boolean).join(": ");
      group.appendChild(option);
    }
    select.appendChild(group);
  } catch (err) {
    /* random curves can still be asked for */
  }
}

// Changing the kiosk (a curve, skip, pause): through control.js, which sends the control
// token and asks for it when the kiosk wants one.
async function changeKiosk(path, body) {
  const { response, answer } = await window.spirokioskControl.send("POST", path, body);
  if (response.ok && answer) return answer;
  throw new Error(answer && answer.error ? answer.error : `the kiosk answered ${response.status}`);
}

function askForCurve(choice) {
  const body = choice.startsWith("preset:") ? { preset: choice.slice(7) } : { random: true };
  return changeKiosk("/api/curve", body);
}

function setupControls(result) {
  const skip = $("skip-button"), pause = $("pause-button");
  const send = async (button, path, done) => {
    button.disabled = true;
    try {
      await changeKiosk(path);
      result.dataset.state = "ok";
      result.textContent = done;
    } catch (err) {
      result.dataset.state = "error";
      result.textContent = err instanceof TypeError ? "could not reach the kiosk" : err.message;
    } finally {
      button.disabled = false;
    }
  };
  skip.addEventListener("click", () => send(skip, "/api/control/skip", "skipped to the next curve"));
  pause.addEventListener("click", () => {
    const paused = pause.dataset.paused === "true";
    send(pause, paused ? "/api/control/resume" : "/api/control/pause", paused ? "resumed" : "paused");
  });
}

function setupAsk() {
  const form = $("ask"), select = $("ask-curve"), button = $("ask-button"), result = $("ask-result");
  form.hidden = false;
  loadPresets(select);
  setupControls(result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    result.dataset.state = "busy";
    result.textContent = "asking…";
    askedFor = null;
    try {
      const answer = await askForCurve(select.value);
      result.dataset.state = "ok";
      result.textContent = `queued: ${answer.queued} (it plays once the curves ahead of it are done)`;
      askedFor = answer.queued;
    } catch (err) {
      result.dataset.state = "error";
      result.textContent = err instanceof TypeError ? "could not reach the kiosk" : err.message;
    } finally {
      button.disabled = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  try {
    render(JSON.parse($("initial-status").textContent));
  } catch (err) {
    /* the first poll fills the page */
  }
  setupStream();
  setupAsk();
  setInterval(poll, POLL_MS);
});
