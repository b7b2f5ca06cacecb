/**
 * The explorer in a real browser: playwright-core drives Debian's Chromium (/usr/bin/chromium,
 * `apt-get install chromium`; .ci/run installs it). The app is built with Vite if needed and
 * served by the same static server as `tessera serve`, on 127.0.0.1.
 *
 * It trains a few epochs and checks that the count on the page equals `tessera count`'s for the
 * exported model, draws a segment with the mouse and checks its pieces against `tessera count
 * --line`, loads an ONNX file and checks the plane's count against `tessera count --plane`,
 * lays a plane through three MNIST thumbnails, counts every region of [0,1]^784 of a loaded model
 * (the whole-domain engine: equal to `tessera count --box 0,1`), of the map's plane (equal to the
 * map's count) and of the simplex of four thumbnails (equal to the space engine's; cancelled; the size guard is
 * tested in whole-count.test.ts), exports SVG/PNG/JSON, and measures the frame rate
 * of a 2-16-16-16-2 network while training (reported, never asserted). Screenshots for a person
 * to look at go to out/screenshots/ (git-ignored).
 *
 * Without Chromium every test here is skipped, and the skip says so.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { slice } from "../../src/domain/domain.ts";
import { clipRows } from "../../src/domain/slice-clip.ts";
import { loadLp } from "../../src/geometry/lp.ts";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { partition } from "../../src/regions/partition-domain.ts";
import { APP_DIR, buildApp, explorerMounts, PROJECT_ROOT, staleReason } from "../../src/web/server/build-app.ts";
import { serveStatic } from "../../src/web/server/static-server.ts";
import { tessera } from "../cli/cli-harness.ts";

const CHROMIUM = process.env.TESSERA_CHROMIUM ?? "/usr/bin/chromium";
const found = existsSync(CHROMIUM);
const skip = found ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium): browser tests SKIPPED`;
if (!found) process.stdout.write(`# test/web/explorer.test.ts: ${skip}\n`);

const SHOTS = join(PROJECT_ROOT, "out", "screenshots");
let browser: Browser;
let base = "";
let stop: () => Promise<void> = async () => {};
let work = "";

interface ExplorerState {
  regions: number | null;
  whole: { regions: number; pieces: number; facets: number; uncertain: number; complete: boolean; inputSize: number; dimension: number; describe: string } | null;
  pieces: number | null;
  epoch: number | null;
  running: boolean;
  busy: boolean;
  drawn: boolean;
  fps: number;
  framesWhileRunning: number;
  partitionMs: number | null;
  segmentPieces: number | null;
  segmentEnds: number[] | null;
  view: [number, number] | null;
  plane: {
    origin: number[];
    e1: number[];
    e2: number[];
    domain: number[];
  } | null;
  info: { name: string; inputSize: number; mode: string } | null;
  fragment: string;
}

const explorer = (page: Page): Promise<ExplorerState> => page.evaluate(() => (window as unknown as { tesseraExplorer: { state(): ExplorerState } }).tesseraExplorer.state());

/**
 * Wait until the page has a frame, is idle (no request outstanding) and has painted that frame:
 * the worker's "idle" can arrive before the browser's next animation frame draws the map.
 */
async function settled(page: Page, test: (s: ExplorerState) => boolean = () => true, timeout = 60_000): Promise<ExplorerState> {
  const t0 = Date.now();
  for (;;) {
    const s = await explorer(page);
    if (await page.locator("#status.error").count()) throw new Error(`the page reports an error: ${await page.textContent("#status")}`);
    if (s.regions !== null && s.drawn && !s.busy && !s.running && test(s)) return s;
    if (Date.now() - t0 > timeout) throw new Error(`page did not settle: ${JSON.stringify(s)}; status: ${await page.textContent("#status")}`);
    await page.waitForTimeout(100);
  }
}

async function download(page: Page, selector: string): Promise<Buffer> {
  return (await downloadNamed(page, selector)).bytes;
}

async function downloadNamed(page: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const path = await file.path();
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

async function countJson(args: string[]): Promise<{ activationRegions: number; linearPieces: number; cells: number }> {
  const r = await tessera(["count", ...args, "--json"], work);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function newPage(width = 1400, height = 900): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width, height },
    acceptDownloads: true,
  });
  page.on("pageerror", (e) => {
    throw new Error(`page error: ${e.message}`);
  });
  return page;
}

