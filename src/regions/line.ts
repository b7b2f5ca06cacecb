/**
 * The line engine: the exact partition of a segment (or a polyline, segment by segment) into
 * the pieces on which the network is affine.
 *
 * Each piece carries the affine map (2 channels: value at t = 0, d/dt) of the current
 * activations. At a piecewise-linear step, every unit contributes events: the points where its
 * state changes inside the piece (the root of a breakpoint function a + b t, or where the argmax
 * of a max group changes). Events are sorted exactly (coincident roots, such as duplicated units
 * or zero biases, compare equal by an exact determinant), and consecutive sub-pieces differ
 * exactly in the units of the event between them, so the next dense layer's map of a sub-piece is
 * the previous one's plus rank-one terms.
 *
 * Piece endpoints are stored as roots of affine functions (a, b): t = -a/b, so signs at endpoints
 * are exact (float filter, then det2Sign).
 *
 * This file is the engine's driver (a segment, the walk's frames, entering and crossing events, a
 * piecewise step's cut and its fallbacks); its parts are line-*.ts by concept: the bounds a map
 * carries (line-carry.ts) and their measure (line-anchor.ts, line-near.ts), an open decision's
 * exact line (line-open.ts), the events (line-events.ts), the maps under fixed states
 * (line-products.ts, line-propagate.ts) and the reported pieces (line-emit.ts).
 */
import type { Compiled } from "../model/forward.ts";
import { applyStates } from "../model/forward.ts";
import { setState } from "../model/pattern.ts";
import type { AffineStep, PiecewiseStep, Step } from "../model/steps.ts";
import type { GrowableOptions } from "./buffers.ts";
import { type Dyadic, ExactMaps } from "./exact-maps.ts";
import { type Budget, caughtLimit, type LimitReached, markStopped } from "./limits.ts";
import type { AdjointChain, LineAdjointProbe } from "./line-adjoint.ts";
import { AnchorMeasure } from "./line-anchor.ts";
import { CarriedBounds, MEASURED as MEASURED_FLAG, PER_UNIT as PER_UNIT_FLAG } from "./line-carry.ts";
import { EmittedPieces } from "./line-emit.ts";
import { maxEvents, StepEvents } from "./line-events.ts";
import { ledger } from "./line-exact.ts";
import { exactLocalMap, type LineFrame, lineFrame, localMapError } from "./line-frame.ts";
import { LineKernel, type StepBuffers } from "./line-kernel.ts";
import { NearExactMaps } from "./line-near.ts";
import { OpenDecisions } from "./line-open.ts";
import { pathSegments, walkPath } from "./line-path.ts";
import { type LinePieces, linePartitionOf } from "./line-pieces.ts";
import { PieceProducts, slopeOnPiece } from "./line-products.ts";
import { PropagatedMaps } from "./line-propagate.ts";
import {
  compareRoots as compareRootsOf,
  type LineEvent,
  makeRoot as makeRootOf,
  OPEN as OPEN_SIGN,
  origin as originOf,
  placeRoot,
  type Root,
  type RootSource,
  setRoot as setRootOf,
  signAt as signAtOf,
  sortEvents as sortEventsOf,
} from "./line-roots.ts";
import { type Branches, biasMax, largestSlope, normInfOf, SATURATED as SATURATED_BOUND, EPS as UNIT_ROUNDOFF, type Walk, walkAffine as walkAffineSteps } from "./map-error.ts";
import type { LinePartition } from "./partition.ts";
import { type FusedSums, UnitBounds } from "./unit-error.ts";

// carryFlags' bits (line-carry.ts), as module-local copies (see EPS below).
const PER_UNIT = PER_UNIT_FLAG;
const MEASURED = MEASURED_FLAG;

// Module-local copies of what the per-piece code reads from map-error.ts: some loaders (tsx, which
// runs the tests and benchmarks) turn every read of an imported binding into a getter call.
const EPS = UNIT_ROUNDOFF;
const SATURATED = SATURATED_BOUND;
const walkAffine = walkAffineSteps;
// The same for the roots' and events' functions (line-roots.ts), called per event.
const compareRoots = compareRootsOf;
const makeRoot = makeRootOf;
const OPEN = OPEN_SIGN;
const origin = originOf;
const setRoot = setRootOf;
const signAt = signAtOf;
const sortEvents = sortEventsOf;

export interface LineOptions {
  /** Limits and progress (regions/limits.ts): stops early with the pieces found so far. */
  budget?: Budget;
  /** Tests only: told of every adjoint bound the engine makes (line-adjoint.ts). */
  adjointProbe?: LineAdjointProbe;
}

/** `path` holds the polyline's vertices, (segments + 1) x inputSize, row-major. */
export function linePartition(compiled: Compiled, path: Float64Array, options: LineOptions = {}): LinePartition {
  const segments = pathSegments(compiled, path);
  const engine = new LineEngine(compiled, null, undefined, options.adjointProbe ?? null);
  engine.budget = options.budget ?? null;
  walkPath(engine, compiled, path);
  return markStopped(engine.result(path, segments), engine.stopped);
}

/** Takes each piece's activation pattern instead of the partition's arrays (counting only). */
export interface PatternSink {
  add(pattern: Uint32Array): void;
}

