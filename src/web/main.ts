/**
 * The explorer page: settings form, region map, inspection panels. All computation happens in
 * the engine worker (worker.ts); this module turns user actions into requests, and frames into
 * pictures. The settings live in the URL fragment (settings.ts), so a view can be shared.
 */
import type { BoundJson } from "../bounds/result.ts";
import { signedPolygonArea } from "../geometry/polygon-area.ts";
import { patternString } from "../model/pattern.ts";
import { classColor } from "../report/colors.ts";
import { SvgContext } from "../report/draw-context.ts";
import { escapeMarkup } from "../report/escape.ts";
import { clearChart, historyChartSpec, renderChart, segmentChartSpec } from "./charts.ts";
import { cellAt, drawMap, type Transform, toPlane } from "./map-view.ts";
import type { DataInfo, ExportKind, Frame, InputFile, ModelInfo, Reply, Request } from "./protocol.ts";
import { DEFAULTS, exportStem, parseHidden, parseSettings, type Settings, SettingsError, settingsFragment } from "./settings.ts";
import { WHOLE_MAX_CELLS, type WholeCountResult, type WholeDomainRequest, wholeRefusal } from "./whole-count.ts";

const $ = <T extends Element = HTMLElement>(selector: string): T => {
  const el = document.querySelector(selector);
  if (!el) throw new Error(`internal: ${selector} is missing from the page`);
  return el as T;
};

const form = $<HTMLFormElement>("#controls");
const canvas = $<HTMLCanvasElement>("#map");
const status = $("#status");
const cancelButton = $<HTMLButtonElement>("#cancel");
const trainButton = $<HTMLButtonElement>("#train");
const stepButton = $<HTMLButtonElement>("#step");
const field = <T extends HTMLInputElement | HTMLSelectElement>(name: string): T => form.elements.namedItem(name) as T;

interface State {
  settings: Settings;
  info: ModelInfo | null;
  data: DataInfo | null;
  frame: Frame | null;
  running: boolean;
  busy: boolean;
  /** Files of a loaded model (to restore it after a cancel). */
  files: InputFile[] | null;
  history: { epoch: number; regions: number; pieces: number }[];
  cursor: [number, number] | null;
  cell: number;
  /** Segment being dragged (plane coordinates), before it is sent to the worker. */
  dragging: [number, number, number, number] | null;
  pendingA: [number, number] | null;
  transform: Transform | null;
  /** Id of the frame last drawn: until it is the current frame's, the map on screen is stale. */
  drawnFrame: number;
  /** Times (ms) at which frames were drawn during training. */
  drawTimes: number[];
  framesWhileRunning: number;
  selected: number[];
  /** The last whole-domain count of this model (whole-count.ts), null before one. */
  whole: WholeCountResult | null;
  /** A whole-domain count is running in the worker. */
  counting: boolean;
}

const state: State = {
  whole: null,
  counting: false,
  settings: structuredClone(DEFAULTS) as Settings,
  info: null,
  data: null,
  frame: null,
  running: false,
  busy: false,
  files: null,
  history: [],
  cursor: null,
  cell: -1,
  dragging: null,
  pendingA: null,
  transform: null,
  drawnFrame: -1,
  drawTimes: [],
  framesWhileRunning: 0,
  selected: [],
};

// ---------------------------------------------------------------------------------------------
// Status line

function say(text: string, error = false): void {
  status.textContent = text;
  status.classList.toggle("error", error);
}

let busyTimer = 0;
function setBusy(busy: boolean): void {
  state.busy = busy;
  clearTimeout(busyTimer);
  if (busy) busyTimer = window.setTimeout(() => (cancelButton.hidden = !state.busy), 400);
  else cancelButton.hidden = true;
}

// ---------------------------------------------------------------------------------------------
// The worker

let worker: Worker;

function startWorker(): void {
  worker = new Worker(new URL("./worker.ts", import.meta.url), {
    type: "module",
  });
  worker.onmessage = (event: MessageEvent<Reply>) => onReply(event.data);
  worker.onerror = (event) => {
    say(`engine error: ${event.message}`, true);
    setBusy(false);
  };
}

/** A build or load was sent: the next model reply is a new model, not the same one's refreshed info. */
let newModelPending = false;

/**
 * Cancel reloads the model into a fresh worker: its progress ("loading MNIST digits") is not news
 * to the user and would replace the line saying what was cancelled, so it is not shown.
 */
let reloadingAfterCancel = false;

function send(request: Request, transfer: Transferable[] = []): void {
  if (request.type === "build" || request.type === "load") newModelPending = true;
  worker.postMessage(request, transfer);
}

