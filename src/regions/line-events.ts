/**
 * The events of a piecewise step on a piece (line.ts): the points where a unit's state changes,
 * each with its root (line-roots.ts). StepEvents keeps each step's list and the event objects
 * it takes them from; maxEvents finds a max group's (where its argmax changes). A relu-like
 * step's events are found where its units are decided (line.ts piecewise).
 */
import type { PiecewiseStep } from "../model/steps.ts";
import type { OpenDecisions } from "./line-open.ts";
import {
  blankRoot as blankRootOf,
  compareRoots as compareRootsOf,
  type LineEvent,
  makeRoot as makeRootOf,
  OPEN as OPEN_SIGN,
  origin as originOf,
  placeRoot,
  type Root,
  signAt as signAtOf,
} from "./line-roots.ts";
import { EPS as UNIT_ROUNDOFF } from "./map-error.ts";

// Module-local copies of what is read per event (some loaders, tsx, turn every read of an
// imported binding into a getter call).
const EPS = UNIT_ROUNDOFF;
const blankRoot = blankRootOf;
const compareRoots = compareRootsOf;
const makeRoot = makeRootOf;
const OPEN = OPEN_SIGN;
const origin = originOf;
const signAt = signAtOf;

/**
 * Per piecewise step, its list of events and the event objects (with their roots) they are taken
 * from, reused from piece to piece (line.ts LineEngine.frames: depth first, nothing still refers
 * to a step's events when its next piece begins).
 */
export class StepEvents {
  readonly lists: LineEvent[][];
  /** How many of each list are the current piece's (the lists are reused and never shrunk). */
  readonly counts: number[];
  private readonly pools: LineEvent[][];

  constructor(steps: number) {
    this.lists = Array.from({ length: steps }, () => []);
    this.counts = Array.from({ length: steps }, () => 0);
    this.pools = Array.from({ length: steps }, () => []);
  }

  /** A pooled event of step s (its root to be set by the caller), appended to the step's list. */
  push(s: number, unit: number, state: number): LineEvent {
    const events = this.lists[s];
    const pool = this.pools[s];
    const k = this.counts[s];
    let ev = pool[k];
    if (ev === undefined) {
      ev = { at: blankRoot(), unit: 0, state: 0 };
      pool.push(ev);
    }
    ev.unit = unit;
    ev.state = state;
    events[k] = ev;
    this.counts[s] = k + 1;
    return ev;
  }
}

/**
 * Upper envelope of each max group over [lo, hi]: the argmax just after lo (ties: larger slope,
 * then first index), then repeatedly the earliest point where another candidate overtakes.
 */
export function maxEvents(
  events: StepEvents,
  open: OpenDecisions,
  s: number,
  step: Extract<PiecewiseStep, { kind: "max" }>,
  lo: Root,
  hi: Root,
  z: Float64Array,
  zErr: Float64Array,
  states: Uint8Array,
): void {
  const n = step.inSize;
  const ea = (i: number, k: number) => 2 * zErr[0] + EPS * (Math.abs(z[i]) + Math.abs(z[k]));
  const eb = (i: number, k: number) => 2 * zErr[1] + EPS * (Math.abs(z[n + i]) + Math.abs(z[n + k]));
  for (let j = 0; j < step.outSize; j++) {
    const start = step.offsets[j];
    const size = step.offsets[j + 1] - start;
    const value = (i: number) => z[step.indices[start + i]];
    const slope = (i: number) => z[n + step.indices[start + i]];
    // Compare candidates i and k just after root r: sign of (f_i - f_k)(r+).
    const idx = (i: number) => step.indices[start + i];
    const after = (i: number, k: number, r: Root): number => {
      const a = value(i) - value(k);
      const b = slope(i) - slope(k);
      let sg = signAt(a, b, r, ea(idx(i), idx(k)), eb(idx(i), idx(k)));
      if (sg === OPEN) {
        open.openUnit(s, idx(i), idx(k), 0, a, b);
        sg = open.decideOpen(r, sg);
      }
      return sg !== 0 ? sg : open.slopeSign(s, idx(i), idx(k), a, b, eb(idx(i), idx(k)));
    };
    let best = 0;
    for (let i = 1; i < size; i++) if (after(i, best, lo) > 0) best = i;
    states[j] = best;
    let at = lo;
    for (let guard = 0; guard < size; guard++) {
      // Earliest overtaking point strictly after `at` and before hi.
      let winner = -1;
      let when: Root | null = null;
      for (let k = 0; k < size; k++) {
        if (k === best) continue;
        const a = value(k) - value(best);
        const b = slope(k) - slope(best);
        // Only a candidate rising faster can overtake; where the computed slope difference is
        // within its bound of 0, the exact one says (a segment along the group's tie line).
        const ebk = eb(idx(k), idx(best));
        if (!(b > ebk) && open.slopeSign(s, idx(k), idx(best), a, b, ebk) <= 0) continue;
        const r = makeRoot(a, b, ea(idx(k), idx(best)), ebk);
        r.unit = idx(k);
        origin(r, s, idx(best), 0);
        if (!(b > ebk)) placeRoot(r, 1, lo, hi, open.fLine);
        if (compareRoots(r, at) <= 0 || compareRoots(r, hi) >= 0) continue;
        if (when === null || compareRoots(r, when) < 0 || (compareRoots(r, when) === 0 && after(k, winner, r) > 0)) {
          when = r;
          winner = k;
        }
      }
      if (when === null) break;
      // The pooled event takes this root (the pool's own one is dropped; relu-like steps reuse theirs).
      events.push(s, j, winner).at = when;
      best = winner;
      at = when;
    }
  }
}