/**
 * A piecewise step being walked over one piece (descend's explicit stack): its events, the
 * next one to cross, where the current sub-piece starts, and the maps its sub-pieces continue from.
 */
interface PieceFrame {
  s: number;
  step: PiecewiseStep;
  events: LineEvent[];
  /** How many of `events` are this piece's (the list is reused and never shrunk). */
  count: number;
  e: number;
  start: Root;
  hi: Root;
  states: Uint8Array;
  z: Float64Array;
  zErr: Float64Array;
  dense: AffineStep | null;
  map: Float64Array;
  err: Float64Array;
  resume: number;
  stack: Branches | null;
  /** Whether the sub-piece from `start` has been walked (then the events at its end are next). */
  childDone: boolean;
  /** Rank-one updates of `map` so far (for per-unit bounds, unit-error.ts). */
  updates: number;
}

export class LineEngine {
  private readonly steps: Step[];
  private pattern: Uint32Array;
  private readonly affineOut: Float64Array[];
  private readonly affineErr: Float64Array[];
  /** The pieces reported so far (line-emit.ts). */
  private readonly emitted: EmittedPieces;
  private segmentIndex = 0;
  /** The segment walked, in its local coordinates (line-frame.ts). */
  private frame: LineFrame = { t0: 0, t1: 1, lengthPerT: 1, tau: 0, scale: 1, inexact: false };
  private local = new Float64Array(0);
  /** The current segment's p1 - p0 rounding (line-path.ts segmentMap), when its frame is inexact. */
  private residual: Float64Array = new Float64Array(0);
  /** The exact local map of an inexact frame, for the exact maps (asked only when a decision is left open). */
  private readonly exactStart = (): Dyadic => exactLocalMap(this.local, this.local.length / 2, this.frame, this.residual);

  /** `growth`: how the pieces' arrays grow (buffers.ts; a thread that walks many paths into them grows them 4x at a time). */
  constructor(
    private readonly compiled: Compiled,
    private readonly sink: PatternSink | null = null,
    growth?: GrowableOptions,
    /** Tests only: told of every adjoint bound the engine makes (line-adjoint.ts LineAdjointProbe). */
    adjointProbe: LineAdjointProbe | null = null,
  ) {
    this.steps = compiled.steps;
    this.affineOut = this.steps.map((s) => (s.kind === "affine" ? new Float64Array(2 * s.outSize) : new Float64Array(0)));
    this.affineErr = this.steps.map(() => new Float64Array(2));
    this.errs = this.steps.map(() => new Float64Array(2));
    this.kernel = new LineKernel(compiled);
    this.exact = new ExactMaps(compiled.steps, (s) => (this.buffers[s] as StepBuffers).states);
    ({ buffers: this.buffers, pattern: this.pattern } = this.kernel.claim());
    // What the hot paths need of each step, looked up once here (not per piece).
    this.fused = this.steps.map((_, s) => {
      const next = this.steps[s + 1];
      return next !== undefined && next.kind === "affine" && next.weight !== null ? next : null;
    });
    this.norms = this.fused.map((d) => (d === null ? 0 : normInfOf(d)));
    this.biasMaxima = this.fused.map((d) => (d === null ? 0 : biasMax(d)));
    this.slopeMaxima = this.steps.map((step) => (step.kind === "elementwise" || step.kind === "max" ? largestSlope(step) : 0));
    this.bounds = new CarriedBounds(this.steps, this.fused, this.norms, this.slopeMaxima);
    ({ localErr: this.localErr, carriedErr: this.carriedErr, carryFlags: this.carryFlags, inputOf: this.inputOf } = this.bounds);
    this.products = new PieceProducts(this.fused, this.kernel, this.localErr);
    this.nearExact = new NearExactMaps(compiled.steps, (s) => (this.buffers[s] as StepBuffers).states, this.localErr, this.carriedErr);
    this.emitted = new EmittedPieces(compiled.outputSize, this.nearExact, growth);
    this.anchors = new AnchorMeasure(
      this.bounds,
      this.nearExact,
      this.exact,
      adjointProbe,
      () => this.adjointChain(),
      (p) => (this.frames[p] as PieceFrame).map,
    );
    this.frames = this.steps.map(() => null);
    this.events = new StepEvents(this.steps.length);
    this.propagation = new PropagatedMaps(this.steps, this.fused, this.norms, this.kernel, this.bounds, this.sink !== null);
    ({ propagates: this.propagates, inputDirection: this.inputDirection, direction: this.direction, chained: this.chained, freshErr: this.freshErr } = this.propagation);
  }