function onReply(reply: Reply): void {
  switch (reply.type) {
    case "progress":
      if (!reloadingAfterCancel) say(reply.text);
      return;
    case "model":
      reloadingAfterCancel = false;
      state.info = reply.info;
      if (reply.data) state.data = reply.data;
      if (newModelPending) forgetPreviousModel();
      newModelPending = false;
      showModel();
      return;
    case "frame":
      onFrame(reply.frame);
      return;
    case "idle":
      state.running = reply.running;
      trainButton.setAttribute("aria-pressed", String(reply.running));
      trainButton.textContent = reply.running ? "Pause" : "Train";
      if (!reply.running) {
        // The frame rate belongs to a run; a paused explorer shows none.
        $("#fps").textContent = "";
        state.drawTimes = [];
        setBusy(false);
        if (state.frame && state.info?.mode === "built") {
          state.settings.epoch = state.frame.epoch;
          writeUrl();
        }
      }
      return;
    case "error":
      reloadingAfterCancel = false;
      state.counting = false;
      say(reply.message, true);
      setBusy(false);
      return;
    case "whole": {
      const r = reply.result;
      state.whole = r;
      state.counting = false;
      const bound = r.complete ? "" : ` at least (stopped at ${WHOLE_MAX_CELLS} regions)`;
      $("#whole-result").textContent =
        `${r.describe}: ${r.regions} activation regions${bound}, ${r.pieces} linear pieces, ${r.facets} facets` +
        ` (reduced dimension ${r.reducedDimension}, ${r.uncertain} uncertain, ${r.seconds.toFixed(2)} s)`;
      say(`counted every region of ${r.describe} in ${r.seconds.toFixed(2)} s`);
      setBusy(false);
      return;
    }
    case "export":
      download(reply.name, new Blob([reply.text], { type: reply.mime }));
      say(`saved ${reply.name}`);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Settings <-> form <-> URL

function fillForm(s: Settings): void {
  field<HTMLSelectElement>("data").value = s.data;
  field<HTMLInputElement>("count").value = String(s.count);
  field<HTMLInputElement>("hidden").value = s.hidden.join(",");
  field<HTMLSelectElement>("activation").value = s.activation;
  field<HTMLSelectElement>("init").value = s.init;
  field<HTMLInputElement>("seed").value = String(s.seed);
  field<HTMLSelectElement>("optimizer").value = s.optimizer;
  field<HTMLInputElement>("learningRate").value = String(s.learningRate);
  field<HTMLInputElement>("batchSize").value = String(s.batchSize);
  field<HTMLInputElement>("boundary").checked = s.boundary;
  field<HTMLInputElement>("edges").checked = s.edges;
  field<HTMLInputElement>("points").checked = s.points;
  const planeSeed = s.plane.kind === "random" ? s.plane.seed : 1;
  const planeRadius = s.plane.kind === "random" ? s.plane.radius : 1;
  field<HTMLInputElement>("planeSeed").value = String(planeSeed);
  field<HTMLInputElement>("planeRadius").value = String(planeRadius);
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="planeKind"]')) radio.checked = radio.value === s.plane.kind;
  fillSquare();
  fillSegmentForm();
}

/** The square's fields show the view in use (from the data when the settings leave it open). */
function fillSquare(): void {
  const box = state.settings.view ?? viewOfFrame();
  if (box) {
    field<HTMLInputElement>("lo").value = String(box[0]);
    field<HTMLInputElement>("hi").value = String(box[1]);
  }
}

function viewOfFrame(): [number, number] | null {
  const f = state.frame;
  if (!f || state.info?.inputSize !== 2) return null;
  return [f.domain[0], f.domain[4]];
}

const number = (name: string, what: string): number => {
  const text = field<HTMLInputElement>(name).value;
  const v = Number(text);
  if (text.trim() === "" || !Number.isFinite(v)) throw new SettingsError(`${what}: expected a number, got "${text}"`);
  return v;
};

/** The network settings of the form, checked by the same parser as URLs. */
function formSettings(): Settings {
  const params = new URLSearchParams(settingsFragment(state.settings));
  params.set("data", field<HTMLSelectElement>("data").value);
  params.set("n", field<HTMLInputElement>("count").value);
  params.set("hidden", parseHidden(field<HTMLInputElement>("hidden").value).join(","));
  params.set("act", field<HTMLSelectElement>("activation").value);
  params.set("init", field<HTMLSelectElement>("init").value);
  params.set("seed", field<HTMLInputElement>("seed").value);
  params.set("opt", field<HTMLSelectElement>("optimizer").value);
  params.set("lr", field<HTMLInputElement>("learningRate").value);
  params.set("batch", field<HTMLInputElement>("batchSize").value);
  params.delete("epoch");
  params.delete("view");
  params.delete("seg");
  return parseSettings(params.toString());
}

function writeUrl(): void {
  const fragment = settingsFragment(state.settings);
  history.replaceState(null, "", fragment ? `#${fragment}` : location.pathname + location.search);
}

// ---------------------------------------------------------------------------------------------
// Actions

function build(settings: Settings): void {
  state.settings = settings;
  state.files = null;
  state.history = [];
  state.selected = [];
  state.cell = -1;
  setBusy(true);
  say(settings.epoch > 0 ? `building and training to epoch ${settings.epoch}…` : "building…");
  send({ type: "build", settings });
  writeUrl();
}

function requestView(): void {
  if (!state.info) return;
  setBusy(!state.running);
  send({ type: "view", settings: state.settings });
  writeUrl();
}

function setRunning(on: boolean): void {
  if (!state.info?.trainable) {
    say(state.info?.trainNote || "nothing to train", true);
    return;
  }
  if (on) {
    state.drawTimes = [];
    state.framesWhileRunning = 0;
  }
  send({ type: "run", on });
}

function step(): void {
  if (!state.info?.trainable) return;
  setBusy(true);
  send({ type: "step" });
}

async function loadFiles(list: FileList | File[]): Promise<void> {
  const files: InputFile[] = [];
  for (const f of Array.from(list)) files.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  if (files.length === 0) return;
  state.files = files.map((f) => ({ name: f.name, bytes: f.bytes.slice() }));
  state.history = [];
  state.selected = [];
  state.settings.segment = null;
  state.settings.view = null;
  state.cell = -1;
  setBusy(true);
  say(`reading ${files.map((f) => f.name).join(", ")}…`);
  send(
    { type: "load", files, settings: state.settings, partition: true },
    files.map((f) => f.bytes.buffer),
  );
}

function cancel(): void {
  const counting = state.counting;
  state.counting = false;
  worker.terminate();
  startWorker();
  setBusy(false);
  state.running = false;
  trainButton.setAttribute("aria-pressed", "false");
  trainButton.textContent = "Train";
  if (state.files) {
    const files = state.files.map((f) => ({
      name: f.name,
      bytes: f.bytes.slice(),
    }));
    send(
      { type: "load", files, settings: state.settings, partition: false },
      files.map((f) => f.bytes.buffer),
    );
    reloadingAfterCancel = true;
    if (counting) {
      $("#whole-result").textContent = "cancelled: nothing was counted";
      say("cancelled the whole-domain count: the model is still loaded");
    } else say("cancelled: the model is loaded but this map was not computed; choose a smaller view", true);
  } else {
    state.settings.epoch = 0;
    build(state.settings);
    say("cancelled: the network was rebuilt at epoch 0", true);
  }
}

/** The map exports, PNG and SVG: the picture on screen drawn again at 1000 px with a title, same file stem. */
function exportAs(kind: ExportKind | "png" | "svg"): void {
  const frame = state.frame;
  if (!frame) return;
  if (kind !== "png" && kind !== "svg") {
    send({ type: "export", what: kind, settings: state.settings });
    return;
  }
  const size = 1000;
  const info = state.info;
  const title = `${info?.name ?? "map"}: ${frame.activationRegions} regions, ${frame.linearPieces} linear pieces${info?.mode === "built" ? `, epoch ${frame.epoch}` : ""}`;
  const options = { ...drawOptions(), cell: -1, cursor: null, title };
  const name = `${exportStem(info?.mode ?? "built", info?.name ?? "model", state.settings.data, frame.epoch)}.${kind}`;
  if (kind === "svg") {
    const svg = new SvgContext(size, size);
    drawMap(svg, size, size, frame, state.data, options);
    download(name, new Blob([svg.toString()], { type: "image/svg+xml" }));
    say(`saved ${name}`);
    return;
  }
  const off = document.createElement("canvas");
  off.width = size;
  off.height = size;
  drawMap(off.getContext("2d") as CanvasRenderingContext2D, size, size, frame, state.data, options);
  off.toBlob((blob) => {
    if (!blob) return say("could not encode the PNG", true);
    download(name, blob);
    say(`saved ${name}`);
  }, "image/png");
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// ---------------------------------------------------------------------------------------------
// Frames and drawing

function onFrame(frame: Frame): void {
  const previous = state.frame;
  state.frame = frame;
  if (!previous || previous.epoch !== frame.epoch || state.history.length === 0) {
    const h = state.history;
    if (h.length > 0 && h[h.length - 1].epoch >= frame.epoch) h.length = 0;
    h.push({
      epoch: frame.epoch,
      regions: frame.activationRegions,
      pieces: frame.linearPieces,
    });
    if (h.length > 2000) h.splice(0, h.length - 2000);
  }
  requestAnimationFrame(() => {
    // The square's fields show the view the data chose until the user sets one.
    if (!state.settings.view) fillSquare();
    redraw();
    showCounts();
    showCell();
    showSegment();
    showHistory();
    if (state.running) {
      const now = performance.now();
      state.drawTimes.push(now);
      state.framesWhileRunning++;
      while (state.drawTimes.length > 2 && now - state.drawTimes[0] > 3000) state.drawTimes.shift();
      $("#fps").textContent = `${fps().toFixed(1)} frames/s while training (partition ${frame.partitionMs.toFixed(0)} ms, epoch ${frame.trainMs.toFixed(0)} ms)`;
    } else {
      setBusy(false);
    }
    // The status line describes the frame on screen, while training too.
    say(
      `${state.info?.name ?? ""}: ${frame.cellCount} cells (${frame.activationRegions} activation regions) in ${frame.partitionMs.toFixed(0)} ms${state.running ? `, epoch ${frame.epoch}` : ""}`,
    );
    state.drawnFrame = frame.id;
    send({ type: "drawn", id: frame.id });
  });
}

function fps(): number {
  const t = state.drawTimes;
  if (t.length < 2) return 0;
  return ((t.length - 1) * 1000) / (t[t.length - 1] - t[0]);
}

function drawOptions() {
  return {
    edges: state.settings.edges,
    boundary: state.settings.boundary,
    points: state.settings.points,
    segment: state.dragging ?? state.settings.segment,
    cell: state.cell,
    cursor: state.cursor,
    labels: state.info?.labels ?? (["u", "v"] as [string, string]),
  };
}

function redraw(): void {
  const frame = state.frame;
  if (!frame) return;
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (w === 0 || h === 0) return;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  state.transform = drawMap(ctx, w, h, frame, state.data, drawOptions());
}

function showCounts(): void {
  const f = state.frame;
  if (!f) return;
  const regions = $("#regions");
  regions.textContent = String(f.activationRegions);
  regions.dataset.regions = String(f.activationRegions);
  $("#pieces").textContent = String(f.linearPieces);
  $("#epoch").textContent = String(f.epoch);
  const parts: string[] = [];
  if (f.loss !== null) parts.push(`loss ${f.loss.toFixed(4)}`);
  if (f.accuracy !== null) parts.push(`accuracy ${(100 * f.accuracy).toFixed(1)}%`);
  $("#metrics").textContent = parts.length ? `· ${parts.join(" · ")}` : "";
  const exact = document.querySelector("#exact-count");
  if (exact) exact.textContent = String(f.activationRegions);
}

const fmt = (x: number): string => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : Number(x.toPrecision(4)).toString());

/**
 * A new model (built or loaded) starts with empty panels: the inspected cell, the cursor, the
 * segment and the last frame all belonged to the previous one.
 */
function forgetPreviousModel(): void {
  state.whole = null;
  $("#whole-result").textContent = "";
  state.frame = null;
  state.cursor = null;
  state.cell = -1;
  state.pendingA = null;
  showCell();
  showSegment();
}

function showCell(): void {
  const f = state.frame;
  const box = $("#cell-info");
  if (!f || !state.cursor) {
    box.textContent = "Point at a cell.";
    return;
  }
  const [u, v] = state.cursor;
  state.cell = cellAt(f, u, v);
  const c = state.cell;
  if (c < 0) {
    box.textContent = `(${fmt(u)}, ${fmt(v)}) is outside the map.`;
    return;
  }
  const [lu, lv] = state.info?.labels ?? ["u", "v"];
  const words = f.layout.words;
  const rows: string[] = [];
  rows.push(`<div>point (${fmt(u)}, ${fmt(v)}) · cell ${c} of ${f.cellCount} · piece ${f.pieceOf[c]}</div>`);
  rows.push(`<div>area ${fmt(f.areas[c])} (${((100 * f.areas[c]) / domainArea(f)).toFixed(2)}% of the view)</div>`);
  rows.push(`<div>pattern <span title="unit states by layer">${escapeMarkup(patternString(f.layout, f.patterns, c * words))}</span></div>`);
  const outs = Math.min(f.outputSize, 10);
  let best = 0;
  let bestValue = -Infinity;
  rows.push("<div>affine map on this cell:</div>");
  for (let k = 0; k < outs; k++) {
    const o = (c * f.outputSize + k) * 3;
    const [a, b, d] = [f.outputMaps[o], f.outputMaps[o + 1], f.outputMaps[o + 2]];
    const value = a + b * u + d * v;
    if (value > bestValue) {
      bestValue = value;
      best = k;
    }
    rows.push(`<div>&nbsp;y${k} = ${fmt(a)} ${sign(b)} ${fmt(Math.abs(b))}·${lu} ${sign(d)} ${fmt(Math.abs(d))}·${lv} <span class="hint">(${fmt(value)} here)</span></div>`);
  }
  if (f.outputSize > outs) rows.push(`<div>… and ${f.outputSize - outs} more outputs</div>`);
  if (f.outputSize > 1) rows.push(`<div>class here: <span class="swatch" style="background:${classColor(best)}"></span>${best}</div>`);
  box.innerHTML = rows.join("");
}

const sign = (x: number): string => (x < 0 ? "−" : "+");

function domainArea(f: Frame): number {
  return signedPolygonArea(f.domain);
}

function showSegment(): void {
  const info = $("#segment-info");
  const chart = $("#segment-chart");
  const s = state.frame?.segment;
  if (!s) {
    info.textContent = "Drag on the map, or type two points, to see the exact pieces along a segment.";
    clearChart(chart);
    return;
  }
  info.innerHTML = `<strong id="segment-pieces">${s.pieces}</strong> pieces (${s.activationRegions} activation patterns, ${s.linearPieces} linear pieces) along a segment of length ${fmt(s.length)}`;
  renderChart(chart, segmentChartSpec(s), (m) => say(m, true));
}

function showHistory(): void {
  const h = state.history;
  const chart = $("#history-chart");
  if (state.info?.mode === "loaded") {
    clearChart(chart, "Training runs on networks built here; a loaded model is shown as it is.");
    return;
  }
  if (h.length === 0) {
    clearChart(chart);
    return;
  }
  renderChart(chart, historyChartSpec(h), (m) => say(m, true));
}

function boundValue(b: BoundJson): string {
  if (b.value === null) return "–";
  if (b.value.length <= 12) return b.value;
  return b.log10 !== null ? `≈ 10^${b.log10.toFixed(2)}` : b.value.slice(0, 12);
}

function showModel(): void {
  const info = state.info;
  if (!info) return;
  const twoInputs = info.inputSize === 2;
  $("#square-controls").hidden = !twoInputs;
  $("#plane-controls").hidden = twoInputs;
  $("#points-choice").hidden = !state.data?.thumbnails;
  trainButton.disabled = !info.trainable;
  stepButton.disabled = !info.trainable;
  trainButton.title = info.trainable ? "Train / pause (space)" : info.trainNote;
  $("#model-info").innerHTML = [
    `<div><strong>${escapeMarkup(info.name)}</strong></div>`,
    `<div>${info.inputSize} inputs · ${info.outputSize} outputs · ${info.units} piecewise-linear units · ${info.parameters} parameters</div>`,
    ...info.layers.map((l) => `<div>${escapeMarkup(l)}</div>`),
  ].join("");
  const applying = info.bounds.filter((b) => b.applies);
  const other = info.bounds.filter((b) => !b.applies);
  const row = (b: BoundJson): string =>
    `<tr><td>${b.kind}</td><td class="num">${escapeMarkup(boundValue(b))}</td><td title="${escapeMarkup(b.citation)}">${escapeMarkup(b.id)}${b.reason ? `<div class="hint">${escapeMarkup(b.reason)}</div>` : ""}</td></tr>`;
  $("#bounds").innerHTML = [
    `<p>Exact count in this view: <strong id="exact-count">${state.frame?.activationRegions ?? "–"}</strong> regions. Bounds count regions of the whole input space ${info.inputSize === 2 ? "(the plane)" : `(R^${info.inputSize})`}, so the view's count is a lower bound on what they bound. A lower bound says some network of this architecture has at least that many regions; an upper bound, that none has more.</p>`,
    info.boundsNote ? `<p class="hint">${escapeMarkup(info.boundsNote)}</p>` : "",
    `<table><thead><tr><th>kind</th><th>value</th><th>bound</th></tr></thead><tbody>${applying.map(row).join("")}</tbody></table>`,
    other.length ? `<details><summary>${other.length} bounds that do not apply</summary><table><tbody>${other.map(row).join("")}</tbody></table></details>` : "",
  ].join("");
  showThumbnails();
}

function showThumbnails(): void {
  const box = $("#thumbnails");
  box.innerHTML = "";
  const t = state.data?.thumbnails;
  if (!t) return;
  const n = t.labels.length;
  const size = t.width * t.height;
  for (let i = 0; i < n; i++) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.index = String(i);
    button.setAttribute("aria-label", `data point ${i}, digit ${t.labels[i]}`);
    const order = state.selected.indexOf(i);
    button.setAttribute("aria-pressed", String(order >= 0));
    const c = document.createElement("canvas");
    c.width = t.width;
    c.height = t.height;
    const ctx = c.getContext("2d") as CanvasRenderingContext2D;
    const img = ctx.createImageData(t.width, t.height);
    for (let p = 0; p < size; p++) {
      const g = t.pixels[i * size + p];
      img.data.set([g, g, g, 255], 4 * p);
    }
    ctx.putImageData(img, 0, 0);
    button.append(c);
    if (order >= 0) {
      const tag = document.createElement("span");
      tag.textContent = `P${order + 1}`;
      button.append(tag);
    }
    box.append(button);
  }
}

