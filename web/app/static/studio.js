// The curve studio: edit a curve as the model has it, see it drawn by the server
// (POST /api/preview), queue it on the kiosk, share it as a link. The page does no curve
// maths: the preview, the symmetry verdict, gears and random curves come from the server.
"use strict";

const $ = (id) => document.getElementById(id);
const root = $("studio");
const MAX_WHEELS = Number(root.dataset.maxWheels);
const MAX_FREQ = Number(root.dataset.maxFreq);
const SHAPES = root.dataset.shapes.split(",");
const PREVIEW_DELAY_MS = 250;
const POLL_MS = 2000;
const OFFERED = 12; // frequencies listed on each side of zero

// -- complex sizes: "0.125j", "0.5-0.25j" <-> size and angle in degrees ------------------

const NUM = "[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?";
const REAL = new RegExp(`^(${NUM})$`, "i");
const IMAG = new RegExp(`^(${NUM})?j$`, "i");
const BOTH = new RegExp(`^(${NUM})([+-](?:\\d+\\.?\\d*|\\.\\d+)(?:e[+-]?\\d+)?)?j$`, "i");

// Python's complex() spellings as the model writes them: "1.0", "0.125j", "0.5-0.25j".
function parseComplex(text) {
  const s = String(text).replace(/[\s()]/g, "");
  let m;
  if ((m = REAL.exec(s))) return { re: Number(m[1]), im: 0 };
  if ((m = IMAG.exec(s))) return { re: 0, im: m[1] === undefined ? 1 : Number(m[1]) };
  if ((m = BOTH.exec(s))) return { re: Number(m[1]), im: m[2] === undefined ? 1 : Number(m[2]) };
  return null;
}

function tidy(x) {
  return Number(x.toPrecision(12));
}

function complexText(size, degrees) {
  const a = (degrees * Math.PI) / 180;
  let re = tidy(size * Math.cos(a)), im = tidy(size * Math.sin(a));
  if (Math.abs(re) < 1e-12 * Math.abs(size)) re = 0;
  if (Math.abs(im) < 1e-12 * Math.abs(size)) im = 0;
  if (im === 0) return String(re);
  if (re === 0) return `${im}j`;
  return `${re}${im < 0 ? "-" : "+"}${Math.abs(im)}j`;
}

function polar(text) {
  const c = parseComplex(text);
  if (!c) return { size: text, angle: 0 };
  const shown = (x) => Number(x.toPrecision(6));
  return { size: shown(Math.hypot(c.re, c.im)), angle: shown((Math.atan2(c.im, c.re) * 180) / Math.PI) };
}

// -- the wheels editor --------------------------------------------------------------

function cell(child) {
  const td = document.createElement("td");
  if (child) td.append(...[].concat(child));
  return td;
}

function input(cls, value, attrs = {}) {
  const el = document.createElement("input");
  el.className = cls;
  el.value = value;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

function errorSlot() {
  const p = document.createElement("span");
  p.className = "field-error";
  return p;
}

function wheelRow(wheel) {
  const tr = document.createElement("tr");
  tr.className = "wheel";
  const w = polar(wheel.width), h = polar(wheel.height ?? wheel.width);
  const own = String(wheel.height ?? wheel.width) !== String(wheel.width);
  const freq = input("freq", wheel.freq, { type: "number", list: "freq-list", "aria-label": "frequency" });
  const shape = document.createElement("select");
  shape.className = "shape";
  for (const name of SHAPES) shape.append(new Option(name, name, false, name === wheel.shape));
  const size = input("size", w.size, { type: "number", step: "any", "aria-label": "size" });
  const angle = input("angle", w.angle, { type: "number", step: "any", "aria-label": "starting angle" });
  const ownBox = input("own-height", "", { type: "checkbox", "aria-label": "own height" });
  ownBox.checked = own;
  const hSize = input("height-size", h.size, { type: "number", step: "any", "aria-label": "height size" });
  const hAngle = input("height-angle", h.angle, { type: "number", step: "any", "aria-label": "height angle" });
  const heightBox = document.createElement("span");
  heightBox.className = "height";
  heightBox.append(hSize, hAngle);
  heightBox.hidden = !own;
  // Exact strings kept until the viewer edits that number (no rounding through degrees).
  tr.dataset.width = wheel.width;
  tr.dataset.height = wheel.height ?? wheel.width;
  size.addEventListener("input", () => delete tr.dataset.width);
  angle.addEventListener("input", () => delete tr.dataset.width);
  hSize.addEventListener("input", () => delete tr.dataset.height);
  hAngle.addEventListener("input", () => delete tr.dataset.height);
  ownBox.addEventListener("change", () => {
    heightBox.hidden = !ownBox.checked;
    if (ownBox.checked) {
      hSize.value = size.value;
      hAngle.value = angle.value;
      tr.dataset.height = tr.dataset.width ?? "";
      if (!tr.dataset.height) delete tr.dataset.height;
    }
  });
  const buttons = document.createElement("span");
  buttons.className = "row-buttons";
  for (const [label, action, title] of [["↑", "up", "move up"], ["↓", "down", "move down"], ["✕", "remove", "remove"]]) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = label;
    b.title = title;
    b.dataset.action = action;
    buttons.append(b);
  }
  tr.append(
    cell(),
    cell([freq, errorSlot()]),
    cell([shape, errorSlot()]),
    cell([size, errorSlot()]),
    cell(angle),
    cell([ownBox, heightBox, errorSlot()]),
    cell(buttons),
  );
  return tr;
}