  /** The map after a piecewise step with fixed states, and its rank-one updates (line-products.ts). */
  private readonly products: PieceProducts;
  /** Propagated maps (counting only; line-propagate.ts), and its arrays the walk reads (the same objects). */
  private readonly propagation: PropagatedMaps;
  private readonly propagates: boolean[];
  private readonly inputDirection: Int32Array;
  private readonly direction: Float64Array;
  private readonly chained: Uint8Array;
  private readonly freshErr: Float64Array;
  /** The bounds each piecewise step's map carries (line-carry.ts), and its arrays the walk reads (the same objects). */
  private readonly bounds: CarriedBounds;
  private readonly localErr: Float64Array;
  private readonly carriedErr: Float64Array;
  /** The carried part of the map the piecewise step being cut reads (for its per-unit bounds). */
  private readonly unitCarried = new Float64Array(2);
  private readonly carryFlags: Uint8Array;
  private readonly inputOf: Int32Array;
  /** The input's per-unit source for the piecewise step being cut (inputOf, when it is per unit; else -1). */
  private unitInput = -1;
  /** Maps propagated, and chained maps made again as full products because a decision was left open (tests, benchmarks). */
  get propagatedMaps(): number {
    return this.propagation.propagatedMaps;
  }
  refreshedMaps = 0;
  /** Carried bounds measured against the exact map (anchor, line-anchor.ts; tests, benchmarks). */
  get anchoredMaps(): number {
    return this.anchors.anchoredMaps;
  }
  /** Carried bounds measured by the adjoint bound instead (anchor, line-adjoint.ts; tests, benchmarks). */
  get adjointMaps(): number {
    return this.anchors.adjointMaps;
  }
  /** The piecewise step being cut has a chained map as its input: decisions its bound does not settle fall back (refresh). */
  private chainedInput = false;
  /** The frame whose chained map the step being cut reads (refresh makes it a full product). */
  private chainedFrom: PieceFrame | null = null;

  /** The dense step fused after piecewise step s (applied with it, updated by rank-one terms), or null. */
  private readonly fused: (AffineStep | null)[];
  private readonly norms: number[];
  private readonly biasMaxima: number[];
  private readonly slopeMaxima: number[];
  /**
   * Per piecewise step, its frame and its events (line-events.ts), reused from piece to piece:
   * depth first, a step's piece is finished (its frame popped, its sub-pieces walked) before the
   * step's next piece begins, so nothing still refers to them. No objects per piece or event.
   */
  private readonly frames: (PieceFrame | null)[];
  private readonly events: StepEvents;
  private readonly stackOfFrames: PieceFrame[] = [];

  private readonly kernel: LineKernel;
  /** The exact line of a unit whose sign the bounds left open (line-open.ts). */
  private readonly open = new OpenDecisions();
  private buffers: (StepBuffers | undefined)[];
  budget: Budget | null = null;
  stopped: LimitReached | null = null;
  /**
   * One thread's share of a segment split among threads (parallel/line.ts): asked, in order, for
   * every sub-piece of the first piecewise step's cut of each segment (the top pieces), with the
   * number of pieces found so far; the walk goes into the top pieces it answers true for and
   * skips the others. The top step's events are crossed either way (its map is the previous
   * piece's plus rank-one terms), so the pieces of a top piece are the ones a whole walk finds.
   */
  topClaim: ((pieces: number) => boolean) | null = null;
  /** Decisions a rounding bound left open that no exact line could decide (line-exact.ts): 0 when all are exact. */
  uncertain = 0;
  /**
   * The part of `uncertain` met in the top piecewise step (its entry and its events), which every
   * thread of a split walk (topClaim) crosses: a join counts it once, not once per thread.
   */
  topUncertain = 0;
  /** The network's maps on the current piece in exact arithmetic, for those decisions. */
  private readonly exact: ExactMaps;
  /** Measures a carried bound again where it left a decision open (line-anchor.ts). */
  private readonly anchors: AnchorMeasure;
  /** The same maps in double-double, triple-double and rounded BigInt (line-near.ts): anchor's and position's tries before the exact maps. */
  private readonly nearExact: NearExactMaps;

  /**
   * Walks segment `index`, x(t) = map[0 .. n0) + t map[n0 .. 2 n0) for t in [0, 1], of Euclidean
   * length `length`; true when a limit stopped it (`stopped` says which). The walk itself is in
   * local coordinates from the point of the line nearest the origin (line-frame.ts), so that the
   * rounding does not grow with the segment's length; pieces are reported in t in [0, 1].
   */
  segment(index: number, length: number, map: Float64Array, residual: Float64Array | null = null): boolean {
    this.segmentIndex = index;
    const n0 = map.length / 2;
    if (this.local.length !== map.length) this.local = new Float64Array(map.length);
    const frame = lineFrame(map, n0, length, this.local, residual);
    this.frame = frame;
    this.walk.reach = Math.max(Math.abs(frame.t0), Math.abs(frame.t1));
    ({ buffers: this.buffers, pattern: this.pattern } = this.kernel.claim());
    const uncertain = ledger.uncertain;
    // The walk's input bound: 0, or how far the doubles (c, e) are from the segment (line-frame.ts).
    const err = new Float64Array(2);
    if (frame.inexact) {
      this.residual = residual as Float64Array;
      localMapError(n0, frame, this.residual, err);
      this.exact.segment(this.local, this.exactStart);
      this.nearExact.segment(this.local, this.exactStart);
    } else {
      this.exact.segment(this.local);
      this.nearExact.segment(this.local);
    }
    this.walk.inputErr = frame.inexact;
    ledger.maps = this.exact;
    this.inputDirection.fill(-1);
    this.chained.fill(0);
    try {
      this.descend(0, makeRoot(-frame.t0, 1), makeRoot(-frame.t1, 1), this.local, err, null);
    } catch (e) {
      this.stopped = caughtLimit(e);
    } finally {
      this.uncertain += ledger.uncertain - uncertain;
      ledger.maps = null;
    }
    return this.stopped !== null;
  }

