/**
 * One budget for a count split among threads: `--max-cells` bounds the cells of all shares
 * together, `--timeout` the whole count, and the first share a limit stops stops the others at
 * their next check. The threads share a few counters in shared memory (`SharedControl`): cells
 * finished by all shares, why the count stopped, and the next chunk of top pieces to claim
 * (parallel/plane.ts). The calling thread reads the cells for the progress line.
 */
import { Budget, type LimitOptions, LimitReached, type StopReason } from "../regions/limits.ts";

const NEXT_CHUNK = 0;
const CELLS = 1;
const STOP = 2;
const SLOTS = 3;

const REASONS: StopReason[] = ["max-cells", "timeout", "aborted"];

/** The counters the threads of one count share. */
export type SharedControl = Int32Array;

export function sharedControl(): SharedControl {
  return new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
}

/** Claim chunk c of top pieces: true for exactly one of the threads that ask (they ask in ascending order). */
export function claimChunk(control: SharedControl, chunk: number): boolean {
  return Atomics.compareExchange(control, NEXT_CHUNK, chunk, chunk + 1) === chunk;
}

/** The next chunk for the calling thread to take (0, 1, 2, ... across all threads: each once). */
export function takeChunk(control: SharedControl): number {
  return Atomics.add(control, NEXT_CHUNK, 1);
}

/** Cells finished so far by all shares. */
export function sharedCells(control: SharedControl): number {
  return Atomics.load(control, CELLS);
}

/** Why the count stopped, or undefined. */
export function sharedStop(control: SharedControl): StopReason | undefined {
  const code = Atomics.load(control, STOP);
  return code === 0 ? undefined : REASONS[code - 1];
}

/** Stop every share at its next check (a cancellation, or a limit seen by the calling thread). */
export function stopShares(control: SharedControl, reason: StopReason): void {
  Atomics.compareExchange(control, STOP, 0, REASONS.indexOf(reason) + 1);
}

/** The limits a share's budget is made from (times are the whole count's). */
export interface SharedLimits {
  maxCells?: number;
  /** Seconds left for the whole count when the task was sent... */
  timeout?: number;
  /** ...and when that was, in milliseconds since the epoch (a thread's clock starts elsewhere). */
  sentAt?: number;
}

/** The limits a share's budget is made from, or null when the count has none (shares then count nothing). */
export function sharedLimits(limits: Pick<LimitOptions, "maxCells" | "timeout" | "signal" | "onProgress"> | undefined): SharedLimits | null {
  if (!limits || (limits.maxCells === undefined && limits.timeout === undefined && limits.signal === undefined && limits.onProgress === undefined)) return null;
  return {
    ...(limits.maxCells !== undefined ? { maxCells: limits.maxCells } : {}),
    ...(limits.timeout !== undefined ? { timeout: limits.timeout, sentAt: Date.now() } : {}),
  };
}

/**
 * While the shares run, on the calling thread: progress from the shared cell counter, and a
 * cancellation passed on to every share. Returns the function that stops watching.
 */
export function watchControl(control: SharedControl, limits: Pick<LimitOptions, "signal" | "onProgress" | "progressEvery">): () => void {
  const start = performance.now();
  const { onProgress, signal } = limits;
  const onAbort = () => stopShares(control, "aborted");
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort);
  const timer = onProgress
    ? setInterval(() => onProgress({ cells: sharedCells(control), seconds: (performance.now() - start) / 1000 }), 1000 * (limits.progressEvery ?? 0.1))
    : null;
  return () => {
    signal?.removeEventListener("abort", onAbort);
    if (timer) clearInterval(timer);
  };
}

/** A share's budget: the count's limits over all shares (see the top of this file). */
export class SharedBudget extends Budget {
  private readonly maxShared: number;

  constructor(
    private readonly control: SharedControl,
    limits: SharedLimits,
    /** On the calling thread, which is busy with its share: progress of all shares, and the signal. */
    local: Pick<LimitOptions, "onProgress" | "progressEvery" | "signal"> = {},
  ) {
    const spent = limits.sentAt === undefined ? 0 : Math.max(0, (Date.now() - limits.sentAt) / 1000);
    const { onProgress, progressEvery, signal } = local;
    super({
      ...(limits.timeout === undefined ? {} : { timeout: Math.max(0, limits.timeout - spent) }),
      ...(onProgress ? { onProgress: ({ seconds }) => onProgress({ cells: sharedCells(control), seconds }), progressEvery } : {}),
      ...(signal ? { signal } : {}),
    });
    this.maxShared = limits.maxCells ?? Number.POSITIVE_INFINITY;
  }

  override tick(): void {
    // The checks first (time, another share's stop): a cell they refuse is not counted either.
    super.tick();
    // The cell that would pass the limit is not kept (as on one thread): the shares keep maxCells in all.
    if (Atomics.add(this.control, CELLS, 1) >= this.maxShared) {
      Atomics.sub(this.control, CELLS, 1);
      this.halt("max-cells", `stopped at the cell limit (${this.maxShared} cells)`);
    }
  }

  override check(): void {
    const other = sharedStop(this.control);
    if (other !== undefined) this.halt(other, "stopped: another share hit a limit");
    try {
      super.check();
    } catch (e) {
      if (e instanceof LimitReached) stopShares(this.control, e.reason);
      throw e;
    }
  }

  private halt(reason: StopReason, message: string): never {
    stopShares(this.control, reason);
    this.stopped ??= new LimitReached(reason, message);
    throw this.stopped;
  }
}