function numberRows() {
  const rows = [...$("wheel-rows").rows];
  rows.forEach((tr, i) => {
    tr.cells[0].textContent = i + 1;
    const slots = tr.querySelectorAll(".field-error");
    ["freq", "shape", "width", "height"].forEach((key, j) => (slots[j].dataset.field = `wheels[${i}].${key}`));
  });
  $("add-wheel").disabled = rows.length >= MAX_WHEELS;
  rows.forEach((tr) => (tr.querySelector('[data-action="remove"]').disabled = rows.length <= 1));
}

function wheelFromRow(tr) {
  const value = (cls) => tr.querySelector(cls).value.trim();
  const freqText = value(".freq");
  const freq = /^[+-]?\d+$/.test(freqText) ? Number(freqText) : freqText;
  const width = tr.dataset.width ?? complexText(Number(value(".size")), Number(value(".angle") || 0));
  let height = width;
  if (tr.querySelector(".own-height").checked) {
    height = tr.dataset.height ?? complexText(Number(value(".height-size")), Number(value(".height-angle") || 0));
  }
  return { freq, width, height, shape: tr.querySelector(".shape").value };
}

function readForm() {
  const curve = {
    name: $("curve-name").value.trim(),
    wheels: [...$("wheel-rows").rows].map(wheelFromRow),
    colour_map: $("colour-map").value.trim(),
    background_map: $("background-map").value.trim(),
    line_width: Number($("line-width").value),
  };
  if (!curve.name) delete curve.name;
  return curve;
}

function fillForm(curve) {
  const body = $("wheel-rows");
  body.replaceChildren(...(curve.wheels || []).slice(0, MAX_WHEELS).map(wheelRow));
  $("curve-name").value = curve.name || "";
  $("colour-map").value = curve.colour_map || "magma";
  $("background-map").value = curve.background_map || "bone";
  $("line-width").value = curve.line_width ?? 4;
  numberRows();
  adoptSymmetry = true;
  showSwatch("colour-map");
  showSwatch("background-map");
  schedulePreview();
}

// -- symmetry: k and m, the frequencies offered --------------------------------------

function gcd(a, b) {
  a = Math.abs(a); b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a;
}

function offered(k, m) {
  if (k < 2) return null;
  const values = [];
  for (let f = -OFFERED * k + m; f <= OFFERED * k; f += k) if (f !== 0 && Math.abs(f) <= MAX_FREQ) values.push(f);
  return values;
}

function updateSymmetry() {
  const k = Math.max(1, Math.floor(Number($("sym-k").value) || 1));
  const mInput = $("sym-m");
  mInput.max = Math.max(0, k - 1);
  let m = ((Math.floor(Number(mInput.value) || 0) % k) + k) % k;
  const values = offered(k, m);
  const list = $("freq-list");
  list.replaceChildren(...(values || []).map((f) => new Option(String(f), String(f))));
  const coprime = k < 2 || gcd(m, k) === 1;
  $("freq-offer").textContent = values
    ? `${values.filter((f) => Math.abs(f) <= 4 * k).join(", ")}, … (${m} mod ${k})` +
      (coprime ? "" : `: m and k share a factor, so the figure is ${k / gcd(m, k)}-fold at most`)
    : "any";
  for (const el of document.querySelectorAll("#wheel-rows .freq")) {
    el.step = values ? k : 1;
    el.min = values ? m - k * Math.floor((MAX_FREQ + m) / k) : -MAX_FREQ;
  }
  return { k, m, values };
}