  /**
   * Run steps from s on the piece [lo, hi] with map `map`, within `err` of the exact map. Depth
   * first, with an explicit stack of the piecewise steps being walked (one frame per step, not
   * one call), so the depth of a network is bounded by memory, not by the call stack.
   */
  private descend(s: number, lo: Root, hi: Root, map: Float64Array, err: Float64Array, stack: Branches | null): void {
    const frames = this.stackOfFrames;
    frames.length = 0;
    const before = ledger.uncertain;
    const first = this.enter(s, lo, hi, map, err, stack, null);
    this.topUncertain += ledger.uncertain - before;
    if (first) frames.push(first);
    while (frames.length > 0) {
      const f = frames[frames.length - 1];
      if (!f.childDone) {
        // The sub-piece from `start` to the next distinct event (or hi).
        f.childDone = true;
        if (frames.length === 1 && this.topClaim !== null && !this.topClaim(this.emitted.count)) continue;
        const end = f.e < f.count ? f.events[f.e].at : f.hi;
        const child = this.enter(f.resume, f.start, end, f.map, f.err, f.stack, f);
        if (child) frames.push(child);
        continue;
      }
      if (f.e >= f.count) {
        frames.pop();
        continue;
      }
      const before = ledger.uncertain;
      this.crossEvents(f);
      if (frames.length === 1) this.topUncertain += ledger.uncertain - before;
      f.childDone = false;
    }
  }

  /**
   * Affine steps from s on, then the next piecewise step's frame (or the finished piece, emitted).
   * `from` is the frame whose map `map` is (null at the start of a segment).
   */
  private enter(s: number, lo: Root, hi: Root, map: Float64Array, err: Float64Array, stack: Branches | null, from: PieceFrame | null): PieceFrame | null {
    const walk = this.walk;
    this.rangeFrom = from;
    walk.s = s;
    walk.map = map;
    walk.err = err;
    walk.stack = stack;
    walkAffine(this.steps, walk, 2, this.affineOut, this.affineErr);
    const step = this.steps[walk.s];
    if (step && (step.kind === "elementwise" || step.kind === "max")) {
      // Where the map came from, for the per-unit bounds of the units left undecided.
      this.chainedInput = false;
      this.unitCarried[0] = 0;
      this.unitCarried[1] = 0;
      // The input's bound per unit where it is the fused map of a step above (carry), else per channel.
      const input = walk.s === s && from !== null && from.dense !== null ? from.s : -1;
      this.inputOf[walk.s] = input;
      this.unitInput = input >= 0 && (this.carryFlags[input] & PER_UNIT) !== 0 ? input : -1;
      if (walk.lastAffine) {
        this.units.affine(walk.lastAffine, walk.lastInput as Float64Array);
        this.unitCarried.set(walk.carried as Float64Array);
      } else if (walk.s === s && from !== null && from.dense !== null && this.chained[from.s] === 1) {
        // A chained map: no per-unit bounds (what they assume is a full product and rank-one updates).
        this.units.none();
        this.chainedInput = true;
        this.chainedFrom = from;
      } else if (walk.s === s && from !== null && from.dense !== null) {
        this.sumsFrom = from;
        this.units.fused(from.step, from.z, from.dense, from.updates, from.states, from.step.kind === "elementwise" ? this.fusedSums : null);
        this.unitCarried[0] = this.carriedErr[2 * from.s];
        this.unitCarried[1] = this.carriedErr[2 * from.s + 1];
      } else this.units.none();
      return this.piecewise(walk.s, step, lo, hi, walk.map, walk.err, walk.stack);
    }
    this.emit(lo, hi, walk.map);
    return null;
  }

  /** Step s's states are about to change: the rounded maps' inputs kept below it are no longer the piece's (line-rounded.ts invalidate). */
  private statesChange(s: number): void {
    this.nearExact.invalidate(s);
  }

  /** Apply every event at the frame's next event point: the states (and map) beyond it. */
  private crossEvents(f: PieceFrame): void {
    const { s, step, events, states, z, zErr, dense, map, err } = f;
    const layout = this.compiled.layout;
    const at = events[f.e].at;
    let changed = 0;
    let unit = -1;
    while (f.e < f.count && compareRoots(events[f.e].at, at) === 0) {
      const ev = events[f.e];
      const from = states[ev.unit];
      const to = step.kind === "elementwise" ? from + ev.state : ev.state;
      if (to !== from) {
        if (changed === 0) this.statesChange(s);
        states[ev.unit] = to;
        setState(layout, this.pattern, 0, s, ev.unit, to);
        if (dense !== null) {
          this.products.rankOne(s, step, dense, z, ev.unit, from, to, err);
          if ((this.carryFlags[s] & PER_UNIT) !== 0) this.bounds.carryCrossing(s, step, zErr, ev.unit, from, to);
          f.updates++;
          changed++;
          unit = ev.unit;
        }
      }
      f.e++;
    }
    if (changed > 0 && (this.carryFlags[s] & PER_UNIT) !== 0) this.bounds.globalErr(s, err);
    if (dense === null) this.stateMap(s, step, states, z, zErr, null, map, err);
    else if (this.propagates[f.resume]) {
      // The next sub-piece's input (this map) changed by one rank-one term: column `unit` of the
      // dense step times the unit's change, with the update's rounding.
      const c = f.resume;
      if (changed === 1) {
        this.inputDirection[c] = this.kernel.columnAt(s, unit, dense);
        const d = this.direction;
        d[4 * c] = this.products.lastD0;
        d[4 * c + 1] = this.products.lastD1;
        d[4 * c + 2] = this.products.lastR0;
        d[4 * c + 3] = this.products.lastR1;
      } else this.inputDirection[c] = -1;
    }
    f.start = at;
  }

