/**
 * An elementwise step's cut of a cell in the plane engine's JavaScript descent (plane.ts): each
 * breakpoint t of unit j is the line z_j(u, v) = t. A float filter decides most units at once
 * (plane-filter.ts: the centroid test, then the vertex tests with the channel's bounds, the
 * unit's own, its adjoint bound: plane-adjoint-bounds.ts); the lines that cut the cell cut it
 * recursively, like a BSP tree, and the ties left within a bound are settled exactly
 * (plane-ties.ts).
 */
import { grown } from "../geometry/grown.ts";
import { classify, type LineTable, type PolygonArena, roundingTies, SPLIT, split, WHOLE_MINUS, WHOLE_PLUS } from "../geometry/polygon.ts";
import type { ElementwiseStep } from "../model/steps.ts";
import { EPS as UNIT_ROUNDOFF } from "./map-error.ts";
import type { AdjointBounds } from "./plane-adjoint-bounds.ts";
import { classifyCutLines, filterUnits, kernelCodes, placeCutLines, updateCutLine, vertexTests } from "./plane-filter.ts";
import type { Cut, StepScratch } from "./plane-frame.ts";
import type { LineBounds } from "./plane-line-bounds.ts";
import type { TieDecisions } from "./plane-ties.ts";
import type { UnitBounds } from "./unit-error.ts";

// Module-local copies (some loaders, tsx, turn every read of an imported binding into a getter call).
const EPS = UNIT_ROUNDOFF;
/** Relative rounding bound of a + b u + c v evaluated in float64 (see geometry/polygon.ts). */
const FILTER_EPS = 4 * EPS;
/** Rounds a sum of two bounds up (the line engine's globalErr). */
const GROW = 1 + 4 * EPS;

export class ElementwiseCut {
  /** The classification's signs at a polygon's vertices (split follows them). */
  private signs = new Int8Array(64);
  private readonly unitErr = new Float64Array(3);

  constructor(
    private readonly lines: LineTable,
    private readonly lineBounds: LineBounds,
    private readonly ties: TieDecisions,
    private readonly adjoint: AdjointBounds,
    /** The engine's: where the map cut came from (unit-error.ts), and the carried part of its channel bounds (enter). */
    private readonly units: UnitBounds,
    private readonly unitCarried: Float64Array,
  ) {}

