// Part of the plane kernel (plane-cut.as, the entry, imports it; AssemblyScript, built with it).
// The cut of one polygon by a step's breakpoint lines (plane.ts: cutElementwise, cutBy).

import { EPS, FILTER_EPS, TINY, WHOLE_PLUS, SPLIT } from "./constants";
import { bad, ld, sd, li, si, lb, sb, gi, pi, alloc, regrow, V_PTR, V_LEN, vreserve, laneMax, runMax, nanLanes, laneMaxNaN } from "./memory";
import { beginLines, addLine } from "./lines";
import { A_UV, A_ERR, A_START, A_SIZE, A_VCOUNT, A_PCOUNT, arenaCopy, tieExact, classifyFloat, widenCut, split } from "./polygons";
import { S_N, S_TN, S_T, S_FULL, S_CROSSINGOF, S_CROSSING, S_CUR, S_NC, S_PIECES, S_STATES, S_PIECECOUNT, S_LA, S_LB, S_LC, S_LEA, S_LEB, S_LEC, S_UNITOF, S_IDOF, S_WORK, S_WORKCAP, S_UNDECIDED, S_ARENA, S_PIECEARENA, S_Z, S_ZERR, S_LAST, S_ROWCHUNKS, S_ROWCHUNK, S_ROWUSED, S_ROWCAP, S_LROUND, S_LOWN } from "./steps";
import { ue0, ue1, ue2, unitBound, unitsKnown } from "./unit-bounds";
import { adjointAny, adjointReset, adjointLower, adjointLine } from "./adjoint";

// ---- the cut of one polygon by a step's breakpoint lines (plane.ts: cutElementwise, cutBy) -----

/** A record of states with no entry (the run makes it): the one piece of a cut that makes no line. */
export let emptyRecord: i32 = 0;

