/**
 * Limits and progress of long work: a cell budget, a time limit, cancellation and a progress
 * callback, shared by every engine through one small object. Engines call `tick()` once per
 * finished cell (and `poll()` in loops that finish none); the budget reads the clock only every so
 * many calls, so the check costs a counter increment in the engines' hot paths.
 *
 * When a limit is hit, `tick()` throws `LimitReached`; the engine catches it at its top, stops,
 * and returns the cells found so far, marked `stopped` (see `Partition.stopped`). A budget can be
 * shared by several partitions (a metric that runs many): cells and time add up across them.
 */

/** Why work stopped early. */
export type StopReason = "max-cells" | "timeout" | "aborted";

/** What a progress callback receives. */
export interface Progress {
  /** Cells finished so far (over every partition sharing the budget). */
  cells: number;
  /** Seconds since the budget was made. */
  seconds: number;
}

/** Limits of one run: every field optional. */
export interface LimitOptions {
  /** Stop after this many cells. */
  maxCells?: number;
  /** Stop after this many seconds. */
  timeout?: number;
  /** Stop when this signal aborts (seen at the next check). */
  signal?: AbortSignal;
  /** Called about every `progressEvery` seconds while work runs (default 0.1 s). */
  onProgress?: (progress: Progress) => void;
  /** Seconds between progress calls (default 0.1). */
  progressEvery?: number;
}

/** Thrown inside an engine when a limit is hit (engines catch it and return what they have). */
export class LimitReached extends Error {
  override name = "LimitReached";
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(message);
  }
}

/** Wall-clock seconds, where both Node and browsers have them. */
const now = (): number => performance.now() / 1000;

/** A cell budget, a deadline, an abort signal and a progress callback, checked cheaply. */
export class Budget {
  /** Cells finished so far. */
  cells = 0;
  /** Set once a limit has been hit (later checks throw again at once). */
  stopped: LimitReached | null = null;
  private readonly start = now();
  private readonly maxCells: number;
  private readonly deadline: number;
  private readonly signal: AbortSignal | undefined;
  private readonly onProgress: ((progress: Progress) => void) | undefined;
  private readonly progressEvery: number;
  private lastProgress: number;
  /** Calls between clock readings, adapted so the clock is read about every 10 ms. */
  private stride = 1;
  private countdown = 1;
  private lastClock: number;

  constructor(options: LimitOptions = {}) {
    if (options.maxCells !== undefined && !(options.maxCells >= 0)) throw new RangeError(`maxCells must be a non-negative number, got ${options.maxCells}`);
    if (options.timeout !== undefined && !(options.timeout >= 0)) throw new RangeError(`timeout must be a non-negative number of seconds, got ${options.timeout}`);
    this.maxCells = options.maxCells ?? Number.POSITIVE_INFINITY;
    this.deadline = this.start + (options.timeout ?? Number.POSITIVE_INFINITY);
    this.signal = options.signal;
    this.onProgress = options.onProgress;
    this.progressEvery = options.progressEvery ?? 0.1;
    this.lastProgress = this.start;
    this.lastClock = this.start;
  }

  /** True when the budget checks nothing (no limit, no signal, no callback). */
  get unlimited(): boolean {
    return this.maxCells === Number.POSITIVE_INFINITY && this.deadline === Number.POSITIVE_INFINITY && !this.signal && !this.onProgress;
  }

  /** Whether a limit or a signal can cut the walk short (progress alone never does). */
  get canStop(): boolean {
    return this.maxCells !== Number.POSITIVE_INFINITY || this.deadline !== Number.POSITIVE_INFINITY || this.signal !== undefined;
  }

  /** Seconds since the budget was made. */
  get seconds(): number {
    return now() - this.start;
  }

  /** One more cell finished: throws `LimitReached` when a limit is hit. */
  tick(): void {
    // The cell that would exceed the limit is not kept by the engine, so it is not counted either.
    if (this.cells >= this.maxCells) this.stop("max-cells", `stopped at the cell limit (${this.maxCells} cells)`);
    this.cells++;
    if (--this.countdown <= 0) this.check();
  }

  /** A check without a finished cell (for loops that run long between cells). */
  poll(): void {
    if (--this.countdown <= 0) this.check();
  }

  /** Throws the recorded `LimitReached` if a limit was hit before (a shared budget stays stopped). */
  throwIfStopped(): void {
    if (this.stopped) throw this.stopped;
  }

  /** Read the clock and the signal; call the progress callback when due. */
  check(): void {
    this.throwIfStopped();
    const t = now();
    // Aim at a clock reading every ~10 ms whatever the cost of a cell.
    const elapsed = t - this.lastClock;
    if (elapsed < 0.005 && this.stride < 1 << 16) this.stride *= 2;
    else if (elapsed > 0.02 && this.stride > 1) this.stride >>= 1;
    this.countdown = this.stride;
    this.lastClock = t;
    if (this.signal?.aborted) this.stop("aborted", "stopped: cancelled");
    if (t >= this.deadline) this.stop("timeout", `stopped at the time limit (${Number((this.deadline - this.start).toPrecision(6))} s)`);
    if (this.onProgress && t - this.lastProgress >= this.progressEvery) {
      this.lastProgress = t;
      this.onProgress({ cells: this.cells, seconds: t - this.start });
    }
  }

  private stop(reason: StopReason, message: string): never {
    this.stopped ??= new LimitReached(reason, message);
    throw this.stopped;
  }
}

/** The `LimitReached` an engine caught at its top (anything else is rethrown). */
export function caughtLimit(e: unknown): LimitReached {
  if (e instanceof LimitReached) return e;
  throw e;
}

/** Mark a partition cut short by a limit (unchanged when `stopped` is null). */
export function markStopped<P extends { stopped?: StopReason }>(partition: P, stopped: LimitReached | null): P {
  if (stopped) partition.stopped = stopped.reason;
  return partition;
}

/**
 * The partition if it is whole; else the limit that cut it short, thrown (for consumers that run
 * many partitions and can use only whole ones: a metric over sampled segments).
 */
export function requireComplete<P extends { stopped?: StopReason }>(partition: P, budget?: Budget): P {
  if (partition.stopped === undefined) return partition;
  throw budget?.stopped ?? new LimitReached(partition.stopped, `stopped early (${partition.stopped})`);
}