// ---------------------------------------------------------------------------------------------
// Events

form.addEventListener("submit", (event) => {
  event.preventDefault();
  // Enter in a view field submits the form too (implicit submission): apply that field instead.
  const active = document.activeElement;
  if (active instanceof HTMLInputElement && !active.closest("#build-set")) {
    active.dispatchEvent(new Event("change"));
    return;
  }
  try {
    const s = formSettings();
    s.epoch = 0;
    build(s);
  } catch (e) {
    say((e as Error).message, true);
  }
});

trainButton.addEventListener("click", () => setRunning(!state.running));
stepButton.addEventListener("click", step);
cancelButton.addEventListener("click", cancel);

/** The whole-domain form's fields for the chosen kind of domain. */
function showWholeFields(): void {
  const kind = $<HTMLSelectElement>("#whole-kind").value;
  $("#whole-slice-fields").hidden = kind !== "slice";
  $("#whole-polytope-fields").hidden = kind !== "polytope";
  $("#whole-slicefile-fields").hidden = kind !== "slice-file";
  $("#whole-third-fields").hidden = kind !== "view3";
  $("#whole-box-label").hidden = kind === "view" || kind === "view3";
}
$<HTMLSelectElement>("#whole-kind").addEventListener("change", showWholeFields);

/** The name of the file each JSON field was read from (errors name it, as the CLI names its path); typing clears it. */
const wholeFiles: Record<string, string | null> = { "#whole-polytope": null, "#whole-slice-json": null };
for (const [input, field] of [
  ["#whole-polytope-file", "#whole-polytope"],
  ["#whole-slice-file", "#whole-slice-json"],
]) {
  $<HTMLInputElement>(input).addEventListener("change", async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (!file) return;
    $<HTMLTextAreaElement>(field).value = await file.text();
    wholeFiles[field] = file.name;
    say(`read ${file.name} (${file.size} bytes): Count to count its regions`);
  });
  $<HTMLTextAreaElement>(field).addEventListener("input", () => {
    wholeFiles[field] = null;
  });
}

