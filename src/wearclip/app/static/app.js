// wearclip's page: plain JavaScript and one canvas per plot; every number comes from the server's JSON API.
"use strict";

const $ = (selector) => document.querySelector(selector);
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
  "#bcbd22", "#7f7f7f", "#393b79", "#ad494a", "#637939", "#e7ba52", "#5254a3", "#843c39"];
const AXES = [["x", "#d62728"], ["y", "#2ca02c"], ["z", "#1f77b4"]];
const PANELS = { signal: [8, 220], predicted: [236, 22], truth: [264, 22], similarity: [296, 140], axis: [440, 24] };
const LEFT = 88;

let info = null;
let rec = null;       // the labelled recording's summary
let view = null;      // {t0, t1}: visible seconds
let detail = null;    // the signal envelope for the visible range
let highlight = null; // {start, end} of a search hit
let pendingZoom = null;

function showError(message) {
  const box = $("#error");
  box.textContent = message || "";
  box.hidden = !message;
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new Error("the server cannot be reached; is `wearclip serve` still running?");
  }
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error(body && body.error ? body.error : `the server answered ${response.status}`);
  return body;
}

function clock(seconds) {
  const digits = seconds < 600 && Math.abs(seconds % 1) > 0.05 ? 1 : 0;  // tenths only where they matter
  const s = Number(Math.max(0, seconds).toFixed(digits));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  const sec = (s % 60 < 10 ? "0" : "") + (s % 60).toFixed(digits);
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

// ---------------------------------------------------------------- tabs
function showView(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === name);
  for (const v of ["label", "search", "model"]) $(`#${v}-view`).hidden = v !== name;
  if (name === "model") loadCard();
  if (name === "label" && rec) draw();
}

// ---------------------------------------------------------------- start
async function start() {
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showView(tab.dataset.view));
  try {
    info = await api("/api/info");
  } catch (error) {
    showError(error.message);
    return;
  }
  $("#model-name").textContent = `model: ${info.model}`;
  const form = $("#label-form");
  form.units.innerHTML = info.units.map((u) => `<option>${u}</option>`).join("");
  form.stickiness.value = info.stickiness;
  form.source.innerHTML = info.sources.map((s) => `<option value="${s.id}">${escapeHtml(s.title)}</option>`).join("");
  for (const radio of form.querySelectorAll("input[name=from]")) radio.addEventListener("change", switchSource);
  form.source.addEventListener("change", () => loadSubjects());
  form.subject.addEventListener("change", fillRecordings);
  form.addEventListener("submit", (event) => { event.preventDefault(); label(); });
  $("#index-choice").innerHTML = info.indexes.map((i) =>
    `<label><input type="checkbox" name="index" value="${i.id}" checked> ${escapeHtml(i.dataset)} (${i.windows} windows)</label>`).join(" ");
  $("#search-form").addEventListener("submit", (event) => { event.preventDefault(); search(); });
  for (const radio of document.querySelectorAll("input[name=show]")) radio.addEventListener("change", draw);
  $("#reset-zoom").addEventListener("click", () => setView(rec.start, rec.end));
  setupPlot();
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

let listing = null;
function switchSource() {
  const fromDataset = $("#label-form").querySelector("input[name=from]:checked").value === "dataset";
  $("#from-upload").hidden = fromDataset;
  $("#from-dataset").hidden = !fromDataset;
  if (fromDataset && !listing) return loadSubjects();
  return Promise.resolve();
}

async function loadSubjects(subject, recording) {
  const form = $("#label-form");
  try {
    listing = await api(`/api/sources/${form.source.value}`);
  } catch (error) {
    showError(error.message);
    return;
  }
  const subjects = Object.keys(listing.subjects);
  form.subject.innerHTML = subjects.map((s) => `<option>${escapeHtml(s)}</option>`).join("");
  if (subject !== undefined) form.subject.value = subject;
  fillRecordings();
  if (recording !== undefined) form.recording.value = recording;
}

function fillRecordings() {
  const form = $("#label-form");
  const names = (listing && listing.subjects[form.subject.value]) || [];
  form.recording.innerHTML = names.map((r) => `<option>${escapeHtml(r)}</option>`).join("");
}

