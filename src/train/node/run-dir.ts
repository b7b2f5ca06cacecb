/**
 * A training run on disk (Node only). Layout of RUN_DIR:
 *
 *   config.json              what was asked (data spec, model, optimiser, epochs, tracking)
 *   metrics.jsonl            one TrackRecord per tracked epoch, in epoch order
 *   checkpoints/epoch-NNNN.json   the model at each tracked epoch (tessera.network format)
 *   regions/epoch-NNNN.json  region snapshot at each tracked epoch (plane cells with pattern
 *                            hashes, per-line and per-plane counts, boundary distances)
 *   state.json               the commit point: last finished epoch, model, optimiser state, and
 *                            how many lines of metrics.jsonl belong to the run so far
 *   model.json               the final model
 *   .tessera-lock            while a trainer writes the run: its process id, host, boot and start time (see lockRun)
 *
 * Every file is written atomically (temp file + rename). After an epoch, files are written in
 * this order: snapshot, checkpoint, metrics.jsonl (whole file), then state.json. A kill at any
 * moment leaves state.json describing a consistent past: on --resume the trainer restarts from
 * state.json and metrics.jsonl is cut back to state.metricsLines, so a line written after the
 * last commit is dropped and then written again by the (deterministic) replayed epoch. No line
 * is lost and none is duplicated.
 */
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { InputError, systemReason, writeFileAtomic } from "../../io/files.ts";
import { networkFromJson, networkToJson } from "../../io/network-json.ts";
import type { Network } from "../../model/layers.ts";
import { patternHash } from "../../model/pattern.ts";
import type { TrackDetail, TrackRecord } from "../track.ts";
import type { TrainerState } from "../trainer.ts";

export interface RunState {
  format: "tessera.run-state";
  version: 1;
  epoch: number;
  metricsLines: number;
  trainer: TrainerState;
  model: unknown;
}

/** The run folder's layout is tessera's own: its folders are created as needed. */
const RUN_FILE = { createFolders: true };

export const epochName = (epoch: number): string => `epoch-${String(epoch).padStart(4, "0")}.json`;

export function runPaths(dir: string) {
  return {
    config: join(dir, "config.json"),
    metrics: join(dir, "metrics.jsonl"),
    state: join(dir, "state.json"),
    model: join(dir, "model.json"),
    checkpoint: (epoch: number) => join(dir, "checkpoints", epochName(epoch)),
    snapshot: (epoch: number) => join(dir, "regions", epochName(epoch)),
  };
}

export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: ${what} is not valid JSON (${(e as Error).message})`);
  }
}

/** The metrics lines of a run (only complete, parseable lines). */
export function readMetrics(dir: string): TrackRecord[] {
  const path = runPaths(dir).metrics;
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as TrackRecord;
      } catch {
        throw new InputError(`${path}:${i + 1}: not a JSON line`);
      }
    });
}

export function readState(dir: string): RunState | null {
  const path = runPaths(dir).state;
  if (!existsSync(path)) return null;
  const state = readJson(path, "run state") as RunState;
  if (state?.format !== "tessera.run-state" || state.version !== 1) throw new InputError(`${path}: not a tessera run state (version 1)`);
  return state;
}

export function stateModel(state: RunState, dir: string): Network {
  try {
    return networkFromJson(state.model);
  } catch (e) {
    throw new InputError(`${runPaths(dir).state}: bad model (${(e as Error).message})`);
  }
}

/** The lock file of a run folder: one trainer writes a run at a time. */
export const LOCK_FILE = ".tessera-lock";

/**
 * What identifies a process beyond its id, which the system reuses: the boot it runs in and its
 * start time in clock ticks since that boot (Linux: /proc/sys/kernel/random/boot_id and field 22
 * of /proc/PID/stat). Null where /proc does not tell (then the process id alone decides).
 */
export function processIdentity(pid: number): { boot: string; start: string } | null {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const start = fields[22 - 3];
    return boot !== "" && start !== undefined && /^\d+$/.test(start) ? { boot, start } : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else; ESRCH: no such process.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Take the run folder's lock (creating the folder), or fail with one line when another live
 * trainer holds it. A lock left by a killed trainer (its process is gone, on this machine) is
 * taken over. Returns the release function: call it when the run stops, however it stops.
 */
export function lockRun(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`${dir}: cannot create the run folder (${systemReason(e)})`);
  }
  const self = processIdentity(process.pid);
  const mine = `${JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), ...(self ? { boot: self.boot, processStart: self.start } : {}) })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, mine, { flag: "wx" });
      return () => {
        try {
          if (readFileSync(path, "utf8") === mine) unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new InputError(`${path}: cannot create the run's lock (${systemReason(e)})`);
    }
    let holder: { pid?: unknown; host?: unknown; boot?: unknown; processStart?: unknown } = {};
    try {
      holder = JSON.parse(readFileSync(path, "utf8"));
    } catch {
      // Unreadable or half-written: treat as stale (a live trainer writes it whole in one call).
    }
    const pid = typeof holder.pid === "number" ? holder.pid : null;
    const here = holder.host === hostname();
    if (pid !== null && (!here || holderAlive(pid, holder))) {
      const who = here ? `process ${pid}` : `process ${pid} on ${String(holder.host)}`;
      throw new InputError(`${dir}: another trainer (${who}) is writing this run; wait for it to finish (if it is gone, delete ${path})`);
    }
    try {
      unlinkSync(path);
    } catch {
      // Another trainer took it over first: the next attempt sees its lock.
    }
  }
  throw new InputError(`${path}: the run's lock keeps changing; is another trainer starting?`);
}