/** The box field as [LO, HI], null when empty (optional for a polytope), or a one-line complaint. */
function wholeBox(): [number, number] | null | string {
  const text = $<HTMLInputElement>("#whole-box").value.trim();
  if (text === "") return null;
  const parts = text.split(",").map((t) => Number(t.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0] < parts[1])) return "box: expected LO,HI with LO < HI (e.g. 0,1)";
  return [parts[0], parts[1]];
}

/** The domain the form asks for, or a one-line complaint. */
function wholeRequest(): WholeDomainRequest | string {
  const kind = $<HTMLSelectElement>("#whole-kind").value;
  if (kind === "view") return { kind: "view" };
  if (kind === "view3") return { kind: "view3", third: $<HTMLInputElement>("#whole-third").value };
  const box = wholeBox();
  if (typeof box === "string") return box;
  if (kind === "polytope") {
    const text = $<HTMLTextAreaElement>("#whole-polytope").value.trim();
    if (text === "") return 'polytope: paste {"A": [[...], ...], "b": [...]} (A x <= b in input space) or choose a file';
    return { kind: "polytope", text, box, file: wholeFiles["#whole-polytope"] };
  }
  if (kind === "slice-file") {
    const text = $<HTMLTextAreaElement>("#whole-slice-json").value.trim();
    if (text === "") return 'slice: paste {"origin": [...], "basis": [[...], ...]} (as tessera count --slice-file) or choose a file';
    return { kind: "slice-file", text, clip: box, file: wholeFiles["#whole-slice-json"] };
  }
  if (kind === "slice") {
    const clip = $<HTMLInputElement>("#whole-clip").checked;
    if (clip && box === null) return "slice: give the box to keep it inside, or untick 'inside the box'";
    return { kind: "slice", points: $<HTMLInputElement>("#whole-points").value, simplex: $<HTMLInputElement>("#whole-simplex").checked, clip: clip ? box : null };
  }
  if (box === null) return "box: expected LO,HI with LO < HI (e.g. 0,1)";
  return { kind: "box", lo: box[0], hi: box[1] };
}