  /** Per-step error bounds of the maps in the kernel's buffers. */
  private readonly errs: Float64Array[];
  /** Where the map of the piecewise step being cut came from, and one unit's bounds (unit-error.ts). */
  private readonly units = new UnitBounds(2);

  /**
   * What the roots of step s's units need to refine their fuzz later (see Root): one per step,
   * taken over by the step's next cell (depth first, the previous one's roots are done with).
   */
  private rootSource(s: number, z: Float64Array, zErr: Float64Array): RootSource {
    let src = this.sources[s];
    if (src === undefined) {
      src = { units: new UnitBounds(2), z, e0: 0, e1: 0, p0: 0, p1: 0, carried: null };
      this.sources[s] = src;
    }
    src.units.assign(this.units);
    src.z = z;
    src.e0 = zErr[0];
    src.e1 = zErr[1];
    src.p0 = this.unitCarried[0];
    src.p1 = this.unitCarried[1];
    src.carried = this.unitInput >= 0 ? this.bounds.vecOf(this.unitInput) : null;
    return src;
  }

  private readonly sources: (RootSource | undefined)[] = [];
  private readonly unitErr = new Float64Array(2);
  /** The frame whose fused step the per-unit bounds are about, and their sums in the kernel (one closure, made once). */
  private sumsFrom: PieceFrame | null = null;
  private readonly fusedSums: FusedSums = (i, slope, intercept, acc) => {
    const f = this.sumsFrom as PieceFrame;
    return this.kernel.unitSums(f.s, f.z, i, slope, intercept, acc);
  };

  /** The frame whose map the walk starts from (enter's `from`): its range flags may answer the walk's range check. */
  private rangeFrom: PieceFrame | null = null;

  // reach: the largest |t| of the segment in its local coordinates (set per segment).
  private readonly walk: Walk = {
    s: 0,
    map: new Float64Array(0),
    err: new Float64Array(0),
    stack: null,
    reach: 1,
    inRange: (map, reach) => {
      const from = this.rangeFrom;
      return from !== null && reach === 0 && map === from.map ? this.kernel.stepMapInRange(from.s) : this.kernel.inRange(map, reach);
    },
    lastAffine: null,
    lastInput: new Float64Array(0),
    inputErr: false,
    carried: new Float64Array(2),
  };