// ---------------------------------------------------------------- labelling
async function label() {
  const form = $("#label-form");
  const data = new FormData();
  const fromDataset = form.querySelector("input[name=from]:checked").value === "dataset";
  for (const key of ["activities", "stickiness", "min_bout"]) data.append(key, form[key].value);
  if (fromDataset) {
    for (const key of ["source", "subject", "recording"]) data.append(key, form[key].value);
  } else {
    if (!form.file.files.length) return showError("choose a recording file to upload first");
    const file = form.file.files[0];
    if (file.size > info.max_upload_bytes) {
      return showError(`${file.name} has ${(file.size / 2 ** 20).toFixed(1)} MiB; the server takes uploads up to ${(info.max_upload_bytes / 2 ** 20).toFixed(0)} MiB`);
    }
    data.append("file", file);
    data.append("units", form.units.value);
    data.append("rate", form.rate.value);
  }
  showError("");
  $("#label-busy").hidden = false;
  $("#label-button").disabled = true;
  try {
    rec = await api("/api/label", { method: "POST", body: data });
  } catch (error) {
    showError(error.message);
    return;
  } finally {
    $("#label-busy").hidden = true;
    $("#label-button").disabled = false;
  }
  $("#result").hidden = false;
  $("#download").href = `/api/labelled/${rec.key}/timeline.csv`;
  describe();
  detail = null;
  if (pendingZoom) {
    highlight = pendingZoom;
    setView(pendingZoom.start - 30, pendingZoom.end + 30);
    pendingZoom = null;
  } else {
    highlight = null;
    setView(rec.start, rec.end);
  }
}

function describe() {
  const duration = rec.end - rec.start;
  const parts = [`<b>${escapeHtml(rec.name)}</b>: ${clock(duration)} (${rec.windows.start.length} windows)`];
  const scores = rec.scores;
  if (scores && scores.raw) {
    const f1 = (s) => (100 * s.macro_f1).toFixed(1);
    parts.push(`macro-F1 <b id="f1-raw">${f1(scores.raw)}</b> raw, <b id="f1-smoothed">${f1(scores.smoothed)}</b> smoothed ` +
      `over ${scores.windows} labelled windows`);
  } else if (rec.labels.length) {
    parts.push(`its labels (${rec.labels.slice(0, 6).map(escapeHtml).join(", ")}${rec.labels.length > 6 ? ", …" : ""}) ` +
      "name none of the activities typed, so no F1");
  }
  $("#summary").innerHTML = parts.join(" · ");
  $("#legend").innerHTML = rec.activities.map((a, i) =>
    `<span><i style="background:${PALETTE[i % PALETTE.length]}"></i>${escapeHtml(a)}</span>`).join("") +
    AXES.map(([axis, colour]) => `<span><i style="background:${colour}"></i>${axis}</span>`).join("");
}

function setView(t0, t1) {
  const span = Math.max(2, t1 - t0);
  t0 = Math.max(rec.start, Math.min(t0, rec.end - span));
  view = { t0, t1: Math.min(rec.end, t0 + span) };
  draw();
  fetchDetail();
}

let detailTimer = null;
function fetchDetail() {
  clearTimeout(detailTimer);
  detailTimer = setTimeout(async () => {
    const canvas = $("#plot");
    const wanted = { ...view };
    const key = rec.key;
    try {
      const envelope = await api(`/api/labelled/${key}/signal?start=${wanted.t0}&end=${wanted.t1}&points=${canvas.width - LEFT}`);
      if (rec && rec.key === key) {
        detail = { ...envelope, t0: wanted.t0, t1: wanted.t1 };
        draw();
      }
    } catch (error) {
      showError(error.message);
    }
  }, 120);
}