/** Count every region of a whole domain of the loaded model (the whole-domain engine, in the worker). */
$<HTMLFormElement>("#whole-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (state.busy || !state.info) return;
  const request = wholeRequest();
  if (typeof request === "string") {
    say(request, true);
    return;
  }
  const refusal = wholeRefusal(state.info.units);
  if (refusal) {
    say(refusal, true);
    return;
  }
  state.whole = null;
  $("#whole-result").textContent = "counting…";
  state.counting = true;
  setBusy(true);
  const what = { view: "map's plane", view3: "3-D slice from the map's plane", "slice-file": "slice" }[request.kind as string] ?? request.kind;
  say(`counting every region of the ${what}…`);
  send({ type: "whole", domain: request });
});
$<HTMLInputElement>("#model-file").addEventListener("change", (event) => {
  const input = event.target as HTMLInputElement;
  if (input.files) loadFiles(input.files).catch((e) => say((e as Error).message, true));
});

for (const name of ["boundary", "edges", "points"] as const) {
  field<HTMLInputElement>(name).addEventListener("change", (event) => {
    state.settings[name] = (event.target as HTMLInputElement).checked;
    writeUrl();
    redraw();
  });
}

function onSquareChange(): void {
  try {
    const lo = number("lo", "view from");
    const hi = number("hi", "view to");
    if (!(lo < hi)) throw new SettingsError(`view: "from" must be less than "to", got ${lo} and ${hi}`);
    state.settings.view = [lo, hi];
    requestView();
  } catch (e) {
    say((e as Error).message, true);
  }
}
field<HTMLInputElement>("lo").addEventListener("change", onSquareChange);
field<HTMLInputElement>("hi").addEventListener("change", onSquareChange);

