// The kiosk page: renders /api/status and keeps it fresh; keeps the stream alive.
"use strict";

const POLL_MS = 2000;
const STREAM_RETRY_MS = 10000;
const $ = (id) => document.getElementById(id);
let lastCurveJson = null;

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
  const sym = info && info.symmetry;
  text("symmetry", sym ? `${sym[0]}-fold (m = ${sym[1]})${info.exactly_symmetric ? ", exact" : ", approximate"}` : (info && !info.error ? "none" : null));
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
  }
  window.spirokioskStatus = status;
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

function setupStream() {
  const img = $("stream");
  const note = $("stream-note");
  let retry = null;
  const start = () => {
    clearTimeout(retry);
    note.hidden = true;
    img.src = `${img.dataset.src}?t=${Date.now()}`;
  };
  img.addEventListener("error", () => {
    if (document.hidden) return;
    const s = window.spirokioskStatus;
    note.textContent = s && s.viewers >= s.max_viewers
      ? `The mirror is full (${s.viewers} viewers). Retrying in ${STREAM_RETRY_MS / 1000} s…`
      : `The picture stopped. Retrying in ${STREAM_RETRY_MS / 1000} s…`;
    note.hidden = false;
    retry = setTimeout(start, STREAM_RETRY_MS);
  });
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

document.addEventListener("DOMContentLoaded", () => {
  try {
    render(JSON.parse($("initial-status").textContent));
  } catch (err) {
    /* the first poll fills the page */
  }
  setupStream();
  setInterval(poll, POLL_MS);
});