/** Cut polygon p of arena `from` by step st's lines (map st.z with bounds st.zErr): pieces and states in st. */
export function cutElementwise(st: i32, from: i32, p: i32): void {
  beginLines(st);
  adjointReset(st);
  const ar = gi(st, S_ARENA);
  pi(ar, A_VCOUNT, 0);
  pi(ar, A_PCOUNT, 0);
  const z = gi(st, S_Z);
  const zErr = gi(st, S_ZERR);
  const e0 = ld(zErr, 0);
  const e1 = ld(zErr, 1);
  const e2 = ld(zErr, 2);
  const n = gi(st, S_N);
  const tn = gi(st, S_TN);
  const t = gi(st, S_T);
  const full = gi(st, S_FULL);
  const crossingOf = gi(st, S_CROSSINGOF);
  const crossing = gi(st, S_CROSSING);
  const la = gi(st, S_LA);
  const lbp = gi(st, S_LB);
  const lc = gi(st, S_LC);
  const lea = gi(st, S_LEA);
  const leb = gi(st, S_LEB);
  const lec = gi(st, S_LEC);
  const unitOf = gi(st, S_UNITOF);
  const idOf = gi(st, S_IDOF);
  let nc = 0;
  let L = 0;
  // The polygon's vertices read where they are (arena `from`): it is copied into this step's
  // arena only when the cut makes lines (below).
  const vs = li(gi(from, A_START), p);
  const vn = li(gi(from, A_SIZE), p);
  const uv = gi(from, A_UV);
  const er = gi(from, A_ERR);
  // The centroid and the radii with a vertex's (u, v) as one f64x2 (lane 0 u, lane 1 v: each
  // lane the scalar sums in vertex order, the same doubles) and the maxima lane-wise: a scalar
  // f64.max is a compare and branches in V8, taken at random; over values >= 0 from +0 the maxima
  // are the same doubles in any order.
  let sum = f64x2.splat(0);
  let errTop = f64x2.splat(0);
  let k = 0;
  for (; k + 2 <= vn; k += 2) {
    sum = f64x2.add(sum, v128.load(<usize>(uv + ((vs + k) << 4))));
    sum = f64x2.add(sum, v128.load(<usize>(uv + ((vs + k + 1) << 4))));
    errTop = f64x2.max(errTop, v128.load(<usize>(er + ((vs + k) << 3))));
  }
  if (k < vn) {
    sum = f64x2.add(sum, v128.load(<usize>(uv + ((vs + k) << 4))));
    errTop = f64x2.max(errTop, f64x2.splat(ld(er, vs + k)));
  }
  const errMax = laneMax(errTop);
  const centroid = f64x2.div(sum, f64x2.splat(<f64>vn));
  const cu = f64x2.extract_lane(centroid, 0);
  const cv = f64x2.extract_lane(centroid, 1);
  let radius = f64x2.splat(0);
  let reach2 = radius;
  let nanRadius = v128.xor(radius, radius);
  let nanReach = nanRadius;
  for (let k = 0; k < vn; k++) {
    const w = v128.load(<usize>(uv + ((vs + k) << 4)));
    const off = f64x2.sub(w, centroid);
    radius = runMax(radius, f64x2.abs(off));
    reach2 = runMax(reach2, f64x2.abs(w));
    nanRadius = nanLanes(nanRadius, off);
    nanReach = nanLanes(nanReach, w);
  }
  radius = v128.bitselect(f64x2.splat(NaN), radius, nanRadius);
  const ru = f64x2.extract_lane(radius, 0);
  const rv = f64x2.extract_lane(radius, 1);
  const rch = laneMaxNaN(reach2, nanReach);
  const K = 4 * FILTER_EPS;
  const pu = ru * (1 + 4 * EPS) + errMax + K * (rch + ru);
  const pv = rv * (1 + 4 * EPS) + errMax + K * (rch + rv);
  const base = (e1 + e2) * (errMax + rch);
  // filterUnits (plane-filter.ts): the centroid test.
  const pairs = gi(st, S_UNDECIDED);
  let undecided = 0;
  let j0 = 0;
  if (tn == 1) {
    // One breakpoint (ReLU and the like): two units at a time in f64x2 lanes, each lane the
    // scalar loop's operations in its order (no fused multiply-add: the same doubles), the
    // undecided pairs listed unit by unit as below. Most cuts of a deep narrow network end here.
    const tb = ld(t, 0);
    const vPu = f64x2.splat(pu);
    const vPv = f64x2.splat(pv);
    const vBase = f64x2.splat(base);
    const vTb = f64x2.splat(tb);
    const vE0 = f64x2.splat(e0);
    const vRound = f64x2.splat(tb == 0 ? 0 : 2 * EPS);
    const vK = f64x2.splat(K);
    const vCu = f64x2.splat(cu);
    const vCv = f64x2.splat(cv);
    const vGrow = f64x2.splat(1 + 64 * EPS);
    const vTiny = f64x2.splat(TINY);
    const vZero = f64x2.splat(0);
    for (; j0 + 2 <= n; j0 += 2) {
      const zj = v128.load(<usize>(z + (j0 << 3)));
      const b = v128.load(<usize>(z + ((n + j0) << 3)));
      const c = v128.load(<usize>(z + ((2 * n + j0) << 3)));
      const ub = f64x2.add(f64x2.add(f64x2.mul(f64x2.abs(b), vPu), f64x2.mul(f64x2.abs(c), vPv)), vBase);
      const a = f64x2.sub(zj, vTb);
      const ea = tb == 0 ? vE0 : f64x2.add(vE0, f64x2.mul(vRound, f64x2.abs(zj)));
      const fc = f64x2.add(f64x2.add(a, f64x2.mul(b, vCu)), f64x2.mul(c, vCv));
      const bound = f64x2.add(f64x2.mul(f64x2.add(f64x2.add(ub, f64x2.mul(vK, f64x2.abs(a))), ea), vGrow), vTiny);
      const decided = f64x2.gt(f64x2.abs(fc), bound);
      const positive = f64x2.gt(fc, vZero);
      for (let lane = 0; lane < 2; lane++) {
        const j = j0 + lane;
        let state = 0;
        if ((lane == 0 ? i64x2.extract_lane(decided, 0) : i64x2.extract_lane(decided, 1)) != 0) {
          state = <i32>((lane == 0 ? i64x2.extract_lane(positive, 0) : i64x2.extract_lane(positive, 1)) != 0);
        } else {
          si(pairs, 2 * undecided, j);
          si(pairs, 2 * undecided + 1, 0);
          undecided++;
        }
        sb(full, j, state);
      }
    }
  }
  for (let j = j0; j < n; j++) {
    let state = 0;
    const b = ld(z, n + j);
    const c = ld(z, 2 * n + j);
    const unitBound = Math.abs(b) * pu + Math.abs(c) * pv + base;
    for (let bp = 0; bp < tn; bp++) {
      const a = ld(z, j) - ld(t, bp);
      const ea = ld(t, bp) == 0 ? e0 : e0 + 2 * EPS * Math.abs(ld(z, j));
      const fc = a + b * cu + c * cv;
      const bound = (unitBound + K * Math.abs(a) + ea) * (1 + 64 * EPS) + TINY;
      if (Math.abs(fc) > bound) {
        state += <i32>(fc > 0);
      } else {
        si(pairs, 2 * undecided, j);
        si(pairs, 2 * undecided + 1, bp);
        undecided++;
      }
    }
    sb(full, j, state);
  }
  // The vertex tests as plane.ts's: with the channel's bounds (read per pair: an adjoint bound
  // may lower them in the cut), then the unit's own, then its adjoint bound; a vertex within the
  // last: give up (plane.ts decides it exactly).
  const lround = gi(st, S_LROUND);
  const lown = gi(st, S_LOWN);
  const known = unitsKnown(st);
  let bounded = -1;
  for (let q = 0; q < undecided; q++) {
    const j = li(pairs, 2 * q);
    const bp = li(pairs, 2 * q + 1);
    const b = ld(z, n + j);
    const c = ld(z, 2 * n + j);
    const slack = Math.abs(b) + Math.abs(c);
    const a = ld(z, j) - ld(t, bp);
    const rounding = ld(t, bp) == 0 ? 0 : 2 * EPS * Math.abs(ld(z, j));
    let ea = e0 + rounding;
    let f1 = ld(zErr, 1);
    let f2 = ld(zErr, 2);
    let own = 0;
    let plus = false;
    let minus = false;
    let unsure = false;
    for (let pass = 0; pass < 3; pass++) {
      plus = false;
      minus = false;
      unsure = false;
      for (let k = 0; k < vn; k++) {
        const i = vs + k;
        const u = ld(uv, 2 * i);
        const v = ld(uv, 2 * i + 1);
        const bu = b * u;
        const cw = c * v;
        const f = a + bu + cw;
        const bound = (slack + f1 + f2) * ld(er, i) + FILTER_EPS * (Math.abs(a) + Math.abs(bu) + Math.abs(cw)) + ea + f1 * Math.abs(u) + f2 * Math.abs(v);
        if (f > bound) plus = true;
        else if (-f > bound) minus = true;
        else {
          unsure = true; // the pass's other signs do not matter: the next pass or the exact decision
          break;
        }
      }
      if (pass == 2 || !known || !unsure) break;
      if (pass == 0) {
        if (j != bounded) unitBound(st, j);
        bounded = j;
      } else if (!adjointLower(st, j)) break;
      ea = ue0 + rounding;
      f1 = ue1;
      f2 = ue2;
      own = 1;
    }
    if (unsure) {
      bad = 1;
      return;
    }
    if (plus && minus) {
      if (nc == 0 || li(crossing, nc - 1) != j) {
        si(crossingOf, j, nc);
        si(crossing, nc, j);
        nc++;
      }
      sd(la, L, a);
      sd(lbp, L, b);
      sd(lc, L, c);
      sd(lea, L, ea);
      sd(leb, L, f1);
      sd(lec, L, f2);
      sd(lround, L, rounding);
      sb(lown, L, own);
      si(unitOf, L, li(crossingOf, j));
      si(idOf, L, -1);
      L++;
    } else if (plus) sb(full, j, lb(full, j) + 1);
  }
  pi(st, S_NC, nc);
  pi(st, S_PIECECOUNT, 0);
  const pv_ = gi(st, S_PIECES);
  pi(pv_, V_LEN, 0);
  pi(gi(st, S_STATES), V_LEN, 0);
  pi(st, S_ROWCHUNK, 0);
  if (L == 0) {
    // The cut makes no line: its one piece is polygon p where it is (S_PIECEARENA), with no
    // crossing unit, so its record of states is empty: addPiece's work written out, the record
    // the run's one empty record (the vectors hold at least one entry from prepare).
    pi(st, S_PIECEARENA, from);
    si(gi(pv_, V_PTR), 0, p);
    pi(pv_, V_LEN, 4);
    const sv = gi(st, S_STATES);
    si(gi(sv, V_PTR), 0, emptyRecord);
    pi(sv, V_LEN, 4);
    pi(st, S_PIECECOUNT, 1);
    return;
  }
  const root = arenaCopy(ar, from, p);
  pi(st, S_PIECEARENA, ar);
  const cur = gi(st, S_CUR);
  for (let c = 0; c < nc; c++) sb(cur, c, lb(full, li(crossing, c)));
  const work = gi(st, S_WORK);
  for (let k = 0; k < L; k++) si(work, k, k);
  cutBy(st, ar, root, 0, L);
}