function onPlaneChange(): void {
  try {
    const kind = (form.querySelector('input[name="planeKind"]:checked') as HTMLInputElement | null)?.value ?? "random";
    if (kind === "points") {
      if (state.selected.length !== 3) {
        say("choose three data points (click three thumbnails)");
        return;
      }
      state.settings.plane = {
        kind: "points",
        indices: [state.selected[0], state.selected[1], state.selected[2]],
      };
    } else {
      const seed = number("planeSeed", "plane seed");
      const radius = number("planeRadius", "plane radius");
      if (!(radius > 0)) throw new SettingsError("plane radius must be positive");
      state.settings.plane = {
        kind: "random",
        seed: Math.max(0, Math.round(seed)),
        radius,
      };
    }
    state.settings.segment = null;
    requestView();
  } catch (e) {
    say((e as Error).message, true);
  }
}
for (const name of ["planeSeed", "planeRadius"]) field<HTMLInputElement>(name).addEventListener("change", onPlaneChange);
for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="planeKind"]')) radio.addEventListener("change", onPlaneChange);

$("#thumbnails").addEventListener("click", (event) => {
  const button = (event.target as HTMLElement).closest("button");
  if (!button) return;
  const i = Number(button.dataset.index);
  const at = state.selected.indexOf(i);
  if (at >= 0) state.selected.splice(at, 1);
  else {
    state.selected.push(i);
    if (state.selected.length > 3) state.selected.shift();
  }
  showThumbnails();
  if (state.selected.length === 3) {
    for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="planeKind"]')) radio.checked = radio.value === "points";
    onPlaneChange();
  }
});

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-export]")) {
  button.addEventListener("click", () => exportAs(button.dataset.export as ExportKind | "png" | "svg"));
}