// ---------------------------------------------------------------- drawing
function setupPlot() {
  const canvas = $("#plot");
  let drag = null;
  canvas.addEventListener("wheel", (event) => {
    if (!rec) return;
    event.preventDefault();
    const t = timeAt(event.offsetX);
    const factor = event.deltaY > 0 ? 1.25 : 0.8;
    setView(t - (t - view.t0) * factor, t + (view.t1 - t) * factor);
  }, { passive: false });
  canvas.addEventListener("mousedown", (event) => { drag = { x: event.offsetX, view: { ...view } }; });
  window.addEventListener("mouseup", () => { drag = null; });
  canvas.addEventListener("mousemove", (event) => {
    if (!rec) return;
    if (drag) {
      const shift = (drag.x - event.offsetX) * (drag.view.t1 - drag.view.t0) / (canvas.width - LEFT);
      setView(drag.view.t0 + shift, drag.view.t1 + shift);
    }
    hover(event);
  });
  canvas.addEventListener("mouseleave", () => { $("#tooltip").hidden = true; });
  window.addEventListener("resize", () => { if (rec) { draw(); fetchDetail(); } });
}

function xOf(t) {
  const canvas = $("#plot");
  return LEFT + (t - view.t0) / (view.t1 - view.t0) * (canvas.width - LEFT);
}

function timeAt(x) {
  const canvas = $("#plot");
  return view.t0 + (x * canvas.width / canvas.clientWidth - LEFT) / (canvas.width - LEFT) * (view.t1 - view.t0);
}

function shown() {
  return document.querySelector("input[name=show]:checked").value;
}

function draw() {
  if (!rec || !view) return;
  const canvas = $("#plot");
  canvas.width = canvas.clientWidth || 1000;
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#444";
  ctx.textBaseline = "middle";
  const names = { signal: "x, y, z (g)", predicted: shown() === "raw" ? "raw" : "smoothed", truth: "true label", similarity: "probability" };
  for (const [panel, [top, height]] of Object.entries(PANELS)) {
    if (names[panel] && (panel !== "truth" || rec.windows.truth)) ctx.fillText(names[panel], 2, top + height / 2);
  }
  const envelope = detail && detail.t0 <= view.t0 && detail.t1 >= view.t1 &&
    (detail.t1 - detail.t0) < 2 * (view.t1 - view.t0) ? detail : rec.overview;
  drawSignal(ctx, envelope);
  drawBand(ctx, rec.windows[shown()], PANELS.predicted);
  if (rec.windows.truth) drawBand(ctx, rec.windows.truth, PANELS.truth);
  drawSimilarity(ctx);
  drawAxis(ctx);
  if (highlight) {
    ctx.strokeStyle = "#000";
    ctx.setLineDash([4, 3]);
    ctx.strokeRect(xOf(highlight.start), PANELS.signal[0], xOf(highlight.end) - xOf(highlight.start),
      PANELS.similarity[0] + PANELS.similarity[1] - PANELS.signal[0]);
    ctx.setLineDash([]);
  }
}

function drawSignal(ctx, envelope) {
  const [top, height] = PANELS.signal;
  let low = Infinity, high = -Infinity;
  for (const axis of envelope.lo) for (const v of axis) if (v < low) low = v;
  for (const axis of envelope.hi) for (const v of axis) if (v > high) high = v;
  if (!(high > low)) { low -= 1; high += 1; }
  const y = (v) => top + height - (v - low) / (high - low) * height;
  ctx.strokeStyle = "#ccd";
  ctx.strokeRect(LEFT, top, ctx.canvas.width - LEFT, height);
  ctx.fillStyle = "#666";
  ctx.fillText(high.toFixed(1), LEFT - 30, top + 6);
  ctx.fillText(low.toFixed(1), LEFT - 30, top + height - 6);
  ctx.save();
  ctx.beginPath();
  ctx.rect(LEFT, top, ctx.canvas.width - LEFT, height);
  ctx.clip();
  const n = envelope.t.length;
  const spacing = n > 1 ? (envelope.t[n - 1] - envelope.t[0]) / (n - 1) : 0;
  AXES.forEach(([, colour], a) => {
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1;
    ctx.beginPath();
    let previous = null;
    for (let i = 0; i < n; i++) {
      const t = envelope.t[i];
      const x = xOf(t);
      const gap = previous !== null && t - previous > 3 * spacing + 0.1;  // a gap between segments is not bridged
      if (previous === null || gap) ctx.moveTo(x, y(envelope.lo[a][i])); else ctx.lineTo(x, y(envelope.lo[a][i]));
      if (envelope.hi[a][i] !== envelope.lo[a][i]) ctx.lineTo(x, y(envelope.hi[a][i]));
      previous = t;
    }
    ctx.stroke();
  });
  ctx.restore();
}

