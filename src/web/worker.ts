/**
 * The engine worker: runs a Session (session.ts) off the page's thread, so the page stays
 * responsive while regions are computed. Training runs one epoch per frame and waits for the
 * page to acknowledge each frame before computing the next (back-pressure: the page is never
 * flooded, and the frame rate it shows is the rate at which maps are really drawn). Messages are
 * handled between frames, so pause is immediate; a long single computation is cancelled by the
 * page terminating this worker and starting a new one.
 */
/// <reference lib="webworker" />
import { FormatError } from "../io/network-json.ts";
import { TrainingError } from "../train/trainable.ts";
import type { ExportKind, Reply, Request } from "./protocol.ts";
import { Session } from "./session.ts";
import { SettingsError } from "./settings.ts";
import { PlaneError } from "./view-plane.ts";
import { wholeCount, wholeDomain } from "./whole-count.ts";

const scope = self as unknown as DedicatedWorkerGlobalScope;
const session = new Session();
let running = false;
/** Id of the frame the page has not yet acknowledged (0: none outstanding). */
let awaiting = 0;

const post = (reply: Reply): void => scope.postMessage(reply);

/** One line for the user: known error kinds as they are, anything else as an internal error. */
function describe(e: unknown): string {
  if (e instanceof FormatError || e instanceof TrainingError || e instanceof SettingsError || e instanceof PlaneError) return e.message;
  const message = e instanceof Error ? e.message : String(e);
  return message.split("\n")[0];
}

function sendFrame(trainMs = 0): void {
  const frame = session.frame(trainMs);
  awaiting = frame.id;
  post({ type: "frame", frame });
}

/** The training loop: an epoch and a frame, then wait for the page's acknowledgement. */
function tick(): void {
  if (!running || awaiting !== 0) return;
  try {
    const ms = session.trainEpoch();
    sendFrame(ms);
  } catch (e) {
    running = false;
    post({ type: "error", message: describe(e) });
    post({ type: "idle", running: false });
  }
}

function exportFile(what: ExportKind): void {
  const file = session.exportFile(what);
  post({ type: "export", ...file });
}

async function handle(request: Request): Promise<void> {
  switch (request.type) {
    case "build": {
      running = false;
      const { info, data } = session.build(request.settings, (text) => post({ type: "progress", text }));
      post({ type: "model", info, data });
      sendFrame();
      post({ type: "idle", running: false });
      return;
    }
    case "load": {
      running = false;
      const { info, data } = await session.load(request.files, request.settings, (text) => post({ type: "progress", text }));
      post({ type: "model", info, data });
      if (request.partition) sendFrame();
      post({ type: "idle", running: false });
      return;
    }
    case "view":
      session.setView(request.settings);
      if (!running) sendFrame();
      return;
    case "run":
      running = request.on && session.trainer !== null;
      post({ type: "idle", running });
      if (running) setTimeout(tick, 0);
      else if (session.mode === "built" && session.network) post({ type: "model", info: session.info(), data: null });
      return;
    case "step":
      running = false;
      sendFrame(session.trainEpoch());
      post({ type: "model", info: session.info(), data: null });
      post({ type: "idle", running: false });
      return;
    case "drawn":
      if (request.id === awaiting) awaiting = 0;
      if (running) setTimeout(tick, 0);
      return;
    case "whole": {
      if (!session.network) throw new Error("no model yet");
      const { domain, describe } = wholeDomain(request.domain, session.network.inputSize, session.data, session.plane);
      const result = wholeCount(session.network, domain, describe, (text) => post({ type: "progress", text }));
      post({ type: "whole", result });
      return;
    }
    case "export":
      // Drawing options (boundary, edges, points) only: the partition is the last frame's.
      session.settings = request.settings;
      exportFile(request.what);
      return;
  }
}

/**
 * Requests are handled in the order they came: a load reads its files asynchronously, and a
 * request sent right after it (a whole-domain count just after Cancel, which reloads the model
 * into a fresh worker) must find the model loaded, not "no model yet".
 */
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (event: MessageEvent<Request>) => {
  queue = queue.then(() =>
    handle(event.data).catch((e) => {
      running = false;
      post({ type: "error", message: describe(e) });
      post({ type: "idle", running: false });
    }),
  );
};