/** A finished piece: its polygon and the crossing units' states (st.cur). */
export function addPiece(st: i32, poly: i32): void {
  const pv = gi(st, S_PIECES);
  const pp = vreserve(pv, 4);
  const r = gi(st, S_PIECECOUNT);
  si(pp, r, poly);
  pi(pv, V_LEN, 4 * (r + 1));
  const nc = gi(st, S_NC);
  const sv = gi(st, S_STATES);
  const sp = vreserve(sv, 4);
  // The record: how many entries, then (crossing index << 8 | state) for every crossing unit
  // whose state differs from the last piece's (all of them for the first piece), in index order.
  const record = stateRow(st, 4 + 4 * nc);
  si(sp, r, record);
  pi(sv, V_LEN, 4 * (r + 1));
  const cur = gi(st, S_CUR);
  const last = gi(st, S_LAST);
  let k = 0;
  for (let c = 0; c < nc; c++) {
    const x = lb(cur, c);
    if (r == 0 || x != lb(last, c)) {
      si(record, ++k, (c << 8) | x);
      sb(last, c, x);
    }
  }
  si(record, 0, k);
  pi(st, S_ROWUSED, gi(st, S_ROWUSED) - 4 * (nc - k)); // room for nc entries was taken
  pi(st, S_PIECECOUNT, r + 1);
}