  /**
   * A piecewise step on the piece [lo, hi]: its units' states at lo and the sorted events inside
   * (null when the piece was emitted whole at once).
   */
  private piecewise(s: number, step: PiecewiseStep, lo: Root, hi: Root, z: Float64Array, zErr: Float64Array, stack: Branches | null): PieceFrame | null {
    const e0 = zErr[0];
    const e1 = zErr[1];
    // The units' source for their roots' later refinement, taken at the first root that needs it.
    let source: RootSource | null = null;
    const known = this.units.known;
    // A unit's own bound is tighter than the channel's where its local part is known or its carried part is kept per unit.
    const ownBound = known || this.unitInput >= 0;
    // Per-step buffers: depth-first, one parent per step is live at a time, and its children
    // use deeper steps' buffers.
    const buffers = this.buffers[s] as StepBuffers;
    // Every unit's state is written below (decided, or by the exact tests).
    const states = buffers.states;
    const events = this.events.lists[s];
    this.events.counts[s] = 0;
    const chainedInput = this.chainedInput;
    const exactBefore = ledger.exact;
    this.statesChange(s);
    if (step.kind === "elementwise") {
      const n = step.size;
      const t = step.breakpoints;
      // The piece's midpoint and half-length: a unit whose function stays farther from zero at
      // the midpoint than it can change over the piece has one sign on all of it (one
      // evaluation instead of two exact sign tests).
      const tm = (lo.t + hi.t) / 2;
      const half = (hi.t - lo.t) / 2;
      const ends = lo.err + hi.err + lo.fuzz + hi.fuzz;
      const reachT = Math.max(Math.abs(lo.t), Math.abs(hi.t));
      if (t.length === 1 && t[0] === 0) {
        // One breakpoint at 0 (relu, leaky relu, abs): the bound below is the general one's
        // terms regrouped (a = z_j, ea = e0) and enlarged by 16 roundoffs, so it decides a
        // subset of the units the general one decides, with the same signs.
        const grow = 1 + 16 * EPS;
        const kb = (half * (1 + 4 * EPS) + ends + 8 * EPS * reachT) * grow;
        const ka = 8 * EPS * grow;
        const kc = (e1 * ends + e0 + e1 * reachT) * grow;
        const args = this.kernel.args;
        args[0] = tm;
        args[1] = kb;
        args[2] = ka;
        args[3] = kc;
        // The previous piece's states kept for a propagated product of this piece (stateMap).
        const count = this.kernel.decideAtZero(s, z, n, this.inputDirection[s] >= 0);
        const undecided = buffers.undecided;
        const ue = this.unitErr;
        for (let u = 0; u < count; u++) {
          const j = undecided[u];
          const a = z[j];
          const b = z[n + j];
          let ea = e0;
          let eb = e1;
          let s0 = signAt(a, b, lo, ea, eb);
          let s1 = signAt(a, b, hi, ea, eb);
          // The unit's own bounds (the channel's are the largest unit's) where an end is undecided;
          // an event's root keeps what they need, for when its fuzz matters.
          let refinable = known;
          if (ownBound && (Math.abs(s0) !== 1 || Math.abs(s1) !== 1)) {
            this.unitBound(j, zErr, z, ue);
            ea = ue[0];
            eb = ue[1];
            refinable = false;
            s0 = signAt(a, b, lo, ea, eb);
            s1 = signAt(a, b, hi, ea, eb);
          }
          let exactLine = false;
          if (s0 === OPEN || s1 === OPEN) {
            // A chained bound does not settle it: the input map as a full product, and this step again.
            if (chainedInput) return this.refresh(s, step, lo, hi, z, zErr, stack);
            // A bound mostly carried from above: measured against the exact map, and this step again.
            if (this.anchors.mayAnchor(s)) return this.anchor(s, step, lo, hi, z, zErr, stack);
            // Still open: the unit's exact line decides (and when its root is the computed one, the root is exact).
            const known = this.open.openUnit(s, j, -1, 0, a, b);
            if (known === 1) ea = eb = 0;
            exactLine = known === 0;
            s0 = this.open.decideOpen(lo, s0);
            s1 = this.open.decideOpen(hi, s1);
          }
          // State at the start of the piece: on the positive side just after lo.
          states[j] = s0 > 0 || (s0 === 0 && s1 > 0) ? 1 : 0;
          if (s0 * s1 < 0) {
            if (refinable) source ??= this.rootSource(s, z, zErr);
            // The exact signs say which way it crosses (the computed slope may be 0 or of either sign within its bound).
            const root = setRoot(this.events.push(s, j, s1 > 0 ? 1 : -1).at, a, b, ea, eb, j, 0, refinable ? source : null);
            origin(root, s, -1, 0);
            if (exactLine) placeRoot(root, s1, lo, hi, this.open.fLine);
          }
        }
      } else {
        const ue = this.unitErr;
        for (let j = 0; j < n; j++) {
          const b = z[n + j];
          let state = 0;
          let own = false;
          for (let bp = 0; bp < t.length; bp++) {
            const a = z[j] - t[bp];
            const ea = t[bp] === 0 ? e0 : e0 + 2 * EPS * Math.abs(z[j]);
            const fm = a + b * tm;
            const spread = Math.abs(b) * half * (1 + 4 * EPS) + (Math.abs(b) + e1) * ends + 8 * EPS * (Math.abs(a) + Math.abs(b) * reachT) + ea + e1 * reachT;
            // Decided (nearly always): one well-predicted test, then the sign added as 0 or 1
            // (a branch on the sign itself goes either way for about half the units).
            if (Math.abs(fm) > spread) {
              state += fm > spread ? 1 : 0;
              continue;
            }
            let eaj = ea;
            let eb = e1;
            let s0 = signAt(a, b, lo, eaj, eb);
            let s1 = signAt(a, b, hi, eaj, eb);
            // The unit's own bounds (the channel's are the largest unit's) where an end is
            // undecided; an event's root keeps what they need, for when its fuzz matters.
            let refinable = known;
            if (ownBound && (Math.abs(s0) !== 1 || Math.abs(s1) !== 1)) {
              if (!own) this.unitBound(j, zErr, z, ue);
              own = true;
              eaj = ea - e0 + ue[0];
              eb = ue[1];
              refinable = false;
              s0 = signAt(a, b, lo, eaj, eb);
              s1 = signAt(a, b, hi, eaj, eb);
            }
            let exactLine = false;
            if (s0 === OPEN || s1 === OPEN) {
              if (this.anchors.mayAnchor(s)) return this.anchor(s, step, lo, hi, z, zErr, stack);
              // Still open: the exact line of the unit minus the breakpoint decides (see above).
              const known = this.open.openUnit(s, j, -1, t[bp], a, b);
              if (known === 1) eaj = eb = 0;
              exactLine = known === 0;
              s0 = this.open.decideOpen(lo, s0);
              s1 = this.open.decideOpen(hi, s1);
            }
            // State at the start of the piece: on the positive side just after lo.
            if (s0 > 0 || (s0 === 0 && s1 > 0)) state++;
            // Elementwise events raise or lower the unit's state by one (which way: the exact signs, as above).
            if (s0 * s1 < 0) {
              if (refinable) source ??= this.rootSource(s, z, zErr);
              const root = setRoot(this.events.push(s, j, s1 > 0 ? 1 : -1).at, a, b, eaj, eb, j, ea - e0, refinable ? source : null);
              origin(root, s, -1, t[bp]);
              if (exactLine) placeRoot(root, s1, lo, hi, this.open.fLine);
            }
          }
          states[j] = state;
        }
      }
    } else {
      maxEvents(this.events, this.open, s, step, lo, hi, z, zErr, states);
    }
    const count = this.events.counts[s];
    sortEvents(events, count);
    // Two roots of a chained map the bound could not order (decided from exact lines): as above.
    if (chainedInput && ledger.exact !== exactBefore) return this.refresh(s, step, lo, hi, z, zErr, stack);

    const dense = this.fused[s];
    const map = buffers.map;
    const err = this.errs[s];
    this.stateMap(s, step, states, z, zErr, dense, map, err);
    const resume = dense !== null ? s + 2 : s + 1;
    // Deeper steps never write this step's states: set them once, then only the units that change.
    this.kernel.setStepStates(s);
    // No event, and the next step is the output: the one sub-piece is the piece, emitted here as
    // enter would (its map checked as walkAffine's end does), without a frame to walk. Where that
    // check does not pass at once, or a split walk asks about top pieces, enter below says why.
    if (count === 0 && resume === this.steps.length && this.outputReady(s, err)) {
      this.emit(lo, hi, map);
      return null;
    }
    let f = this.frames[s];
    if (f === null) {
      f = { s, step, events, count, e: 0, start: lo, hi, states, z, zErr, dense, map, err, resume, stack, childDone: false, updates: 0 };
      this.frames[s] = f;
      return f;
    }
    f.count = count;
    f.e = 0;
    f.start = lo;
    f.hi = hi;
    // states, map and err are this step's buffers; they change only when the kernel's memory is laid out again.
    f.states = states;
    f.z = z;
    f.zErr = zErr;
    f.map = map;
    f.stack = stack;
    f.childDone = false;
    f.updates = 0;
    return f;
  }