function windowSpan(i) {
  // windows overlap: each one owns the time up to the next window's start
  const w = rec.windows;
  const next = i + 1 < w.start.length ? w.start[i + 1] : Infinity;
  return [w.start[i], Math.min(w.end[i], next)];
}

function drawBand(ctx, labels, [top, height]) {
  const w = rec.windows;
  let i = 0;
  while (i < labels.length) {
    let j = i;
    while (j + 1 < labels.length && labels[j + 1] === labels[i] && w.start[j + 1] <= windowSpan(j)[1] + 1e-6) j++;
    const [a] = windowSpan(i), [, b] = windowSpan(j);
    if (labels[i] >= 0 && b >= view.t0 && a <= view.t1) {
      ctx.fillStyle = PALETTE[labels[i] % PALETTE.length];
      const x0 = Math.max(LEFT, xOf(a)), x1 = Math.min(ctx.canvas.width, xOf(b));
      ctx.fillRect(x0, top, Math.max(1, x1 - x0), height);
    }
    i = j + 1;
  }
}

function drawSimilarity(ctx) {
  const [top, height] = PANELS.similarity;
  const w = rec.windows;
  ctx.strokeStyle = "#ccd";
  ctx.strokeRect(LEFT, top, ctx.canvas.width - LEFT, height);
  ctx.save();
  ctx.beginPath();
  ctx.rect(LEFT, top, ctx.canvas.width - LEFT, height);
  ctx.clip();
  const first = Math.max(0, lowerBound(w.end, view.t0) - 1), last = Math.min(w.start.length, lowerBound(w.start, view.t1) + 1);
  const step = Math.max(1, Math.floor((last - first) / (ctx.canvas.width - LEFT)));
  rec.activities.forEach((_, a) => {
    ctx.strokeStyle = PALETTE[a % PALETTE.length];
    ctx.beginPath();
    for (let i = first; i < last; i += step) {
      const x = xOf((w.start[i] + w.end[i]) / 2), y = top + height - w.p[i][a] * (height - 4) - 2;
      if (i === first) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.stroke();
  });
  ctx.restore();
}

function drawAxis(ctx) {
  const [top] = PANELS.axis;
  const span = view.t1 - view.t0;
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];
  const step = steps.find((s) => span / s <= 10) || 21600;
  ctx.fillStyle = "#444";
  ctx.textBaseline = "top";
  for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
    const x = xOf(t);
    ctx.fillRect(x, top, 1, 4);
    ctx.fillText(clock(t), x - 14, top + 6);
  }
  ctx.textBaseline = "middle";
}

function lowerBound(values, target) {
  let lo = 0, hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < target) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function hover(event) {
  const tip = $("#tooltip");
  const t = timeAt(event.offsetX);
  const w = rec.windows;
  const i = Math.max(0, Math.min(w.start.length - 1, lowerBound(w.start, t) - 1));
  if (t < view.t0 || t > view.t1 || !(w.start[i] <= t && t <= w.end[i])) { tip.hidden = true; return; }
  const order = rec.activities.map((a, k) => [w.p[i][k], a]).sort((p, q) => q[0] - p[0]).slice(0, 4);
  const name = (k) => (k >= 0 ? escapeHtml(rec.activities[k]) : "–");
  let html = `<b>${clock(t)}</b> (window ${clock(w.start[i])}–${clock(w.end[i])})<br>` +
    `smoothed: ${name(w.smoothed[i])} · raw: ${name(w.raw[i])}`;
  if (w.truth) html += ` · true: ${name(w.truth[i])}`;
  html += "<br>" + order.map(([p, a]) => `${escapeHtml(a)} ${p.toFixed(2)}`).join(" · ");
  tip.innerHTML = html;
  tip.hidden = false;
  const box = $("#plot-box").getBoundingClientRect();
  tip.style.left = `${Math.min(event.offsetX + 14, box.width - tip.offsetWidth - 4)}px`;
  tip.style.top = `${event.offsetY + 14}px`;
}