function snapToSymmetry() {
  const { k, m, values } = updateSymmetry();
  if (!values) return;
  for (const el of document.querySelectorAll("#wheel-rows .freq")) {
    const f = Number(el.value) || m;
    let snapped = m + k * Math.round((f - m) / k);
    if (snapped === 0) snapped = m || k;
    el.value = snapped;
  }
  schedulePreview();
}

// -- swatches ------------------------------------------------------------------------

let swatches = {};

async function loadSwatches() {
  const response = await fetch("/api/colour-maps", { cache: "no-store" });
  if (!response.ok) return;
  const maps = await response.json();
  swatches = Object.fromEntries(maps.map((m) => [m.name, m]));
  $("map-names").replaceChildren(...maps.map((m) => new Option(m.name, m.name)));
  for (const target of ["colour-map", "background-map"]) {
    const box = $(`${target}-swatches`);
    box.replaceChildren(
      ...maps.map((m) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "swatch";
        b.style.background = m.css;
        b.title = m.name;
        b.dataset.map = m.name;
        b.setAttribute("aria-label", m.name);
        b.addEventListener("click", () => {
          $(target).value = m.name;
          showSwatch(target);
          schedulePreview();
        });
        return b;
      }),
    );
    showSwatch(target);
  }
}

function showSwatch(target) {
  const name = $(target).value.trim();
  const known = swatches[name];
  $(`${target}-swatch`).style.background = known ? known.css : "none";
  for (const b of $(`${target}-swatches`).children) b.classList.toggle("chosen", b.dataset.map === name);
}

// -- the preview -----------------------------------------------------------------------

let previewTimer = null;
let adoptSymmetry = false; // a curve just loaded: its symmetry fills k and m
let previewSeq = 0;
let previewAbort = null;
let lastUrl = null;

function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(updatePreview, PREVIEW_DELAY_MS);
  updateShareLink();
}

function showErrors(errors) {
  for (const slot of document.querySelectorAll(".field-error[data-field]")) slot.textContent = "";
  const general = [];
  for (const error of errors) {
    const field = error.split(": ", 1)[0];
    const slot = document.querySelector(`.field-error[data-field="${CSS.escape(field)}"]`);
    if (slot) slot.textContent = error.slice(field.length + 2);
    else general.push(error);
  }
  $("errors").replaceChildren(...general.map((e) => Object.assign(document.createElement("li"), { textContent: e })));
  document.querySelectorAll("#wheel-rows tr").forEach((tr) =>
    tr.classList.toggle("bad", [...tr.querySelectorAll(".field-error")].some((s) => s.textContent)),
  );
}

async function updatePreview() {
  const seq = ++previewSeq;
  if (previewAbort) previewAbort.abort();
  previewAbort = new AbortController();
  const curve = readForm();
  const state = $("preview-state");
  let response, svg;
  try {
    response = await fetch("/api/preview", {
      method: "POST",
      cache: "no-store",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(curve),
      signal: previewAbort.signal,
    });
    svg = response.ok ? await response.blob() : await response.text();
  } catch (err) {
    if (err.name !== "AbortError" && seq === previewSeq) {
      state.textContent = "could not reach the kiosk";
      state.hidden = false;
    }
    return;
  }
  if (seq !== previewSeq) return;
  if (response.status === 503) {
    // Other viewers' previews are being drawn: ask again in a moment (Retry-After).
    const wait = Number(response.headers.get("Retry-After")) || 1;
    setTimeout(() => { if (seq === previewSeq) updatePreview(); }, wait * 1000);
    return;
  }
  if (!response.ok) {
    let errors = [`preview: the kiosk answered ${response.status}`];
    try {
      errors = JSON.parse(svg).errors || errors;
    } catch (err) {
      /* not JSON: a proxy's page */
    }
    showErrors(errors);
    state.textContent = "fix the marked fields to see the curve";
    state.hidden = false;
    return;
  }
  showErrors([]);
  state.hidden = true;
  const img = $("studio-preview");
  if (lastUrl) URL.revokeObjectURL(lastUrl);
  lastUrl = URL.createObjectURL(svg);
  img.src = lastUrl;
  img.dataset.version = String(seq);
  img.dataset.curve = JSON.stringify(curve);
  const symmetry = $("symmetry-text");
  symmetry.textContent = response.headers.get("X-Symmetry-Text") || "–";
  const [verdict, k, m] = (response.headers.get("X-Symmetry") || "none").split(" ");
  symmetry.dataset.state = verdict;
  if (adoptSymmetry) {
    adoptSymmetry = false;
    $("sym-k").value = k || 1;
    $("sym-m").value = m || 0;
    updateSymmetry();
  }
}