  /** Polygon root of step s's arena cut by the breakpoint lines of its units (z its input map, 3 x size, within zErr). */
  cut(step: ElementwiseStep, s: number, arena: PolygonArena, root: number, z: Float64Array, zErr: Float64Array): Cut {
    const e0 = zErr[0];
    const e1 = zErr[1];
    const e2 = zErr[2];
    const n = step.size;
    const t = step.breakpoints;
    const sc = this.scratchFor(s, n, t.length);
    const { full, crossingOf, crossing, la, lb, lc, lea, leb, lec, unitOf, idOf } = sc;
    this.cutZ = z;
    this.cutZErr = zErr;
    this.adjoint.reset(s, z, zErr);
    let nc = 0;
    let L = 0; // lines that cut the polygon: (unit, breakpoint) pairs, in that order
    // Float filter over the parent's vertices for all units at once; exact only when undecided.
    const vs = arena.start[root];
    const vn = arena.size[root];
    const uv = arena.uv;
    const er = arena.err;
    const signs = this.ensureSigns(vn + 2);
    // The parent's bounding box about its centroid: a unit whose line stays farther from the
    // centroid than the box reaches has one sign at every vertex (one evaluation, not vn).
    let cu = 0;
    let cv = 0;
    let errMax = 0;
    for (let k = 0; k < vn; k++) {
      cu += uv[2 * (vs + k)];
      cv += uv[2 * (vs + k) + 1];
      errMax = Math.max(errMax, er[vs + k]);
    }
    cu /= vn;
    cv /= vn;
    let ru = 0;
    let rv = 0;
    let reach = 0;
    for (let k = 0; k < vn; k++) {
      const u = uv[2 * (vs + k)];
      const v = uv[2 * (vs + k) + 1];
      ru = Math.max(ru, Math.abs(u - cu));
      rv = Math.max(rv, Math.abs(v - cv));
      reach = Math.max(reach, Math.abs(u), Math.abs(v));
    }
    // The bound of a + b u + c v about the centroid, over the box and with every rounding:
    //   spread (1 + 4 eps) + (slack + e1 + e2) errMax + 4 FILTER_EPS (|a| + slack reach + spread)
    //   + ea + (e1 + e2) reach,   spread = |b| ru + |c| rv,  slack = |b| + |c|,
    // with its terms gathered per coefficient once per polygon (pu, pv, base), so that a unit
    // costs a few products (plane-filter.ts; the regrouping's rounding is covered there, and a
    // larger bound only sends a unit on to the vertex tests).
    const K = 4 * FILTER_EPS;
    const pu = ru * (1 + 4 * EPS) + errMax + K * (reach + ru);
    const pv = rv * (1 + 4 * EPS) + errMax + K * (reach + rv);
    const base = (e1 + e2) * (errMax + reach);
    const undecided = filterUnits(z, n, t, cu, cv, pu, pv, base, K, e0, full, sc.undecided);
    // The first pass of the vertex tests below (channel bounds) for every undecided pair at once,
    // in WebAssembly where available: a pair it decides needs nothing more here.
    const codesAt = undecided > 0 ? vertexTests(uv, er, vs, vn, zErr[1], zErr[2]) : -1;
    const codes = kernelCodes();
    // The lines near the polygon: float test at each vertex, exact only when that is undecided.
    const pairs = sc.undecided;
    const ue = this.unitErr;
    let bounded = -1;
    for (let p = 0; p < undecided; p++) {
      const j = pairs[2 * p];
      const bp = pairs[2 * p + 1];
      const b = z[n + j];
      const c = z[2 * n + j];
      const slack = Math.abs(b) + Math.abs(c);
      const a = z[j] - t[bp];
      const rounding = t[bp] === 0 ? 0 : 2 * EPS * Math.abs(z[j]);
      // The channel's bounds first (the largest unit's); the unit's own when that leaves a vertex
      // undecided (pairs come in unit order). A cutting line keeps the channel's until a piece's
      // vertex is undecided by them (classifyListed). Both are relative to the exact map: a line
      // whose slopes may be nothing but rounding carried from earlier layers (a deep layer's map
      // on a cell where every input it weighs is saturated) has them within its bounds, so its
      // tests are ties, decided exactly.
      let ea = e0 + rounding;
      let e1 = zErr[1];
      let e2 = zErr[2];
      let plus = false;
      let minus = false;
      let unsure = false;
      let own = 0;
      const code = codesAt < 0 ? 4 : codes[codesAt + p];
      if ((code & 4) === 0) {
        plus = (code & 1) !== 0;
        minus = (code & 2) !== 0;
      }
      for (let pass = 0; pass < 3 && (code & 4) !== 0; pass++) {
        plus = false;
        minus = false;
        unsure = false;
        for (let k = 0; k < vn; k++) {
          const i = vs + k;
          const u = uv[2 * i];
          const v = uv[2 * i + 1];
          const bu = b * u;
          const cw = c * v;
          const f = a + bu + cw;
          const bound = (slack + e1 + e2) * er[i] + FILTER_EPS * (Math.abs(a) + Math.abs(bu) + Math.abs(cw)) + ea + e1 * Math.abs(u) + e2 * Math.abs(v);
          if (f > bound) plus = true;
          else if (-f > bound) minus = true;
          else unsure = true;
        }
        if (pass === 2 || !this.units.known || !unsure) break;
        if (pass === 0) {
          if (j !== bounded) this.unitBound(j, zErr, z, ue);
          bounded = j;
        } else if (!this.adjoint.lower(j, ue)) break; // its own bound left it open: the adjoint one, if lower
        ea = ue[0] + rounding;
        e1 = ue[1];
        e2 = ue[2];
        own = 1;
      }
      let cls: number;
      if (plus && minus) cls = SPLIT;
      else if (!unsure) cls = plus ? WHOLE_PLUS : WHOLE_MINUS;
      else {
        const ties = roundingTies.count;
        cls = classify(arena, root, this.lines, a, b, c, signs, ea, e1, e2);
        if (roundingTies.count !== ties) {
          cls = this.ties.settle(arena, root, signs, j, t[bp]);
        }
      }
      if (cls === WHOLE_PLUS) full[j]++;
      else if (cls === SPLIT) {
        // Pairs come in unit order: a unit's first cutting line makes it a crossing unit.
        if (nc === 0 || crossing[nc - 1] !== j) {
          crossingOf[j] = nc;
          crossing[nc++] = j;
        }
        la[L] = a;
        lb[L] = b;
        lc[L] = c;
        sc.shift[L] = t[bp];
        sc.own[L] = own;
        lea[L] = ea;
        leb[L] = e1;
        lec[L] = e2;
        unitOf[L] = crossingOf[j];
        idOf[L] = -1;
        L++;
      }
    }
    sc.nc = nc;
    if (sc.states.length < nc) sc.states = new Uint8Array(4 * nc);
    if (L === 0) {
      // No line cuts the polygon (so no crossing unit): one piece, the parent itself.
      sc.pieces[0] = root;
      sc.pieceCount = 1;
      return sc;
    }
    // Cut recursively, like a BSP tree: each sub-polygon is tested only against the remaining
    // lines that cut its parent, so a layer of n lines costs about (cells x lines crossing a
    // cell) instead of (cells x n).
    const cur = sc.cur;
    for (let c = 0; c < nc; c++) cur[c] = full[crossing[c]];
    sc.pieceCount = 0;
    if (sc.work.length < 4 * L + 16) sc.work = new Int32Array(4 * L + 16);
    for (let k = 0; k < L; k++) sc.work[k] = k;
    this.cutKernel = placeCutLines(la, lb, lc, lea, leb, lec, L);
    this.cutBy(sc, s, arena, root, 0, L);
    return sc;
  }