before(async () => {
  if (!found) return;
  mkdirSync(SHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "tessera-web-"));
  const reason = staleReason();
  if (reason) {
    process.stdout.write(`# building the explorer (${reason})\n`);
    await buildApp();
  }
  const served = await serveStatic(APP_DIR, { port: 0, mounts: explorerMounts() });
  base = served.url;
  stop = () => new Promise((done) => served.server.close(() => done()));
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  if (!found) return;
  await browser?.close();
  await stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("train a few steps: the count shown equals tessera count for the same model; a segment equals count --line", {
  skip,
  timeout: 120_000,
}, async () => {
  const page = await newPage();
  await page.goto(`${base}#hidden=8,8&seed=3&n=200`);
  const first = await settled(page);
  assert.equal(first.epoch, 0);
  for (let i = 0; i < 3; i++) {
    await page.click("#step");
    await settled(page, (s) => s.epoch === i + 1);
  }
  const s = await settled(page);
  assert.equal(s.epoch, 3);
  assert.match(s.fragment, /epoch=3/);
  assert.equal(await page.textContent("#regions"), String(s.regions));
  const model = await download(page, '[data-export="model"]');
  const modelPath = join(work, "trained.json");
  writeFileSync(modelPath, model);
  const view = s.view as [number, number];
  const cli = await countJson([modelPath, "--box", `${view[0]},${view[1]}`]);
  assert.equal(s.regions, cli.activationRegions, "regions on the page vs tessera count");
  assert.equal(s.pieces, cli.linearPieces, "linear pieces on the page vs tessera count");

  // Draw a segment with the mouse across the map.
  const box = await page.locator("#map").boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width * 0.15, box.y + box.height * 0.3);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, {
    steps: 5,
  });
  await page.mouse.move(box.x + box.width * 0.85, box.y + box.height * 0.7, {
    steps: 5,
  });
  await page.mouse.up();
  const withSegment = await settled(page, (x) => x.segmentPieces !== null);
  const [u1, v1, u2, v2] = withSegment.segmentEnds as number[];
  const line = await countJson([modelPath, "--line", `${u1},${v1};${u2},${v2}`]);
  assert.equal(withSegment.segmentPieces, line.cells, "pieces along the segment vs tessera count --line");
  assert.equal(Number(await page.textContent("#segment-pieces")), line.cells);
  assert.ok((await page.locator("#segment-chart svg path").count()) >= 2, "outputs plotted along the segment");
  // The chart's legend sits beside the plot, never over the curves.
  const overlap = await page.evaluate(() => {
    const chart = document.querySelector("#segment-chart svg") as SVGSVGElement;
    const legend = chart.querySelector(".role-legend")?.getBoundingClientRect();
    const lines = chart.querySelector(".mark-line")?.getBoundingClientRect();
    if (!legend || !lines) return "no legend or no lines";
    const disjoint = legend.bottom <= lines.top || legend.top >= lines.bottom || legend.right <= lines.left || legend.left >= lines.right;
    return disjoint ? "" : `legend ${JSON.stringify(legend)} over lines ${JSON.stringify(lines)}`;
  });
  assert.equal(overlap, "", "legend and curves do not overlap");
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.45);
  assert.match((await page.textContent("#cell-info")) ?? "", /pattern [01|]+/);
  await page.screenshot({ path: join(SHOTS, "explorer-segment.png") });
  await page.locator(".map-area").screenshot({ path: join(SHOTS, "explorer-map.png") });

  // Exports: SVG map, PNG map (the same drawing, with axes and ticks, and the same file stem), partition JSON.
  const svgFile = await downloadNamed(page, '[data-export="svg"]');
  const svg = svgFile.bytes.toString("utf8");
  assert.match(svg, /^<svg/);
  assert.match(svg, /class="ticks"/);
  assert.match(svg, />x0<\/text>/);
  const pngFile = await downloadNamed(page, '[data-export="png"]');
  const png = pngFile.bytes;
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.equal(svgFile.name.replace(/\.svg$/, ""), pngFile.name.replace(/\.png$/, ""), "PNG and SVG exports share a file name");
  const partition = JSON.parse((await download(page, '[data-export="partition"]')).toString("utf8"));
  assert.equal(partition.activationRegions, cli.activationRegions);

  // The URL keeps the settings: reopening it shows the same count.
  const again = await newPage();
  await again.goto(`${base}#${withSegment.fragment}`);
  const shared = await settled(again, (x) => x.segmentPieces !== null);
  assert.equal(shared.regions, s.regions);
  assert.equal(shared.epoch, 3);
  await again.close();
  await page.close();
});