// -- share link, gears, surprise, queue ----------------------------------------------

function updateShareLink() {
  const href = window.curveLink.href(readForm());
  $("share-link").href = href;
}

async function getJson(url) {
  const response = await fetch(url, { cache: "no-store" });
  const answer = await response.json();
  if (!response.ok) throw new Error((answer.errors || [answer.error]).join("; "));
  return answer;
}

async function makeGears() {
  const q = new URLSearchParams({
    ring: $("gear-ring").value,
    wheel: $("gear-wheel").value,
    pen: $("gear-pen").value,
    outside: $("gear-outside").value,
    colour_map: $("colour-map").value.trim() || "magma",
    background_map: $("background-map").value.trim() || "bone",
  });
  try {
    const answer = await getJson(`/api/gears?${q}`);
    $("gear-error").textContent = "";
    fillForm(answer.curve);
  } catch (err) {
    $("gear-error").textContent = err.message;
  }
}

async function surprise() {
  const q = new URLSearchParams();
  const seed = $("random-seed").value.trim();
  if (seed) q.set("seed", seed);
  if ($("random-shapes").checked) q.set("shapes", SHAPES.join(","));
  try {
    const answer = await getJson(`/api/random?${q}`);
    fillForm(answer.curve);
    $("random-note").textContent = `seed ${answer.seed}: type it in the seed box to make this curve again`;
    $("random-seed").value = "";
  } catch (err) {
    $("random-note").textContent = err.message;
  }
}

let queued = null;

async function drawOnKiosk() {
  const result = $("queue-result");
  result.dataset.state = "busy";
  result.textContent = "asking…";
  try {
    // control.js: with the control token, asked for when the kiosk wants one.
    const { response, answer } = await window.spirokioskControl.send("POST", "/api/curve", readForm());
    if (!response.ok || !answer) {
      if (answer && answer.errors) showErrors(answer.errors);
      throw new Error(answer && answer.error ? answer.error : `the kiosk answered ${response.status}`);
    }
    queued = answer.queued;
    result.dataset.state = "ok";
    const place = answer.place === 1 ? "it plays next" : `place ${answer.place} in the queue`;
    result.textContent = `queued: ${answer.queued} (${place}); the mirror below shows it when its turn comes`;
    pollForTurn();
  } catch (err) {
    result.dataset.state = "error";
    result.textContent = err instanceof TypeError ? "could not reach the kiosk" : err.message;
  }
}

let pollTimer = null;

async function pollForTurn() {
  clearTimeout(pollTimer);
  if (!queued) return;
  try {
    const status = await getJson("/api/status");
    if (status.curve && status.curve.name === queued) {
      $("queue-result").textContent = `now drawing on the kiosk: ${queued}`;
      const mirror = $("mirror");
      if (mirror.hidden) {
        mirror.hidden = false;
        $("mirror-stream").src = `/stream.mjpg?t=${Date.now()}`;
      }
      queued = null;
      return;
    }
  } catch (err) {
    /* try again */
  }
  pollTimer = setTimeout(pollForTurn, POLL_MS);
}

// -- start ---------------------------------------------------------------------------

const DEFAULT_CURVE = {
  wheels: [
    { freq: 1, width: "1", shape: "circle" },
    { freq: 6, width: "0.5", shape: "circle" },
    { freq: -14, width: "0.25j", shape: "circle" },
  ],
  colour_map: "magma",
  background_map: "bone",
  line_width: 4,
};

async function startingCurve() {
  const linked = window.curveLink.fromHash(location.hash);
  if (linked) return linked;
  try {
    const status = await getJson("/api/status");
    if (status.curve && status.curve.wheels) return status.curve;
  } catch (err) {
    /* the default then */
  }
  return DEFAULT_CURVE;
}