  /**
   * Cut `poly` by the lines sc.work[from .. to), all known to cut it, and emit the pieces with
   * their crossing units' states (sc.cur holds the states of the lines already passed).
   */
  private cutBy(sc: StepScratch, s: number, arena: PolygonArena, poly: number, from: number, to: number): void {
    const { la, lb, lc, unitOf, idOf, cur } = sc;
    if (from === to) {
      const nc = sc.nc;
      const r = sc.pieceCount++;
      if (r >= sc.pieces.length) sc.pieces = grown(sc.pieces, 2 * sc.pieces.length);
      if ((r + 1) * nc > sc.states.length) sc.states = grown(sc.states, 2 * (r + 1) * nc);
      sc.pieces[r] = poly;
      const row = sc.states;
      for (let c = 0; c < nc; c++) row[r * nc + c] = cur[c];
      return;
    }
    const k = sc.work[from];
    const cls = this.classifyListed(sc, arena, poly, k);
    if (cls !== SPLIT) throw new Error("internal: a listed line does not cut its polygon");
    if (idOf[k] < 0) {
      // Its unit's adjoint bound where one was made after the line was listed (the vertices
      // the split makes are widened by the line's bounds).
      if (this.adjoint.any) this.adjointLine(sc, k, false);
      idOf[k] = this.lines.add(la[k], lb[k], lc[k], unitOf[k], s);
      // Every line is recorded: its exact line (plane-ties.ts settle's exact vertices, the engine's emit's test of slivers) needs its source.
      this.ties.rounded(idOf[k], s, sc.crossing[unitOf[k]], -1, sc.shift[k]);
      this.lineBounds.bound(idOf[k], sc.lea[k], sc.leb[k], sc.lec[k]);
    }
    const plus = split(arena, poly, this.lines, idOf[k], this.signs, arena);
    this.lineBounds.widen(arena, plus, idOf[k]);
    // The minus part (plus + 1), then the plus part, which raises unit k's state.
    for (let side = 0; side < 2; side++) {
      const child = side === 0 ? plus + 1 : plus;
      if (side === 1) cur[unitOf[k]]++;
      // Filter the remaining lines for this child into the free space after `to`: lines
      // with the child wholly on their positive side raise a state (undone after), and
      // go first; lines that cut the child follow, as the child's own list. The child
      // writes only beyond its list, so the undo entries stay intact.
      const n = to - from;
      if (sc.work.length < to + 2 * n + 2) sc.work = grown(sc.work, 2 * (to + 2 * n + 2));
      const work = sc.work;
      let undo = to;
      let cutEnd = to + n;
      // The float tests of every listed line at once (WebAssembly); a line they leave open (code
      // 0: a vertex within its bound) is classified here, with ties settled.
      const codesAt = this.cutKernel ? classifyCutLines(arena.uv, arena.err, arena.start[child], arena.size[child], work, from + 1, to) : -1;
      const codes = kernelCodes();
      for (let w = from + 1; w < to; w++) {
        const m = work[w];
        const code = codesAt < 0 ? 0 : codes[codesAt + w - from - 1];
        const c2 = code !== 0 ? code : this.classifyListed(sc, arena, child, m);
        if (c2 === SPLIT) work[cutEnd++] = m;
        else if (c2 === WHOLE_PLUS) {
          cur[unitOf[m]]++;
          work[undo++] = m;
        }
      }
      const listLength = cutEnd - (to + n);
      work.copyWithin(undo, to + n, cutEnd);
      this.cutBy(sc, s, arena, child, undo, undo + listLength);
      // The recursion may have grown sc.work (a copy: the undo entries are still there).
      for (let w = to; w < undo; w++) cur[unitOf[sc.work[w]]]--;
      if (side === 1) cur[unitOf[k]]--;
    }
  }