test("keyboard: the map takes focus, arrows inspect cells, A and B set a segment, space trains and pauses", {
  skip,
  timeout: 60_000,
}, async () => {
  const page = await newPage();
  await page.goto(`${base}#hidden=6&n=100`);
  await settled(page);
  await page.focus("#map");
  await page.keyboard.press("ArrowLeft");
  assert.match((await page.textContent("#cell-info")) ?? "", /cell \d+ of \d+/);
  await page.keyboard.press("a");
  for (let i = 0; i < 10; i++) await page.keyboard.press("Shift+ArrowRight");
  await page.keyboard.press("b");
  const s = await settled(page, (x) => x.segmentPieces !== null);
  assert.ok((s.segmentPieces ?? 0) >= 1);
  await page.keyboard.press("Escape");
  await settled(page, (x) => x.segmentPieces === null);
  await page.locator("#map").press(" ");
  await page.waitForTimeout(400);
  await page.locator("#map").press(" ");
  const after = await settled(page);
  assert.ok((after.epoch ?? 0) > 0, "space trained some epochs");
  await page.close();
});

test("load an ONNX file: the plane's count equals tessera count --plane through the same corners", {
  skip,
  timeout: 60_000,
}, async () => {
  const page = await newPage();
  await page.goto(`${base}#hidden=4&n=50&seg=-1,-1,1,1`);
  await settled(page, (x) => x.segmentPieces !== null);
  const map = await page.locator("#map").boundingBox();
  assert.ok(map);
  await page.mouse.move(map.x + map.width * 0.5, map.y + map.height * 0.45);
  assert.match((await page.textContent("#cell-info")) ?? "", /pattern/);
  const onnx = join(PROJECT_ROOT, "test", "fixtures", "onnx", "mlp.onnx");
  await page.mouse.move(0, 0);
  await page.setInputFiles("#model-file", onnx);
  const s = await settled(page, (x) => x.info?.mode === "loaded");
  // The panels forget the previous model: no inspected cell, no segment.
  assert.equal(await page.textContent("#cell-info"), "Point at a cell.");
  assert.equal(s.segmentPieces, null);
  assert.match((await page.textContent("#segment-info")) ?? "", /Drag on the map/);
  assert.equal(s.info?.inputSize, 4);
  assert.equal(await page.isHidden("#square-controls"), true);
  assert.equal(await page.isVisible("#plane-controls"), true);
  assert.equal(await page.isDisabled("#train"), true);
  // The page shows [-r, r]^2 in (u, v); tessera count --plane takes the corners P1, P2, P3.
  const { origin, e1, e2, domain } = s.plane as NonNullable<ExplorerState["plane"]>;
  const at = (u: number, v: number): string => origin.map((o, i) => o + u * e1[i] + v * e2[i]).join(",");
  const [lo, hi] = [domain[0], domain[4]];
  const cli = await countJson([onnx, "--plane", `${at(lo, lo)};${at(hi, lo)};${at(lo, hi)}`]);
  assert.equal(s.regions, cli.activationRegions, "regions of the loaded ONNX model vs tessera count --plane");
  await page.screenshot({ path: join(SHOTS, "explorer-onnx.png") });
  // Another random plane: a new frame.
  await page.fill('input[name="planeSeed"]', "5");
  await page.press('input[name="planeSeed"]', "Enter");
  const other = await settled(page, (x) => x.plane !== null && x.plane.e1[0] !== e1[0]);
  assert.ok((other.regions ?? 0) >= 1);
  await page.close();
});

test("an MNIST-sized model: digits as thumbnails, a plane through three of them", {
  skip,
  timeout: 90_000,
}, async () => {
  const path = join(work, "mnist-mlp.json");
  writeFileSync(path, stringifyNetwork(mlp([784, 12, 10], { init: "he", seed: 2 })));
  const page = await newPage();
  await page.goto(`${base}#hidden=4&n=50`);
  await settled(page);
  await page.setInputFiles("#model-file", path);
  await settled(page, (x) => x.info?.mode === "loaded", 90_000);
  const thumbs = page.locator("#thumbnails button");
  assert.ok((await thumbs.count()) >= 3);
  for (const i of [0, 1, 2]) await thumbs.nth(i).click();
  const s = await settled(page, (x) => x.fragment.includes("plane=points:0,1,2"));
  assert.equal(s.info?.inputSize, 784);
  assert.ok((s.regions ?? 0) >= 1);
  await page.screenshot({ path: join(SHOTS, "explorer-mnist-plane.png") });
  await page.close();
});