/**
 * Room for one piece's record of states (`bytes` at most). Records are laid out in chunks of
 * S_ROWCAP bytes kept by the step (a linked list, each chunk's first word the next one), and a
 * step's next cut writes over the same chunks from the first: records are never moved. Why:
 * every piece had a row of all its crossing units' states in one vector doubled as it filled,
 * and the bump allocator keeps every earlier copy; the first step's cut of a large domain was
 * most of the kernel's memory (52 MB of rows on 2-512x3-1 over [-3,3]^2, with 64 MB of dead
 * copies behind them). A record lists only the states that changed from the piece before, which
 * is all the walk reads (the rank-one updates, the pattern bits).
 */
export function stateRow(st: i32, bytes: i32): i32 {
  let chunk = gi(st, S_ROWCHUNK);
  let used = gi(st, S_ROWUSED);
  if (chunk == 0 || used + bytes > gi(st, S_ROWCAP)) {
    let next = chunk == 0 ? gi(st, S_ROWCHUNKS) : gi(chunk, 0);
    if (next == 0) {
      next = alloc(16 + gi(st, S_ROWCAP));
      pi(next, 0, 0);
      if (chunk == 0) pi(st, S_ROWCHUNKS, next);
      else pi(chunk, 0, next);
    }
    chunk = next;
    used = 0;
    pi(st, S_ROWCHUNK, chunk);
  }
  pi(st, S_ROWUSED, used + bytes);
  return chunk + 16 + used;
}

/** Line k of step st on polygon poly, float tests with its bounds as they are (signs written); 0: undecided. */
@inline export function classifyLine(st: i32, ar: i32, poly: i32, k: i32): i32 {
  return classifyFloat(ar, poly, ld(gi(st, S_LA), k), ld(gi(st, S_LB), k), ld(gi(st, S_LC), k), ld(gi(st, S_LEA), k), ld(gi(st, S_LEB), k), ld(gi(st, S_LEC), k));
}