  /**
   * Whether step s's map, the output's, passes the check walkAffine makes at the end (finite,
   * normal or zero, finite bounds; no underflow scan due, as the reach is at least 1) from the
   * flags its last writer left, and no split walk asks about top pieces.
   */
  private outputReady(s: number, err: Float64Array): boolean {
    return this.topClaim === null && !((this.walk.reach as number) < 1) && this.kernel.stepMapInRange(s) && err[0] - err[0] === 0 && err[1] - err[1] === 0;
  }

  /**
   * Piecewise step s's input is a chained map (the frame chainedFrom's) whose bound left a
   * decision open: that map is made again as a full product (its fresh bound, per-unit bounds and,
   * where those do not settle it, the exact tests, as where nothing is propagated), and step s cut again.
   */
  private refresh(s: number, step: PiecewiseStep, lo: Root, hi: Root, z: Float64Array, zErr: Float64Array, stack: Branches | null): PieceFrame | null {
    const from = this.chainedFrom as PieceFrame;
    this.refreshedMaps++;
    this.inputDirection[from.s] = -1;
    this.stateMap(from.s, from.step, from.states, from.z, from.zErr, from.dense, from.map, from.err);
    // The product packed the parent's states (the same ones) into the pattern: not this step's.
    this.kernel.forgetPacked();
    from.updates = 0;
    this.sumsFrom = from;
    this.units.fused(from.step, from.z, from.dense as AffineStep, 0, from.states, from.step.kind === "elementwise" ? this.fusedSums : null);
    this.unitCarried[0] = this.carriedErr[2 * from.s];
    this.unitCarried[1] = this.carriedErr[2 * from.s + 1];
    this.unitInput = (this.carryFlags[from.s] & PER_UNIT) !== 0 ? from.s : -1;
    this.chainedInput = false;
    return this.piecewise(s, step, lo, hi, z, zErr, stack);
  }

  /**
   * The map (and its error bound) after a piecewise step with fixed states, followed by the
   * dense step `dense` when it is given.
   */
  private stateMap(s: number, step: PiecewiseStep, states: Uint8Array, z: Float64Array, zErr: Float64Array, dense: AffineStep | null, map: Float64Array, err: Float64Array): void {
    if (dense !== null) {
      if (this.propagates[s] && this.inputDirection[s] >= 0 && this.topClaim === null && this.propagation.propagated(s, step, dense, zErr, err, this.buffers)) return;
      // A full product (whether or not this step's maps may be propagated): the next step's input
      // changes by no known direction.
      this.chained[s] = 0;
      if (this.propagates[s + 2]) this.inputDirection[s + 2] = -1;
      // Counting, into the one output: its sums in an order of their own (relu1), as nothing of it is reported.
      let largest =
        step.kind === "elementwise"
          ? ((this.sink !== null && dense.outSize === 1 ? this.kernel.productToOne(s, z, step.size, dense) : null) ?? this.kernel.productAfterElementwise(s, z, step.size, dense))
          : null;
      if (largest === null) {
        largest = this.products.denseAfterStates(step, states, z, dense, map);
        this.kernel.forgetRange(s);
      }
      const norm = this.norms[s];
      const gamma = (dense.inSize + 2) * EPS;
      const local = this.localErr;
      local[2 * s] = norm * gamma * largest[0] + 2 * EPS * this.biasMaxima[s];
      local[2 * s + 1] = norm * gamma * largest[1];
      this.freshErr[2 * s] = local[2 * s];
      this.freshErr[2 * s + 1] = local[2 * s + 1];
      this.bounds.carry(s, step, states, zErr);
      this.bounds.globalErr(s, err);
    } else {
      applyStates(step, states, z, map, 2);
      this.kernel.forgetRange(s);
      // Each output moves by its unit's slope on the piece times the input's error (max groups: 1).
      const slope = slopeOnPiece(step, states);
      for (let c = 0; c < 2; c++) err[c] = slope * zErr[c];
    }
  }