/**
 * Whether the lock's process still runs on this machine: its id is alive and, when the lock
 * recorded the process's boot and start time, the process with that id now is the same one (a
 * killed trainer's id, reused by another process or after a reboot, does not keep the lock).
 */
function holderAlive(pid: number, holder: { boot?: unknown; processStart?: unknown }): boolean {
  if (!processAlive(pid)) return false;
  if (typeof holder.boot !== "string" || typeof holder.processStart !== "string") return true;
  const now = processIdentity(pid);
  if (now === null) return process.platform !== "linux" || holder.boot === readBootId();
  return now.boot === holder.boot && now.start === holder.processStart;
}

function readBootId(): string | null {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return null;
  }
}

/** Writes of one run, in the commit order described above. */
export class RunWriter {
  private lines: string[];
  constructor(
    readonly dir: string,
    existing: string[],
  ) {
    this.lines = existing;
  }

  /** Open a run directory for resuming: cut metrics back to the committed lines. */
  static resume(dir: string, committedLines: number): RunWriter {
    const path = runPaths(dir).metrics;
    const all = existsSync(path)
      ? readFileSync(path, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
      : [];
    if (all.length < committedLines) throw new InputError(`${path}: has ${all.length} lines, the run state expects ${committedLines}`);
    const kept = all.slice(0, committedLines);
    const writer = new RunWriter(dir, kept);
    if (all.length !== kept.length) writeFileAtomic(path, writer.metricsText(), RUN_FILE);
    return writer;
  }

  get metricsLines(): number {
    return this.lines.length;
  }

  private metricsText(): string {
    return this.lines.length ? `${this.lines.join("\n")}\n` : "";
  }

  writeConfig(config: unknown): void {
    writeFileAtomic(runPaths(this.dir).config, `${JSON.stringify(config, null, 2)}\n`, RUN_FILE);
  }

  /** Snapshot, checkpoint and metrics line of a tracked epoch (not yet committed). */
  writeTracked(network: Network, record: TrackRecord, detail: TrackDetail): void {
    const paths = runPaths(this.dir);
    writeFileAtomic(paths.snapshot(record.epoch), `${JSON.stringify(snapshotJson(record.epoch, detail))}\n`, RUN_FILE);
    writeFileAtomic(paths.checkpoint(record.epoch), `${JSON.stringify(networkToJson(network))}\n`, RUN_FILE);
    this.lines.push(JSON.stringify(record));
    writeFileAtomic(paths.metrics, this.metricsText(), RUN_FILE);
  }

  /** The commit: everything up to `epoch` is now part of the run. */
  commit(epoch: number, network: Network, trainer: TrainerState): void {
    const state: RunState = {
      format: "tessera.run-state",
      version: 1,
      epoch,
      metricsLines: this.lines.length,
      trainer,
      model: networkToJson(network),
    };
    writeFileAtomic(runPaths(this.dir).state, `${JSON.stringify(state)}\n`, RUN_FILE);
  }

  writeFinalModel(network: Network): void {
    writeFileAtomic(runPaths(this.dir).model, `${JSON.stringify(networkToJson(network))}\n`, RUN_FILE);
  }
}

/** A region snapshot: plane cells (polygons, pattern hashes, areas) and the per-item counts. */
export function snapshotJson(epoch: number, detail: TrackDetail): Record<string, unknown> {
  const p = detail.plane;
  const round = (x: number): number => Math.round(x * 1e9) / 1e9;
  const plane = p && {
    activationRegions: p.activationRegions,
    linearPieces: p.linearPieces,
    domain: Array.from(p.domain),
    cellStart: Array.from(p.cellStart),
    vertices: Array.from(p.vertices, round),
    areas: Array.from(p.areas, round),
    patternHashes: Array.from({ length: p.cellCount }, (_, i) => patternHash(p.patterns, i * p.layout.words, p.layout.words)),
    pieceOf: Array.from(p.pieceOf),
  };
  return {
    format: "tessera.region-snapshot",
    version: 1,
    epoch,
    plane,
    lineRegions: detail.lineRegions,
    lineLengths: detail.lineLengths,
    planeRegions: detail.planeRegions,
    distances: detail.distances,
  };
}