/**
 * plane-elementwise-cut.ts's classifyListed: line k of step st on polygon poly (signs written), with its bounds,
 * and where a vertex is within them (a rounding tie there) again with its unit's own bounds (once
 * per line), then with its unit's adjoint bound; 0 where plane.ts would decide exactly (a vertex
 * still within them, or within bounds that are all 0: its exact sign): the kernel gives up.
 */
export function classifyListed(st: i32, ar: i32, poly: i32, k: i32): i32 {
  let cls = classifyLine(st, ar, poly, k);
  if (cls != 0 || tieExact) return cls;
  const lown = gi(st, S_LOWN);
  if (lb(lown, k) == 0 && unitsKnown(st)) {
    const j = li(gi(st, S_CROSSING), li(gi(st, S_UNITOF), k));
    unitBound(st, j);
    sd(gi(st, S_LEA), k, ue0 + ld(gi(st, S_LROUND), k));
    sd(gi(st, S_LEB), k, ue1);
    sd(gi(st, S_LEC), k, ue2);
    sb(lown, k, 1);
    cls = classifyLine(st, ar, poly, k);
    if (cls != 0 || tieExact) return cls;
  }
  if (adjointLine(st, k, true)) return classifyLine(st, ar, poly, k);
  return 0;
}

export function cutBy(st: i32, ar: i32, poly: i32, from: i32, to: i32): void {
  if (from == to) {
    addPiece(st, poly);
    return;
  }
  const k = li(gi(st, S_WORK), from);
  const cls = classifyListed(st, ar, poly, k);
  if (cls != SPLIT) {
    bad = cls == 0 ? 3 : 2;
    return;
  }
  const idOf = gi(st, S_IDOF);
  // Its unit's adjoint bound where one was made after the line was listed (plane-elementwise-cut.ts cutBy).
  if (li(idOf, k) < 0 && adjointAny) adjointLine(st, k, false);
  if (li(idOf, k) < 0) si(idOf, k, addLine(ld(gi(st, S_LA), k), ld(gi(st, S_LB), k), ld(gi(st, S_LC), k), ld(gi(st, S_LEA), k), ld(gi(st, S_LEB), k), ld(gi(st, S_LEC), k)));
  const plus = split(ar, poly, li(idOf, k));
  widenCut(ar, plus, li(idOf, k));
  widenCut(ar, plus + 1, li(idOf, k));
  const unitOf = gi(st, S_UNITOF);
  const cur = gi(st, S_CUR);
  const uk = li(unitOf, k);
  for (let side = 0; side < 2; side++) {
    const child = side == 0 ? plus + 1 : plus;
    if (side == 1) sb(cur, uk, lb(cur, uk) + 1);
    const n = to - from;
    let cap = gi(st, S_WORKCAP);
    if (cap < to + 2 * n + 2) {
      const newCap = 2 * (to + 2 * n + 2);
      pi(st, S_WORK, regrow(gi(st, S_WORK), 4 * cap, 4 * newCap));
      pi(st, S_WORKCAP, newCap);
    }
    const work = gi(st, S_WORK);
    let undo = to;
    let cutEnd = to + n;
    for (let w = from + 1; w < to; w++) {
      const m = li(work, w);
      const c2 = classifyListed(st, ar, child, m);
      if (c2 == 0) {
        bad = 3;
        return;
      }
      if (c2 == SPLIT) si(work, cutEnd++, m);
      else if (c2 == WHOLE_PLUS) {
        const um = li(unitOf, m);
        sb(cur, um, lb(cur, um) + 1);
        si(work, undo++, m);
      }
    }
    const listLength = cutEnd - (to + n);
    memory.copy(<usize>(work + 4 * undo), <usize>(work + 4 * (to + n)), <usize>(4 * listLength));
    cutBy(st, ar, child, undo, undo + listLength);
    if (bad) return;
    const work2 = gi(st, S_WORK);
    for (let w = to; w < undo; w++) {
      const um = li(unitOf, li(work2, w));
      sb(cur, um, lb(cur, um) - 1);
    }
    if (side == 1) sb(cur, uk, lb(cur, uk) - 1);
  }
}