$("#share").addEventListener("click", async () => {
  writeUrl();
  const note = state.files ? " (a loaded model file is not part of the link)" : "";
  try {
    await navigator.clipboard.writeText(location.href);
    say(`link copied${note}`);
  } catch {
    say(`copy this link: ${location.href}${note}`);
  }
});

// Segment from the form ("u,v" twice).
function fillSegmentForm(): void {
  const s = state.settings.segment;
  const f = $<HTMLFormElement>("#segment-form");
  (f.elements.namedItem("a") as HTMLInputElement).value = s ? `${fmt(s[0])},${fmt(s[1])}` : "";
  (f.elements.namedItem("b") as HTMLInputElement).value = s ? `${fmt(s[2])},${fmt(s[3])}` : "";
}

function setSegment(seg: [number, number, number, number] | null): void {
  if (seg && seg[0] === seg[2] && seg[1] === seg[3]) return;
  state.settings.segment = seg;
  fillSegmentForm();
  requestView();
}

$<HTMLFormElement>("#segment-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const f = event.target as HTMLFormElement;
  const point = (name: string): [number, number] => {
    const text = (f.elements.namedItem(name) as HTMLInputElement).value;
    const parts = text.split(",").map((p) => Number(p.trim()));
    if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p)) || text.trim() === "") throw new SettingsError(`segment ${name.toUpperCase()}: expected "u,v", got "${text}"`);
    return [parts[0], parts[1]];
  };
  try {
    const a = point("a");
    const b = point("b");
    if (a[0] === b[0] && a[1] === b[1]) throw new SettingsError("segment: A and B are the same point");
    setSegment([a[0], a[1], b[0], b[1]]);
  } catch (e) {
    say((e as Error).message, true);
  }
});
$("#segment-clear").addEventListener("click", () => setSegment(null));

// Pointer: hover/tap inspects, drag draws a segment.
let down: { x: number; y: number; id: number } | null = null;
const planeAt = (event: PointerEvent): [number, number] | null => {
  if (!state.transform) return null;
  const r = canvas.getBoundingClientRect();
  return toPlane(state.transform, event.clientX - r.left, event.clientY - r.top);
};

