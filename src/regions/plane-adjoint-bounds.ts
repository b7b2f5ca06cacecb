/**
 * The adjoint bounds of the units of the step the plane engine's JavaScript descent cuts
 * (plane.ts; the bound itself is plane-adjoint.ts's): made for a decision a unit's own bound
 * leaves open where the map cut ends a chain of fused elementwise steps (the frames on the
 * descent's stack), kept per unit for the rest of the cut, and, where every unit's costs little,
 * all made at once and the cut's channel bounds lowered to their largest (docs/numerics.md, "An
 * adjoint bound on a settled chain").
 */
import type { AffineStep, ElementwiseStep, Step } from "../model/steps.ts";
import { normInfOf, SATURATED } from "./map-error.ts";
import { type AdjointLink, AdjointScratch, adjointRow, adjointRows, type PlaneAdjointProbe } from "./plane-adjoint.ts";
import type { CellFrame } from "./plane-frame.ts";
import type { UnitBounds } from "./unit-error.ts";

/**
 * Work (multiply-adds) up to which a cut makes every unit's adjoint bound at once and lowers its
 * channel bounds with them (width 8, 40 layers: 8 x 40 x 64 = 20,480); past it, units one by one.
 */
const ADJOINT_ALL = 2 ** 16;

export class AdjointBounds {
  /** The piecewise step being cut, its map and the map's channel bounds (reset). */
  private cutStep = -1;
  private z: Float64Array = new Float64Array(0);
  private zErr: Float64Array = new Float64Array(0);

  constructor(
    private readonly steps: readonly Step[],
    /** The engine's unit bounds (where the map cut came from) and the carried part of its channel bounds, by reference. */
    private readonly units: UnitBounds,
    private readonly unitCarried: Float64Array,
    /** Step k's states on the current cell. */
    private readonly stepStates: (k: number) => Uint8Array,
    /** A test's (PlaneOptions.adjointProbe), or null. */
    private readonly probe: PlaneAdjointProbe | null,
  ) {}

  /**
   * Unit j's adjoint bound (plane-adjoint.ts) for a decision its own bound (plane-elementwise-cut.ts unitBound) leaves
   * open, made where the map cut ends a chain and the carried part of the unit's bound is the
   * larger in some channel (else the carried part is not what leaves it open): whether it is
   * there (`of`). Its bounds out are lowered to it where it is smaller: whether any was.
   */
  lower(j: number, out: Float64Array): boolean {
    if (!this.boundFor(j)) return false;
    let lowered = false;
    for (let c = 0; c < 3; c++) {
      const a = this.of[3 * j + c];
      if (a < out[c]) {
        out[c] = a;
        lowered = true;
      }
    }
    return lowered;
  }

  /** Whether unit j's adjoint bound is there, made now if it qualifies (see lower). */
  boundFor(j: number): boolean {
    if (j < this.have.length && this.have[j] !== 0) return true;
    if (this.chainFrom === null || !this.units.known) return false;
    const local = this.local;
    this.units.unit(j, this.zErr, this.z, local);
    const carried = this.unitCarried;
    if (!(carried[0] > local[0] || carried[1] > local[1] || carried[2] > local[2])) return false;
    this.make(j);
    return true;
  }

  /**
   * The descent's frames (descend's stack), for the adjoint bound's chain, and the frame whose
   * map is being cut when that map ends a chain (enter), else null.
   */
  frames: CellFrame[] = [];
  chainFrom: CellFrame | null = null;
  /** The chain of the cut (links from the top, `count` of them) and its start's bound. */
  private readonly links: AdjointLink[] = [];
  private count = -1;
  private start = new Float64Array(3);
  private readonly scratch = new AdjointScratch();
  /** Per unit of the step being cut: its adjoint bound (3 channels) once made (`have`). */
  of = new Float64Array(0);
  have = new Uint8Array(0);
  private readonly rowOut = new Float64Array(3);
  private readonly local = new Float64Array(3);
  /** Whether the cut has any unit's adjoint bound (cutBy's lines then take it). */
  any = false;
  /** Whether the cut's channel bounds were lowered to its units' adjoint bounds (CellFrame.lowered). */
  lowered = false;

  /**
   * A new cut (plane-elementwise-cut.ts cut) of step s's map z, channel bounds zErr: no adjoint
   * bound yet (every unit's entry cleared: steps differ in width).
   */
  reset(s: number, z: Float64Array, zErr: Float64Array): void {
    this.cutStep = s;
    this.z = z;
    this.zErr = zErr;
    this.count = -1;
    if (!this.any) return;
    this.any = false;
    this.have.fill(0);
  }