  private readonly scratch: (StepScratch | undefined)[] = [];
  /** Whether the cut's lines are in the WebAssembly kernel (plane-filter.ts: placeCutLines). */
  private cutKernel = false;

  /** Classify polygon poly against listed line k of the cut, settling rounding ties (plane-ties.ts settle). */
  private classifyListed(sc: StepScratch, arena: PolygonArena, poly: number, k: number): number {
    let ties = roundingTies.count;
    let cls = classify(arena, poly, this.lines, sc.la[k], sc.lb[k], sc.lc[k], this.ensureSigns(arena.size[poly] + 2), sc.lea[k], sc.leb[k], sc.lec[k]);
    if (roundingTies.count === ties) return cls;
    if (sc.own[k] === 0 && this.units.known) {
      // The line's unit's own bounds, then again (the channel's are the largest unit's).
      const ue = this.unitErr;
      const j = sc.crossing[sc.unitOf[k]];
      const z = this.cutZ;
      this.unitBound(j, this.cutZErr, z, ue);
      sc.lea[k] = ue[0] + (sc.shift[k] === 0 ? 0 : 2 * EPS * Math.abs(z[j]));
      sc.leb[k] = ue[1];
      sc.lec[k] = ue[2];
      sc.own[k] = 1;
      if (this.cutKernel) updateCutLine(k, sc.lea[k], sc.leb[k], sc.lec[k]);
      ties = roundingTies.count;
      cls = classify(arena, poly, this.lines, sc.la[k], sc.lb[k], sc.lc[k], this.ensureSigns(arena.size[poly] + 2), sc.lea[k], sc.leb[k], sc.lec[k]);
      if (roundingTies.count === ties) return cls;
    }
    if (this.adjointLine(sc, k, true)) {
      ties = roundingTies.count;
      cls = classify(arena, poly, this.lines, sc.la[k], sc.lb[k], sc.lc[k], this.ensureSigns(arena.size[poly] + 2), sc.lea[k], sc.leb[k], sc.lec[k]);
      if (roundingTies.count === ties) return cls;
    }
    return this.ties.settle(arena, poly, this.signs, sc.crossing[sc.unitOf[k]], sc.shift[k]);
  }