canvas.addEventListener("pointerdown", (event) => {
  down = { x: event.clientX, y: event.clientY, id: event.pointerId };
  canvas.setPointerCapture(event.pointerId);
});
canvas.addEventListener("pointermove", (event) => {
  const p = planeAt(event);
  if (!p) return;
  if (down && Math.hypot(event.clientX - down.x, event.clientY - down.y) > 6) {
    const r = canvas.getBoundingClientRect();
    const a = toPlane(state.transform as Transform, down.x - r.left, down.y - r.top);
    state.dragging = [a[0], a[1], p[0], p[1]];
  }
  state.cursor = p;
  showCell();
  redraw();
});
canvas.addEventListener("pointerup", (event) => {
  const p = planeAt(event);
  if (state.dragging) {
    const seg = state.dragging;
    state.dragging = null;
    setSegment(seg);
  } else if (p) {
    state.cursor = p;
    showCell();
    redraw();
  }
  down = null;
});
canvas.addEventListener("pointercancel", () => {
  down = null;
  state.dragging = null;
  redraw();
});

canvas.addEventListener("keydown", (event) => {
  const f = state.frame;
  if (!f) return;
  // A key pressed between a frame's arrival and its first paint still has a map to move on.
  if (!state.transform) redraw();
  if (!state.transform) return;
  const t = state.transform;
  const span = t.width / t.scale;
  const stepSize = (event.shiftKey ? 0.05 : 0.01) * span;
  const cur: [number, number] = state.cursor ?? [t.uMin + span / 2, t.vMax - t.height / t.scale / 2];
  const moves: Record<string, [number, number]> = {
    ArrowLeft: [-1, 0],
    ArrowRight: [1, 0],
    ArrowUp: [0, 1],
    ArrowDown: [0, -1],
  };
  const move = moves[event.key];
  if (move) {
    event.preventDefault();
    state.cursor = [cur[0] + move[0] * stepSize, cur[1] + move[1] * stepSize];
    showCell();
    redraw();
  } else if (event.key === "a" || event.key === "A") {
    state.pendingA = cur;
    state.cursor = cur;
    say(`segment A set at (${fmt(cur[0])}, ${fmt(cur[1])}); move and press B`);
  } else if (event.key === "b" || event.key === "B") {
    const a = state.pendingA ?? (state.settings.segment ? [state.settings.segment[0], state.settings.segment[1]] : null);
    if (!a) say("press A first to set the segment's start");
    else setSegment([a[0], a[1], cur[0], cur[1]]);
  } else if (event.key === "Escape") {
    state.pendingA = null;
    setSegment(null);
  }
});

// Space trains or pauses, "." steps, unless typing in a field.
document.addEventListener("keydown", (event) => {
  const target = event.target as HTMLElement;
  if (target.closest("input, select, textarea, button")) return;
  if (event.key === " ") {
    event.preventDefault();
    setRunning(!state.running);
  } else if (event.key === ".") step();
});

new ResizeObserver(() => redraw()).observe(canvas);

window.addEventListener("hashchange", () => {
  if (settingsFragment(state.settings) === location.hash.slice(1)) return;
  start();
});

/** For the browser tests and the curious: a read-only view of the page's state. */
(window as unknown as { tesseraExplorer: unknown }).tesseraExplorer = {
  state: () => ({
    regions: state.frame?.activationRegions ?? null,
    whole: state.whole,
    pieces: state.frame?.linearPieces ?? null,
    epoch: state.frame?.epoch ?? null,
    cells: state.frame?.cellCount ?? null,
    running: state.running,
    busy: state.busy,
    drawn: state.frame !== null && state.drawnFrame === state.frame.id,
    fps: fps(),
    framesWhileRunning: state.framesWhileRunning,
    partitionMs: state.frame?.partitionMs ?? null,
    segmentPieces: state.frame?.segment?.pieces ?? null,
    segmentEnds: state.frame?.segment ? Array.from(state.frame.segment.ends) : null,
    plane: state.frame
      ? {
          origin: Array.from(state.frame.origin),
          e1: Array.from(state.frame.e1),
          e2: Array.from(state.frame.e2),
          domain: Array.from(state.frame.domain),
        }
      : null,
    view: viewOfFrame(),
    info: state.info
      ? {
          name: state.info.name,
          inputSize: state.info.inputSize,
          mode: state.info.mode,
        }
      : null,
    fragment: settingsFragment(state.settings),
  }),
};

function start(): void {
  let settings: Settings;
  try {
    settings = parseSettings(location.hash);
  } catch (e) {
    say(`${(e as Error).message}; using the defaults`, true);
    settings = structuredClone(DEFAULTS) as Settings;
  }
  fillForm(settings);
  build(settings);
}

startWorker();
start();