  /**
   * Unit j's adjoint bound into `of`. The chain is made at the cut's first call: every fused
   * elementwise step back from the map cut (chainFrom), while each one's input is the previous
   * one's map, the first one's input with its whole bound (zErr, relative to the exact map) as
   * the start. It stops early at a step whose input's bounds an adjoint bound lowered
   * (CellFrame.lowered): the chains of a deep cell do not each go back to its first layer. Where
   * every unit's bound costs little (narrow steps), all are made at once and the channel bounds
   * of the map cut are lowered to their largest, so that its pieces carry that down.
   */
  private make(j: number): void {
    if (this.count < 0) this.makeChain();
    const n = (this.steps[this.cutStep] as ElementwiseStep).size;
    if (this.have.length < n) {
      this.have = new Uint8Array(n);
      this.of = new Float64Array(3 * n);
    }
    let cost = 0;
    for (let k = 0; k < this.count; k++) cost += this.links[k].inSize * this.links[k].outSize;
    if (cost * n <= ADJOINT_ALL) this.makeAll(n);
    else this.makeUnit(j);
  }

  private makeUnit(j: number): void {
    const o = this.rowOut;
    adjointRow(this.links, this.count, this.start, 3, j, o, this.scratch);
    this.keep(j, o, 0);
  }

  /** Unit j's bound, out[at .. at + 3), into `of`. */
  private keep(j: number, o: Float64Array, at: number): void {
    // Overflow (Infinity) or NaN: no bound (the others serve).
    for (let c = 0; c < 3; c++) this.of[3 * j + c] = Number.isNaN(o[at + c]) ? SATURATED : Math.min(o[at + c], SATURATED);
    this.have[j] = 1;
    this.any = true;
    this.probe?.seen?.(this.cutStep, j, this.z, o.subarray(at, at + 3), this.stepStates);
  }

  /** The units makeAll makes at once, and their bounds (3 channels each). */
  private rowsOf = new Int32Array(0);
  private rowsOut = new Float64Array(0);
  private readonly largest = new Float64Array(3);

  private makeAll(n: number): void {
    if (this.rowsOf.length < n) {
      this.rowsOf = new Int32Array(n);
      this.rowsOut = new Float64Array(3 * n);
    }
    const rows = this.rowsOf;
    const o = this.rowsOut;
    let missing = 0;
    for (let i = 0; i < n; i++) if (this.have[i] === 0) rows[missing++] = i;
    adjointRows(this.links, this.count, this.start, 3, rows, missing, o, this.scratch);
    for (let b = 0; b < missing; b++) this.keep(rows[b], o, 3 * b);
    const largest = this.largest;
    largest.fill(0);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) largest[c] = Math.max(largest[c], this.of[3 * i + c]);
    }
    const zErr = this.zErr;
    for (let c = 0; c < 3; c++) {
      if (largest[c] < zErr[c]) {
        zErr[c] = largest[c];
        this.lowered = true;
      }
    }
  }

  /** The cut's chain (make), from the frames on the descent's stack. */
  private makeChain(): void {
    const frames = this.frames;
    let at = frames.length - 1;
    let f = this.chainFrom as CellFrame;
    if (frames[at] !== f) throw new Error("internal: the chain's last frame is not on top");
    // Its frames from the top down, then its links from the first step to the last (adjointRow's order).
    const chain = this.chainFrames;
    let count = 0;
    for (;;) {
      chain[count++] = f;
      const above = at > 0 && !f.lowered ? frames[at - 1] : null;
      if (above !== null && f.z === above.map && above.next !== null && above.step.kind === "elementwise" && above.stack === null && f.stack === null) {
        f = above;
        at--;
        continue;
      }
      for (let c = 0; c < 3; c++) this.start[c] = f.zErr[c];
      break;
    }
    for (let k = 0; k < count; k++) {
      const g = chain[count - 1 - k] as CellFrame;
      const next = g.next as AffineStep;
      const step = g.step as ElementwiseStep;
      let link = this.links[k];
      if (link === undefined) {
        link = { weight: new Float64Array(0), inSize: 0, outSize: 0, slopes: new Float64Array(0), local: g.err, normInf: 0 };
        this.links[k] = link;
      }
      // Consecutive cuts' chains mostly start at the same step: the link is then that step's already.
      if (link.weight !== next.weight) {
        link.weight = next.weight as Float64Array;
        link.normInf = normInfOf(next);
      }
      link.inSize = next.inSize;
      link.outSize = next.outSize;
      link.local = g.err;
      if (link.slopes.length < step.size) link.slopes = new Float64Array(step.size);
      const states = this.stepStates(g.s);
      for (let u = 0; u < step.size; u++) link.slopes[u] = step.slopes[states[u]];
    }
    chain.fill(null, 0, count);
    this.count = count;
  }

  /** makeChain's frames (emptied after each chain: no frame is kept alive by it). */
  private readonly chainFrames: (CellFrame | null)[] = [];
}