function setup() {
  const form = $("design");
  form.addEventListener("input", (event) => {
    if (event.target.id === "sym-k" || event.target.id === "sym-m") {
      updateSymmetry();
      return;
    }
    if (event.target.closest(".gears, .surprise")) return;
    if (event.target.id === "colour-map" || event.target.id === "background-map") showSwatch(event.target.id);
    schedulePreview();
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches(".shape, .own-height")) schedulePreview();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  $("wheel-rows").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const tr = button.closest("tr");
    const action = button.dataset.action;
    if (action === "remove" && $("wheel-rows").rows.length > 1) tr.remove();
    if (action === "up" && tr.previousElementSibling) tr.previousElementSibling.before(tr);
    if (action === "down" && tr.nextElementSibling) tr.nextElementSibling.after(tr);
    numberRows();
    updateSymmetry();
    schedulePreview();
  });
  $("add-wheel").addEventListener("click", () => {
    const { values } = updateSymmetry();
    const freq = values ? values.find((f) => f > 1) ?? values[0] : 2;
    $("wheel-rows").append(wheelRow({ freq, width: "0.25", shape: "circle" }));
    numberRows();
    updateSymmetry();
    schedulePreview();
  });
  $("sym-snap").addEventListener("click", snapToSymmetry);
  $("gear-make").addEventListener("click", makeGears);
  $("surprise").addEventListener("click", surprise);
  $("draw").addEventListener("click", drawOnKiosk);
  $("copy-link").addEventListener("click", async () => {
    const link = new URL($("share-link").getAttribute("href"), location.href).href;
    try {
      await navigator.clipboard.writeText(link);
      $("copy-link").textContent = "copied";
      setTimeout(() => ($("copy-link").textContent = "copy link"), 2000);
    } catch (err) {
      window.prompt("The link to this curve:", link);
    }
  });
  window.addEventListener("hashchange", () => {
    const linked = window.curveLink.fromHash(location.hash);
    if (linked) fillForm(linked);
  });
  loadSwatches();
  startingCurve().then((curve) => {
    fillForm(curve);
    updateSymmetry();
  });
}

// -- open a file made by spirokiosk: its recipe, read by the kiosk (POST /api/recipe) ----

function recipeNote(text, state) {
  const note = $("recipe-note");
  note.textContent = text;
  note.dataset.state = state;
}

async function openRecipeFile(file) {
  const limit = Number($("recipe-drop").dataset.maxBytes);
  if (limit && file.size > limit) {
    recipeNote(`${file.name}: larger than ${Math.round(limit / 1048576)} MiB; the kiosk made no such file`, "bad");
    return;
  }
  recipeNote(`reading ${file.name}…`, "busy");
  try {
    const response = await fetch(`/api/recipe?${new URLSearchParams({ name: file.name })}`, {
      method: "POST",
      cache: "no-store",
      headers: { "Content-Type": file.type || "application/octet-stream" },
      body: file,
    });
    const answer = await response.json().catch(() => null);
    if (!response.ok || !answer || !answer.curve) {
      throw new Error((answer && answer.error) || `the kiosk answered ${response.status}`);
    }
    fillForm(answer.curve);
    updateSymmetry();
    recipeNote(`opened ${answer.curve.name || "the curve"} from ${file.name}`, "ok");
  } catch (err) {
    recipeNote(`${file.name}: ${err.message}`, "bad");
  }
}

function setupRecipeDrop() {
  const zone = $("recipe-drop");
  const picker = $("recipe-file");
  picker.addEventListener("input", (event) => event.stopPropagation()); // not a curve edit
  picker.addEventListener("change", (event) => {
    event.stopPropagation();
    if (picker.files.length) openRecipeFile(picker.files[0]);
    picker.value = "";
  });
  const withFiles = (event) => event.dataTransfer && [...event.dataTransfer.types].includes("Files");
  for (const type of ["dragenter", "dragover"]) {
    document.addEventListener(type, (event) => {
      if (!withFiles(event)) return;
      event.preventDefault(); // a file dropped anywhere opens here, not in a new tab
      event.dataTransfer.dropEffect = "copy";
      zone.classList.add("dragging");
    });
  }
  document.addEventListener("dragleave", (event) => {
    if (!event.relatedTarget) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", (event) => {
    if (!withFiles(event)) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer.files.length) openRecipeFile(event.dataTransfer.files[0]);
  });
}

document.addEventListener("DOMContentLoaded", setup);
document.addEventListener("DOMContentLoaded", setupRecipeDrop);