// ---------------------------------------------------------------- search
async function search(body) {
  const form = $("#search-form");
  const url = body ? "/api/similar" : "/api/search";
  body = body || { query: form.query.value, k: Number(form.k.value) || 12,
    indexes: [...form.querySelectorAll("input[name=index]:checked")].map((c) => Number(c.value)) };
  showError("");
  $("#search-busy").hidden = false;
  let result;
  try {
    result = await api(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch (error) {
    showError(error.message);
    return;
  } finally {
    $("#search-busy").hidden = true;
  }
  const what = url === "/api/search" ? `“${escapeHtml(body.query)}”` : `windows like window ${body.id}`;
  $("#search-info").innerHTML = `${result.hits.length} windows for ${what}, found in ${result.search_ms.toFixed(0)} ms; ` +
    "click one to open its recording";
  const hits = $("#hits");
  hits.innerHTML = "";
  for (const hit of result.hits) hits.appendChild(hitCard(hit));
}

function hitCard(hit) {
  const card = document.createElement("div");
  card.className = "hit";
  card.innerHTML = `<canvas width="220" height="70"></canvas>
    <div><b>${hit.score.toFixed(3)}</b> · ${escapeHtml(hit.dataset)}</div>
    <div>subject ${escapeHtml(hit.subject)} · ${escapeHtml(hit.recording)} · ${clock(hit.start)}–${clock(hit.end)}</div>
    <div>${hit.label ? "label: " + escapeHtml(hit.label) : "unlabelled"}</div>
    <button type="button">more like this</button>`;
  drawThumbnail(card.querySelector("canvas"), hit.signal);
  card.addEventListener("click", () => openHit(hit));
  card.querySelector("button").addEventListener("click", (event) => {
    event.stopPropagation();
    search({ index: hit.index, id: hit.id, k: Number($("#search-form").k.value) || 12 });
  });
  return card;
}

function drawThumbnail(canvas, signal) {
  const ctx = canvas.getContext("2d");
  const values = signal.flat();
  const low = Math.min(...values), high = Math.max(...values) + 1e-6;
  AXES.forEach(([, colour], a) => {
    ctx.strokeStyle = colour;
    ctx.beginPath();
    signal[a].forEach((v, i) => {
      const x = i / Math.max(1, signal[a].length - 1) * canvas.width, y = canvas.height - (v - low) / (high - low) * canvas.height;
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
  });
}

async function openHit(hit) {
  const form = $("#label-form");
  form.querySelector("input[name=from][value=dataset]").checked = true;
  form.source.value = String(hit.source);
  switchSource();
  await loadSubjects(hit.subject, hit.recording);
  const index = info.indexes.find((i) => i.id === hit.index);
  if (!form.activities.value.trim() && index && index.classes.length) form.activities.value = index.classes.join(", ");
  pendingZoom = { start: hit.start, end: hit.end };
  showView("label");
  await label();
}

// ---------------------------------------------------------------- model card
let cardShown = false;
async function loadCard() {
  if (cardShown) return;
  let card;
  try {
    card = await api("/api/model");
  } catch (error) {
    showError(error.message);
    return;
  }
  cardShown = true;
  const table = (rows) => `<table>${Object.entries(rows).map(([k, v]) =>
    `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(typeof v === "object" ? JSON.stringify(v) : v)}</td></tr>`).join("")}</table>`;
  let html = `<h2>${escapeHtml(card.name)}</h2><h3>Training data</h3><p>${escapeHtml(card["training data"])}</p>` +
    `<h3>Recipe</h3>${table(card.recipe)}<h3>Input contract</h3>${table(card.input)}<h3>Measured figures</h3>`;
  html += card.figures.length
    ? `<table><tr><th></th><th>macro-F1</th><th>accuracy</th><th>weighted F1</th><th>windows</th></tr>${card.figures.map((f) =>
      `<tr><td>${escapeHtml(f.name)}</td>${["macro_f1", "accuracy", "weighted_f1"].map((k) =>
        `<td>${k in f ? (100 * f[k]).toFixed(1) : "–"}</td>`).join("")}<td>${f.n ?? "–"}</td></tr>`).join("")}</table>`
    : "<p>none recorded beside the checkpoint</p>";
  if (card.document) html += `<h3>Card</h3><pre>${escapeHtml(card.document)}</pre>`;
  html += `<p><small>from ${card.sources.map(escapeHtml).join(", ")}</small></p>`;
  $("#card").innerHTML = html;
}

start();