  /**
   * Listed line k's bounds lowered to its unit's adjoint bound where smaller (made now if `make`
   * and AdjointBounds.boundFor makes it, else only one made for another line of the cut): whether any was.
   */
  private adjointLine(sc: StepScratch, k: number, make: boolean): boolean {
    const j = sc.crossing[sc.unitOf[k]];
    if (make ? !this.adjoint.boundFor(j) : j >= this.adjoint.have.length || this.adjoint.have[j] === 0) return false;
    const z = this.cutZ;
    const a = this.adjoint.of;
    const ea = a[3 * j] + (sc.shift[k] === 0 ? 0 : 2 * EPS * Math.abs(z[j]));
    if (!(ea < sc.lea[k] || a[3 * j + 1] < sc.leb[k] || a[3 * j + 2] < sc.lec[k])) return false;
    sc.lea[k] = Math.min(sc.lea[k], ea);
    sc.leb[k] = Math.min(sc.leb[k], a[3 * j + 1]);
    sc.lec[k] = Math.min(sc.lec[k], a[3 * j + 2]);
    if (this.cutKernel) updateCutLine(k, sc.lea[k], sc.leb[k], sc.lec[k]);
    return true;
  }

  /** The map being cut and its channel bounds (for lines whose unit bounds are computed late). */
  private cutZ: Float64Array = new Float64Array(0);
  private cutZErr: Float64Array = new Float64Array(0);

  /** Per-step buffers, reused by every cell that reaches the step (depth-first: one at a time). */
  private scratchFor(s: number, units: number, breakpoints: number): StepScratch {
    let sc = this.scratch[s];
    if (!sc) {
      const lines = units * breakpoints;
      sc = {
        full: new Uint8Array(units),
        crossingOf: new Int32Array(units),
        crossing: new Int32Array(units),
        nc: 0,
        cur: new Uint8Array(units),
        pieces: new Int32Array(64),
        pieceCount: 0,
        states: new Uint8Array(1024),
        fullStates: new Uint8Array(0),
        la: new Float64Array(lines),
        lb: new Float64Array(lines),
        lc: new Float64Array(lines),
        lea: new Float64Array(lines),
        shift: new Float64Array(lines),
        own: new Uint8Array(lines),
        leb: new Float64Array(lines),
        lec: new Float64Array(lines),
        unitOf: new Int32Array(lines),
        idOf: new Int32Array(lines),
        work: new Int32Array(4 * lines + 16),
        undecided: new Int32Array(2 * lines),
      };
      sc.fullStates = sc.full;
      this.scratch[s] = sc;
    }
    return sc;
  }

  /**
   * Unit j's bound within the map z being cut (channel bounds zErr, relative to the exact map):
   * its own local bound (unit-error.ts) plus the carried part of the channel's, at most zErr.
   */
  private unitBound(j: number, zErr: Float64Array, z: Float64Array, out: Float64Array): void {
    this.units.unit(j, zErr, z, out);
    const carried = this.unitCarried;
    for (let c = 0; c < 3; c++) out[c] = Math.min(zErr[c], (out[c] + carried[c]) * GROW);
  }

  private ensureSigns(n: number): Int8Array {
    if (this.signs.length < n) this.signs = new Int8Array(2 * n);
    return this.signs;
  }
}