test("an MNIST-sized model: every region of [0,1]^784 by the whole-domain engine, as tessera count --box 0,1; an uploaded slice file; Cancel", {
  skip,
  timeout: 180_000,
}, async () => {
  const small = join(work, "mnist-whole.json");
  writeFileSync(small, stringifyNetwork(mlp([784, 5, 4, 10], { init: "uniform", seed: 4 })));
  const page = await newPage();
  await page.goto(`${base}#hidden=4&n=50`);
  await settled(page);
  await page.setInputFiles("#model-file", small);
  await settled(page, (x) => x.info?.mode === "loaded", 90_000);
  await page.click("#whole-count");
  const s = await settled(page, (x) => x.whole !== null, 90_000);
  const cli = await countJson([small, "--box", "0,1", "--workers", "1"]);
  assert.equal(s.whole?.regions, cli.activationRegions, "whole-box regions on the page vs tessera count --box 0,1");
  assert.equal(s.whole?.pieces, cli.linearPieces);
  assert.equal(s.whole?.complete, true);
  assert.equal(s.whole?.uncertain, 0);
  assert.match((await page.textContent("#whole-result")) ?? "", new RegExp(`\\[0,1\\]\\^784: ${cli.activationRegions} activation regions`));
  // The map's plane as a 2-D slice: the whole engine's count is the map's (the plane engine's);
  // a radius of 8 puts several regions in it.
  await page.fill('input[name="planeRadius"]', "8");
  await page.press('input[name="planeRadius"]', "Tab"); // the change, before the next click
  const wide = await settled(page, (x) => (x.regions ?? 0) > 1, 90_000);
  await page.selectOption("#whole-kind", "view");
  await page.click("#whole-count");
  const view = await settled(page, (x) => x.whole?.dimension === 2, 90_000);
  assert.equal(view.whole?.regions, wide.regions, "the map's plane: whole engine vs the map");
  assert.equal(view.regions, wide.regions);
  // The 3-D simplex through four thumbnails inside [0,1]^784 (the form's defaults): the space engine's count.
  await page.selectOption("#whole-kind", "slice");
  await page.click("#whole-count");
  const simplex = await settled(page, (x) => x.whole?.dimension === 3, 90_000);
  const { mnist } = await import("../../src/train/data/mnist.ts");
  const digits = await mnist({ count: 24, seed: 1 });
  const corners = [0, 1, 2, 3].map((i) => digits.x.slice(i * 784, (i + 1) * 784));
  const basis = corners.slice(1).map((p) => p.map((x, i) => x - corners[0][i]));
  const clip = clipRows(corners[0], basis, 0, 1, true);
  const expected = partition(mlp([784, 5, 4, 10], { init: "uniform", seed: 4 }), slice(corners[0], basis, 0, 1, { A: [1, 1, 1, ...clip.A], b: [1, ...clip.b] }), {
    engine: "space",
    lp: await loadLp(),
  });
  assert.equal(simplex.whole?.regions, expected.activationRegions, "the simplex of four digits: whole engine on the page vs the space engine");
  assert.match((await page.textContent("#whole-result")) ?? "", /3-D simplex through #0;#1;#2;#3, inside \[0,1\]\^784: \d+ activation regions/);
  await page.screenshot({ path: join(SHOTS, "explorer-whole.png") });
  // The same four digits as a slice file uploaded (count --slice-file's JSON: their parallelotope),
  // kept inside the box field's [0,1]^784: the count of tessera count --slice-file FILE --clip 0,1.
  const sliceFile = join(work, "digits-slice.json");
  writeFileSync(sliceFile, JSON.stringify({ origin: [...corners[0]], basis: basis.map((d) => [...d]) }));
  await page.selectOption("#whole-kind", "slice-file");
  await page.setInputFiles("#whole-slice-file", sliceFile);
  await page.waitForFunction(() => (document.querySelector<HTMLTextAreaElement>("#whole-slice-json")?.value ?? "").includes("basis"));
  await page.click("#whole-count");
  const uploaded = await settled(page, (x) => x.whole?.describe.includes("digits-slice.json") === true, 90_000);
  const cliSlice = await countJson([small, "--slice-file", sliceFile, "--clip", "0,1", "--workers", "1"]);
  assert.equal(uploaded.whole?.regions, cliSlice.activationRegions, "an uploaded slice file: the page's whole engine vs tessera count --slice-file");
  assert.equal(uploaded.whole?.pieces, cliSlice.linearPieces);
  await page.selectOption("#whole-kind", "box");
  // A long count (two hidden layers, an LP for most regions) is cancelled: the model stays loaded.
  const deep = join(work, "mnist-deep.json");
  writeFileSync(deep, stringifyNetwork(mlp([784, 16, 16, 10], { init: "he", seed: 3 })));
  await page.setInputFiles("#model-file", deep);
  await page.waitForFunction(() => (document.querySelector("#status")?.textContent ?? "").length > 0);
  await settled(page, (x) => x.info?.mode === "loaded" && x.info.name.includes("deep"), 90_000);
  // The whole box (a 3-D slice of this net can finish before Cancel is ever shown).
  await page.click("#whole-count");
  await page.waitForSelector("#cancel:not([hidden])", { timeout: 30_000 });
  await page.click("#cancel");
  const after = await settled(page, (x) => x.info?.mode === "loaded", 90_000);
  assert.equal(after.whole, null);
  // The model is reloaded into a fresh worker after Cancel; its progress ("loading MNIST digits")
  // must not replace the line saying what was cancelled (it did, racing this check).
  await page.waitForTimeout(3000);
  assert.match((await page.textContent("#status")) ?? "", /cancelled/);
  // A bad slice file: the CLI's line about it, after the file's name instead of --slice-file PATH.
  await page.selectOption("#whole-kind", "slice-file");
  const short = join(work, "short-slice.json");
  writeFileSync(short, '{"origin": [1, 2], "basis": [[1, 0]]}');
  await page.setInputFiles("#whole-slice-file", short);
  await page.waitForFunction(() => (document.querySelector<HTMLTextAreaElement>("#whole-slice-json")?.value ?? "").includes("[1, 2]"));
  await page.click("#whole-count");
  await page.waitForSelector("#status.error");
  const line = '"origin" has 2 numbers, the model has 784 inputs';
  assert.equal(await page.textContent("#status"), `short-slice.json: ${line}`);
  const cliLine = await tessera(["count", small, "--slice-file", short], work);
  assert.ok(cliLine.code !== 0 && cliLine.stderr.includes(`--slice-file ${short}: ${line}`), cliLine.stderr);
  await page.close();
});

test("a 2-16-16-16-2 network while training: frame rate measured (reported, not asserted); phone-sized layout", {
  skip,
  timeout: 60_000,
}, async (t) => {
  const page = await newPage();
  await page.goto(`${base}#hidden=16,16,16&n=400`);
  await settled(page);
  await page.click("#train");
  await page.waitForTimeout(5000);
  const during = await explorer(page);
  const statusDuring = (await page.textContent("#status")) ?? "";
  await page.click("#train");
  const done = await settled(page);
  assert.ok(during.framesWhileRunning > 0, "frames were drawn while training");
  assert.match(statusDuring, /activation regions\) in \d+ ms, epoch \d+/, "the status line follows the frames while training");
  assert.match((await page.textContent("#status")) ?? "", new RegExp(`\\(${done.regions} activation regions\\)`), "the status line describes the map shown");
  assert.equal(await page.textContent("#fps"), "", "no frame rate once paused");
  const report = {
    network: "2-16-16-16-2 relu, moons, 400 points, batch 32",
    fps: Number(during.fps.toFixed(1)),
    frames: during.framesWhileRunning,
    epochs: done.epoch,
    regions: done.regions,
    partitionMs: done.partitionMs,
  };
  t.diagnostic(`explorer frame rate while training: ${JSON.stringify(report)}`);
  writeFileSync(join(SHOTS, "frame-rate.json"), `${JSON.stringify(report, null, 2)}\n`);
  await page.screenshot({ path: join(SHOTS, "explorer-desktop.png") });
  await page.close();

  const phone = await newPage(390, 844);
  await phone.goto(`${base}#hidden=16,16,16&n=400&epoch=20`);
  await settled(phone);
  const canvas = await phone.locator("#map").boundingBox();
  assert.ok(canvas && canvas.width <= 390 && canvas.width > 300, "the map fits a phone's width");
  const scrollWidth = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 390, `no sideways scrolling (page is ${scrollWidth}px wide)`);
  await phone.screenshot({ path: join(SHOTS, "explorer-phone.png") });
  await phone.close();
});