  /**
   * Step s's input bound measured (line-anchor.ts: its carried part, against the exact map or
   * by the adjoint bound), then step s cut again with it.
   */
  private anchor(s: number, step: PiecewiseStep, lo: Root, hi: Root, z: Float64Array, zErr: Float64Array, stack: Branches | null): PieceFrame | null {
    const p = this.inputOf[s];
    this.anchors.measure(s, p, z, zErr, this.walk.reach as number, this.nearMaps);
    this.unitCarried[0] = this.carriedErr[2 * p];
    this.unitCarried[1] = this.carriedErr[2 * p + 1];
    this.unitInput = p;
    // decide0 may have kept this piece's provisional states as the previous piece's: no propagated product from them.
    this.inputDirection[s] = -1;
    return this.piecewise(s, step, lo, hi, z, zErr, stack);
  }

  /** What the adjoint bound reads of the walk: the frames of the steps above the one being cut (live, depth first). */
  private adjointChain(): AdjointChain {
    return {
      step: (q) => this.steps[q] as PiecewiseStep,
      dense: (q) => this.fused[q] as AffineStep,
      below: (q) => this.inputOf[q],
      local: (q, c) => this.localErr[2 * q + c],
      states: (q) => (this.frames[q] as PieceFrame).states,
      inputErr: (q) => (this.frames[q] as PieceFrame).zErr,
      measured: (q) => ((this.carryFlags[q] & MEASURED) !== 0 && this.bounds.vecOf(q)[0] < SATURATED ? this.bounds.vecOf(q) : null),
      carried: (q) => ((this.carryFlags[q] & PER_UNIT) !== 0 && this.bounds.vecOf(q)[0] < SATURATED ? this.bounds.vecOf(q) : null),
      mapErr: (q) => (this.frames[q] as PieceFrame).err,
      map: (q) => (this.frames[q] as PieceFrame).map,
      exactMap: (q) => this.exact.input(q + 2),
    };
  }

  /** Whether anchor and position try the near-exact maps before the exact ones (false: the exact ones only; tests). */
  nearMaps = true;
  /** Anchors measured from the rounded, double-double and triple-double maps, and ends placed from them (line-near.ts; tests, benchmarks). */
  get roundedMeasures(): number {
    return this.nearExact.roundedMeasures;
  }
  get doubleMeasures(): number {
    return this.nearExact.doubleMeasures;
  }
  get tripleMeasures(): number {
    return this.nearExact.tripleMeasures;
  }
  get roundedPlacements(): number {
    return this.nearExact.roundedPlacements;
  }
  get doublePlacements(): number {
    return this.nearExact.doublePlacements;
  }
  get triplePlacements(): number {
    return this.nearExact.triplePlacements;
  }

  /**
   * Unit j's bound within the map z of the step being cut (bound zErr per channel, global): its
   * own local bound (unit-error.ts) plus the carried part of the channel's, at most zErr.
   */
  private unitBound(j: number, zErr: Float64Array, z: Float64Array, out: Float64Array): void {
    const p = this.unitInput;
    // Its own local bound (unit-error.ts) where known, else the channel's local part of the map above.
    if (this.units.known) this.units.unit(j, zErr, z, out);
    else {
      out[0] = this.localErr[2 * p];
      out[1] = this.localErr[2 * p + 1];
    }
    // The carried part: the unit's own where the map above keeps it per unit (carry), else the channel's.
    const vec = p >= 0 ? this.bounds.vecOf(p) : null;
    const c0 = vec === null ? this.unitCarried[0] : vec[j];
    const c1 = vec === null ? this.unitCarried[1] : vec[vec.length / 2 + j];
    const grow = 1 + 4 * EPS;
    out[0] = Math.min(zErr[0], (out[0] + c0) * grow);
    out[1] = Math.min(zErr[1], (out[1] + c1) * grow);
  }

  private emit(lo: Root, hi: Root, map: Float64Array): void {
    this.budget?.tick();
    if (this.sink !== null) {
      this.sink.add(this.pattern);
      return;
    }
    this.emitted.add(lo, hi, map, this.frame, this.segmentIndex, this.pattern, this.nearMaps);
  }

  result(path: Float64Array, segments: number): LinePartition {
    const partition = linePartitionOf(path, segments, this.compiled.layout, this.compiled.outputSize, this.pieces());
    // Present only when some decision was left open (so the partitions of every other count are as before).
    if (this.uncertain > 0) partition.uncertain = this.uncertain;
    return partition;
  }

  /** The pieces walked so far, as views of the engine's arrays. */
  pieces(): LinePieces {
    return this.emitted.pieces();
  }

  /** Roots placed from their exact lines at emit (line-emit.ts position; tests, benchmarks). */
  get placedRoots(): number {
    return this.emitted.placedRoots;
  }
}
