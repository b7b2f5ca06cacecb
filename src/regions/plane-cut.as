// The plane engine's whole descent for the common case, in WebAssembly (AssemblyScript source,
// compiled by scripts/build-engine-wasm.ts into plane-cut-wasm.ts; plane-cut.ts drives it).
//
// Why: a count's first call in a fresh process ran the engine's JavaScript cold (interpreter,
// then TurboFan compiling it while it runs); WebAssembly runs at compiled speed from its first
// instruction. This is plane.ts's depth-first walk for networks made of elementwise steps each
// followed by a dense step (relu, leaky relu, hard tanh MLPs), with the same float64 operations
// in the same order (so the same bits): the cut by each unit's breakpoint lines (centroid
// filter, vertex tests, the recursive cut with its line lists, polygon splits and
// intersections), the walk of the pieces with rank-one updates and full products every REFRESH
// pieces, and the cells' output. It decides only what plane.ts decides by its first float
// tests; anything else (a vertex within a rounding bound, a value out of range) makes the whole
// run give up (return 0) and plane.ts's JavaScript counts from the start, exactly as before.
//
// No managed objects: raw linear memory, a bump allocator reset per run, structs at fixed offsets.

const EPS: f64 = 1.1102230246251565e-16; // 2^-53
const FILTER_EPS: f64 = 4 * EPS;
const TINY: f64 = 9.332636185032189e-302; // 2^-1000
const MIN_NORMAL: f64 = 2.2250738585072014e-308; // 2^-1022
const SATURATED: f64 = 1.7976931348623157e308; // map-error.ts's SATURATED (Number.MAX_VALUE)
const GROW: f64 = 1 + 4 * EPS;
const REFRESH: i32 = 256;
const WHOLE_PLUS: i32 = 1;
const WHOLE_MINUS: i32 = 2;
const SPLIT: i32 = 4;
const SIDE_PLUS: i32 = 0;
const SIDE_MINUS: i32 = 1;
const SIDE_DOMAIN: i32 = 2;

// ---- memory ---------------------------------------------------------------------------------

let top: i32 = 0;
/**
 * Why the run gives up (0: it does not): 1 a vertex of a unit's line within its bounds in the
 * cut's vertex tests, 2 a listed line that does not cut its polygon, 3 a listed line's vertex
 * within its bounds, 4 a map out of range (giveUp, for the benches and tests).
 */
let bad: i32 = 0;

/** Why the last run gave up (bad), at which step's cut (cutDepth), after how many cells: for bench/plane-kernel-giveups.ts. */
export function giveUpReason(): i32 {
  return bad;
}
export function giveUpStep(): i32 {
  return cutDepth;
}
export function giveUpCells(): i32 {
  return cellCount;
}

@inline function ld(p: i32, i: i32): f64 { return load<f64>(<usize>(p + (i << 3))); }
@inline function sd(p: i32, i: i32, x: f64): void { store<f64>(<usize>(p + (i << 3)), x); }
@inline function li(p: i32, i: i32): i32 { return load<i32>(<usize>(p + (i << 2))); }
@inline function si(p: i32, i: i32, x: i32): void { store<i32>(<usize>(p + (i << 2)), x); }
@inline function lb(p: i32, i: i32): i32 { return <i32>load<u8>(<usize>(p + i)); }
@inline function sb(p: i32, i: i32, x: i32): void { store<u8>(<usize>(p + i), <u8>x); }
// Struct fields: i32 at byte offset o, f64 at byte offset o.
@inline function gi(s: i32, o: i32): i32 { return load<i32>(<usize>(s + o)); }
@inline function pi(s: i32, o: i32, x: i32): void { store<i32>(<usize>(s + o), x); }
@inline function gd(s: i32, o: i32): f64 { return load<f64>(<usize>(s + o)); }
@inline function pd(s: i32, o: i32, x: f64): void { store<f64>(<usize>(s + o), x); }

/** Forget everything allocated (start of a run). */
export function reset(): void {
  top = (<i32>__heap_base + 15) & ~15;
  bad = 0;
}

/** `bytes` of fresh memory (16-byte aligned), growing the memory when needed. */
export function alloc(bytes: i32): i32 {
  const p = top;
  top = (top + bytes + 15) & ~15;
  const have = <i32>memory.size() << 16;
  if (top > have) {
    // By an eighth of the memory at least: each grow makes V8 replace the memory's buffer and
    // account for it (collections follow), and the chunks of lines and states are small.
    const pages = (top - have + 0xffff) >>> 16;
    if (memory.grow(max<i32>(pages, have >>> 19)) < 0 && memory.grow(pages) < 0) unreachable();
  }
  return p;
}

function regrow(p: i32, oldBytes: i32, newBytes: i32): i32 {
  const q = reuse(newBytes);
  memory.copy(<usize>q, <usize>p, <usize>oldBytes);
  release(p, oldBytes);
  return q;
}

// ---- storage given back by regrow, for the next regrows ----------------------------------------
//
// Why: the bump allocator cannot free, so every vector that doubled kept all its earlier copies
// (its final size again, and more): on 2-512x3-1 over [-3,3]^2 the first step's cut (the
// domain's pieces: their states, polygons and the line table) left 277 MB of memory, most of it
// dead copies. A vector's old storage goes to this list when it grows, and a later growth (of
// any vector) takes it when it fits, so the dead copies are written over instead of kept. A free
// block holds its successor and its size in its first 8 bytes; blocks are 16-byte aligned.

/** The first free block (0: none). A run empties the list: reset() hands its memory out again. */
let freeList: i32 = 0;

/** `bytes` of storage for a growing vector: from the free list when a block fits, else fresh. */
function reuse(bytes: i32): i32 {
  const need = (bytes + 15) & ~15;
  let prev = 0;
  let b = freeList;
  while (b != 0) {
    const size = gi(b, 4);
    if (size >= need) {
      // A block much larger than asked keeps its head in the list and gives its tail.
      if (size - need >= 64) {
        pi(b, 4, size - need);
        return b + size - need;
      }
      if (prev == 0) freeList = gi(b, 0);
      else pi(prev, 0, gi(b, 0));
      return b;
    }
    prev = b;
    b = gi(b, 0);
  }
  return alloc(bytes);
}

/** Give back the storage of `bytes` at p (an alloc's or reuse's block that nothing uses now). */
function release(p: i32, bytes: i32): void {
  const size = (bytes + 15) & ~15;
  if (size < 16) return;
  pi(p, 0, freeList);
  pi(p, 4, size);
  freeList = p;
}

// A growable vector: struct { ptr, capacity (bytes), length (bytes) }.
const V_PTR = 0;
const V_CAP = 4;
const V_LEN = 8;

function vnew(bytes: i32): i32 {
  const v = alloc(16);
  pi(v, V_PTR, alloc(bytes));
  pi(v, V_CAP, bytes);
  pi(v, V_LEN, 0);
  return v;
}

/** Room for `extra` more bytes; returns the vector's (possibly moved) data pointer. */
function vreserve(v: i32, extra: i32): i32 {
  const need = gi(v, V_LEN) + extra;
  let cap = gi(v, V_CAP);
  if (need > cap) {
    while (cap < need) cap *= 2;
    pi(v, V_PTR, regrow(gi(v, V_PTR), gi(v, V_LEN), cap));
    pi(v, V_CAP, cap);
  }
  return gi(v, V_PTR);
}

// ---- lines (plane.ts's LineTable: a, b, c per line) -------------------------------------------
//
// Only the lines a live polygon can have as an edge are kept: the domain's and the first step's
// cut's (every piece of the domain is walked in turn), then, for each deeper step, those of the
// cut being walked (a new cut of a step ends the walk of the step's last cut and of every cut
// below it). Each step's lines are a run of consecutive ids (a cut makes its lines before its
// pieces are walked), kept in slots after the step above's, so a new cut of a step writes over
// the dead lines of its last one: a stack of slots, in chunks of LINE_CHUNK lines that never move.
// Why: the table was one vector of every line of the count doubled as it filled, and the bump
// allocator kept every earlier copy: 50 MB for 604,000 lines on 2-512x3-1 over [-3,3]^2, of
// which at most 1,540 are live at once (a cut's lines are its units' breakpoint lines: one
// chunk). Every line also goes to `newLines`, which plane-cut.ts appends to the engine's line
// table with each part of the cells and which then starts empty.

const LINE_CHUNK_BITS = 11;
const LINE_CHUNK = 1 << LINE_CHUNK_BITS;
/** A slot: the line's a, b, c and its bounds ea, eb, ec (0 for the domain's; plane.ts lineBounds). */
const LINE_BYTES = 48;

let lineChunks: i32 = 0; // vector of i32: the chunks' addresses, slot >> LINE_CHUNK_BITS
let linesMade: i32 = 0; // the next line's id
let newLines: i32 = 0; // vector of f64 triples: the lines made since the last part
/** The step whose cut makes lines now (lines of steps 0 .. cutDepth are live). */
let cutDepth: i32 = 0;

/** The address of slot `slot` (a chunk is added when the slots reach past the last). */
@inline function slotAt(slot: i32): i32 {
  return li(gi(lineChunks, V_PTR), slot >> LINE_CHUNK_BITS) + LINE_BYTES * (slot & (LINE_CHUNK - 1));
}

/** The address of live line id's a, b, c. */
function lineAt(id: i32): i32 {
  let d = cutDepth;
  let st = stepAt(d);
  while (id < gi(st, S_LINEFIRST)) {
    d--;
    st = stepAt(d);
  }
  return slotAt(gi(st, S_LINEBASE) + id - gi(st, S_LINEFIRST));
}

/** Start step st's lines (a cut of it begins): in the slots after the live lines of the step above. */
@inline function beginLines(st: i32): void {
  const d = (st - steps) / STEP_BYTES;
  cutDepth = d;
  const base = d == 0 ? linesMade : gi(stepAt(d - 1), S_LINEEND);
  pi(st, S_LINEFIRST, d == 0 ? 0 : linesMade);
  pi(st, S_LINEBASE, d == 0 ? 0 : base);
  pi(st, S_LINEEND, base);
}

/** Store line a, b, c with bounds ea, eb, ec in slot `slot` (the table's chunks grow by one at most). */
function placeLine(slot: i32, a: f64, b: f64, c: f64, ea: f64, eb: f64, ec: f64): void {
  if (slot >> LINE_CHUNK_BITS == gi(lineChunks, V_LEN) >> 2) {
    const table = vreserve(lineChunks, 4);
    si(table, slot >> LINE_CHUNK_BITS, alloc(LINE_BYTES * LINE_CHUNK));
    pi(lineChunks, V_LEN, gi(lineChunks, V_LEN) + 4);
  }
  const p = slotAt(slot);
  sd(p, 0, a);
  sd(p, 1, b);
  sd(p, 2, c);
  sd(p, 3, ea);
  sd(p, 4, eb);
  sd(p, 5, ec);
}

/** A new line of the cut being made (step cutDepth), with its bounds: its id. */
function addLine(a: f64, b: f64, c: f64, ea: f64, eb: f64, ec: f64): i32 {
  const id = linesMade++;
  const st = stepAt(cutDepth);
  const slot = gi(st, S_LINEEND);
  placeLine(slot, a, b, c, ea, eb, ec);
  pi(st, S_LINEEND, slot + 1);
  const out = vreserve(newLines, 24);
  const at = gi(newLines, V_LEN) >> 3;
  sd(out, at, a);
  sd(out, at + 1, b);
  sd(out, at + 2, c);
  pi(newLines, V_LEN, 8 * (at + 3));
  return id;
}

// ---- polygon arenas (geometry/polygon.ts's PolygonArena) --------------------------------------

const A_UV = 0;
const A_ERR = 4;
const A_LINE = 8;
const A_SIDE = 12;
const A_VCAP = 16;
const A_START = 20;
const A_SIZE = 24;
const A_PCAP = 28;
const A_VCOUNT = 32;
const A_PCOUNT = 36;

function arenaNew(): i32 {
  const a = alloc(48);
  const vcap = 256;
  const pcap = 64;
  pi(a, A_UV, alloc(16 * vcap));
  pi(a, A_ERR, alloc(8 * vcap));
  pi(a, A_LINE, alloc(4 * vcap));
  pi(a, A_SIDE, alloc(4 * vcap));
  pi(a, A_VCAP, vcap);
  pi(a, A_START, alloc(4 * pcap));
  pi(a, A_SIZE, alloc(4 * pcap));
  pi(a, A_PCAP, pcap);
  pi(a, A_VCOUNT, 0);
  pi(a, A_PCOUNT, 0);
  return a;
}

function arenaBegin(a: i32, maxVertices: i32): i32 {
  const vc = gi(a, A_VCOUNT);
  let cap = gi(a, A_VCAP);
  if (vc + maxVertices > cap) {
    const old = cap;
    while (cap < vc + maxVertices) cap *= 2;
    pi(a, A_UV, regrow(gi(a, A_UV), 16 * vc, 16 * cap));
    pi(a, A_ERR, regrow(gi(a, A_ERR), 8 * vc, 8 * cap));
    pi(a, A_LINE, regrow(gi(a, A_LINE), 4 * vc, 4 * cap));
    pi(a, A_SIDE, regrow(gi(a, A_SIDE), 4 * vc, 4 * cap));
    pi(a, A_VCAP, cap);
    if (old < 0) unreachable();
  }
  const pc = gi(a, A_PCOUNT);
  let pcap = gi(a, A_PCAP);
  if (pc >= pcap) {
    pi(a, A_START, regrow(gi(a, A_START), 4 * pc, 8 * pcap));
    pi(a, A_SIZE, regrow(gi(a, A_SIZE), 4 * pc, 8 * pcap));
    pcap *= 2;
    pi(a, A_PCAP, pcap);
  }
  si(gi(a, A_START), pc, vc);
  si(gi(a, A_SIZE), pc, 0);
  pi(a, A_PCOUNT, pc + 1);
  return pc;
}

@inline function arenaPush(a: i32, p: i32, u: f64, v: f64, err: f64, line: i32, side: i32): void {
  const k = gi(a, A_VCOUNT);
  pi(a, A_VCOUNT, k + 1);
  const uv = gi(a, A_UV);
  sd(uv, 2 * k, u);
  sd(uv, 2 * k + 1, v);
  sd(gi(a, A_ERR), k, err);
  si(gi(a, A_LINE), k, line);
  si(gi(a, A_SIDE), k, side);
  const size = gi(a, A_SIZE);
  si(size, p, li(size, p) + 1);
}

/**
 * Polygon p of arena src as a new polygon of arena dst (arenaBegin made room for its vertices):
 * arenaPush's stores with both arenas' arrays read once, not per vertex (every cut of a piece
 * begins with this copy, and most of a deep narrow network's cuts end there too).
 */
@inline function arenaCopy(dst: i32, src: i32, p: i32): i32 {
  const n = li(gi(src, A_SIZE), p);
  const q = arenaBegin(dst, n);
  const s = li(gi(src, A_START), p);
  const d = gi(dst, A_VCOUNT);
  const suv = gi(src, A_UV) + 16 * s;
  const ser = gi(src, A_ERR) + 8 * s;
  const sli = gi(src, A_LINE) + 4 * s;
  const ssi = gi(src, A_SIDE) + 4 * s;
  const duv = gi(dst, A_UV) + 16 * d;
  const der = gi(dst, A_ERR) + 8 * d;
  const dli = gi(dst, A_LINE) + 4 * d;
  const dsi = gi(dst, A_SIDE) + 4 * d;
  for (let k = 0; k < n; k++) {
    v128.store(<usize>(duv + 16 * k), v128.load(<usize>(suv + 16 * k)));
    store<i64>(<usize>(der + 8 * k), load<i64>(<usize>(ser + 8 * k)));
    si(dli, k, li(sli, k));
    si(dsi, k, li(ssi, k));
  }
  pi(dst, A_VCOUNT, d + n);
  const size = gi(dst, A_SIZE);
  si(size, q, li(size, q) + n);
  return q;
}

/** signedPolygonArea (geometry/polygon-area.ts). */
function arenaArea(a: i32, p: i32): f64 {
  const start = li(gi(a, A_START), p);
  const count = li(gi(a, A_SIZE), p);
  const uv = gi(a, A_UV);
  let twice: f64 = 0;
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const j = start + ((k + 1) % count);
    twice += ld(uv, 2 * i) * ld(uv, 2 * j + 1) - ld(uv, 2 * j) * ld(uv, 2 * i + 1);
  }
  return twice / 2;
}

// ---- signs, classification, splits (geometry/polygon.ts, float stage only) ---------------------

let signs: i32 = 0;
let signsCap: i32 = 0;

/** Whether classifyFloat's undecided vertex had a bound without coefficients' part (plane.ts decides its sign exactly, no tie). */
let tieExact: i32 = 0;

/**
 * classify's float stage: WHOLE_PLUS, WHOLE_MINUS or SPLIT with every vertex's sign in `signs`,
 * or 0 when a vertex is within the line's bound (plane.ts would go on to ties and exact signs).
 */
function classifyFloat(ar: i32, p: i32, a: f64, b: f64, c: f64, ea: f64, eb: f64, ec: f64): i32 {
  const s = li(gi(ar, A_START), p);
  const n = li(gi(ar, A_SIZE), p);
  if (n > signsCap) {
    signsCap = 2 * n;
    signs = alloc(signsCap);
  }
  const uv = gi(ar, A_UV);
  const er = gi(ar, A_ERR);
  let plus = false;
  let minus = false;
  for (let k = 0; k < n; k++) {
    const i = s + k;
    const u = ld(uv, 2 * i);
    const v = ld(uv, 2 * i + 1);
    const bu = b * u;
    const cv = c * v;
    const f = a + bu + cv;
    const coef = ea + eb * Math.abs(u) + ec * Math.abs(v);
    const bound = (Math.abs(b) + Math.abs(c) + eb + ec) * ld(er, i) + 4 * EPS * (Math.abs(a) + Math.abs(bu) + Math.abs(cv)) + coef;
    if (f > bound) {
      sb(signs, k, 1);
      plus = true;
    } else if (-f > bound) {
      sb(signs, k, 255);
      minus = true;
    } else {
      // plane.ts's vertexSign: a rounding tie where the bound has a coefficient's part, else the
      // sign of the computed line at the vertex, exactly (no tie; the kernel cannot).
      tieExact = coef > 0 ? 0 : 1;
      return 0;
    }
  }
  if (plus && minus) return SPLIT;
  return plus ? WHOLE_PLUS : WHOLE_MINUS;
}

@inline function sign(k: i32): i32 {
  return <i32>load<i8>(<usize>(signs + k));
}

let pu0: f64 = 0;
let pv0: f64 = 0;
let pe0: f64 = 0;

/** lineIntersection: (pu0, pv0, pe0). */
function lineIntersection(l1: i32, l2: i32): void {
  const p1 = lineAt(l1);
  const p2 = lineAt(l2);
  const a1 = ld(p1, 0);
  const b1 = ld(p1, 1);
  const c1 = ld(p1, 2);
  const a2 = ld(p2, 0);
  const b2 = ld(p2, 1);
  const c2 = ld(p2, 2);
  const D = b1 * c2 - c1 * b2;
  const u = (c1 * a2 - a1 * c2) / D;
  const v = (a1 * b2 - a2 * b1) / D;
  const dErr = 2 * EPS * (Math.abs(b1 * c2) + Math.abs(c1 * b2));
  const absD = Math.abs(D);
  const eu = (2 * EPS * (Math.abs(c1 * a2) + Math.abs(a1 * c2)) + Math.abs(u) * dErr) / absD + EPS * Math.abs(u);
  const ev = (2 * EPS * (Math.abs(a1 * b2) + Math.abs(a2 * b1)) + Math.abs(v) * dErr) / absD + EPS * Math.abs(v);
  pu0 = u;
  pv0 = v;
  pe0 = 4 * max<f64>(eu, ev);
}

@inline function isFinite(x: f64): bool {
  return x - x == 0;
}

/** intersect: edge line e with cut line l, between vertices i and j of arena ar. */
function intersect(ar: i32, e: i32, l: i32, i: i32, j: i32): void {
  lineIntersection(e, l);
  const uv = gi(ar, A_UV);
  const ui = ld(uv, 2 * i);
  const vi = ld(uv, 2 * i + 1);
  const uj = ld(uv, 2 * j);
  const vj = ld(uv, 2 * j + 1);
  const seg = Math.abs(uj - ui) + Math.abs(vj - vi);
  if (isFinite(pe0) && pe0 <= seg) return;
  const L = lineAt(l);
  const fi = ld(L, 0) + ld(L, 1) * ui + ld(L, 2) * vi;
  const fj = ld(L, 0) + ld(L, 1) * uj + ld(L, 2) * vj;
  let t = fi / (fi - fj);
  if (!(t >= 0 && t <= 1)) t = 0.5;
  pu0 = ui + t * (uj - ui);
  pv0 = vi + t * (vj - vi);
  const er = gi(ar, A_ERR);
  pe0 = seg + ld(er, i) + ld(er, j);
}

/**
 * plane-vertex-error.ts's widenCutVertices: the radius of every vertex of polygon p on cut line l
 * widened by how far its lines' exact intersection may be (vertexDisplacement), the same float64
 * operations in the same order.
 */
function widenCut(ar: i32, p: i32, l: i32): void {
  const s = li(gi(ar, A_START), p);
  const n = li(gi(ar, A_SIZE), p);
  const lines = gi(ar, A_LINE);
  const uv = gi(ar, A_UV);
  const er = gi(ar, A_ERR);
  const L = lineAt(l);
  const eaL = ld(L, 3);
  const ebL = ld(L, 4);
  const ecL = ld(L, 5);
  for (let k = 0; k < n; k++) {
    const incoming = li(lines, s + ((k + n - 1) % n));
    const outgoing = li(lines, s + k);
    if (incoming != l && outgoing != l) continue;
    const O = lineAt(incoming == l ? outgoing : incoming);
    const ea = ld(O, 3);
    const eb = ld(O, 4);
    const ec = ld(O, 5);
    if (eaL == 0 && ebL == 0 && ecL == 0 && ea == 0 && eb == 0 && ec == 0) continue;
    const i = s + k;
    const u = ld(uv, 2 * i);
    const v = ld(uv, 2 * i + 1);
    const r = ld(er, i);
    const b1 = ld(L, 1);
    const c1 = ld(L, 2);
    const b2 = ld(O, 1);
    const c2 = ld(O, 2);
    const au = Math.abs(u) + r;
    const av = Math.abs(v) + r;
    const r1 = eaL + ebL * au + ecL * av;
    const r2 = ea + eb * au + ec * av;
    const B1 = Math.abs(b1) + ebL;
    const C1 = Math.abs(c1) + ecL;
    const B2 = Math.abs(b2) + eb;
    const C2 = Math.abs(c2) + ec;
    const bc = Math.abs(b1 * c2);
    const cb = Math.abs(c1 * b2);
    const moved = ebL * C2 + Math.abs(b1) * ec + ecL * B2 + Math.abs(c1) * eb;
    const low = (Math.abs(b1 * c2 - c1 * b2) - 2 * EPS * (bc + cb) - moved) * (1 - 8 * EPS);
    let d: f64 = Infinity;
    if (low > 0) {
      const du = (C2 * r1 + C1 * r2) / low;
      const dv = (B2 * r1 + B1 * r2) / low;
      d = max<f64>(du, dv) * (1 + 16 * EPS);
      if (!(d < Infinity)) d = Infinity;
    }
    sd(er, i, r + d);
  }
}

/** split: polygon p of ar (signs all non-zero) by line l into its plus and minus parts (appended); returns the plus one. */
function split(ar: i32, p: i32, l: i32): i32 {
  const plus = emitSide(ar, p, l, 1);
  emitSide(ar, p, l, -1);
  return plus;
}

function emitSide(ar: i32, p: i32, l: i32, want: i32): i32 {
  const n = li(gi(ar, A_SIZE), p);
  const q = arenaBegin(ar, n + 2);
  // After arenaBegin: the arrays may have moved.
  const s = li(gi(ar, A_START), p);
  const cutSide = want > 0 ? SIDE_PLUS : SIDE_MINUS;
  for (let k = 0; k < n; k++) {
    const sk = sign(k) * want;
    const sn = sign((k + 1) % n) * want;
    const i = s + k;
    const j = s + ((k + 1) % n);
    const lineI = li(gi(ar, A_LINE), i);
    if (sk >= 0) {
      const uv = gi(ar, A_UV);
      arenaPush(ar, q, ld(uv, 2 * i), ld(uv, 2 * i + 1), ld(gi(ar, A_ERR), i), lineI, li(gi(ar, A_SIDE), i));
      if (sk > 0 && sn < 0) {
        intersect(ar, lineI, l, i, j);
        arenaPush(ar, q, pu0, pv0, pe0, l, cutSide);
      }
    } else if (sn > 0) {
      intersect(ar, lineI, l, i, j);
      arenaPush(ar, q, pu0, pv0, pe0, lineI, li(gi(ar, A_SIDE), i));
    }
  }
  return q;
}

// ---- steps: one struct per elementwise step (with the dense step after it) ---------------------

// Inputs (written by plane-cut.ts).
const S_N = 0; // units
const S_TN = 4; // breakpoints
const S_T = 8; // f64[tn]
const S_SLOPES = 12; // f64[tn + 1]
const S_ICPT = 16; // f64[tn + 1]
const S_M = 20; // the dense step's outputs
const S_WT = 24; // f64[n * m], column-major (WT[j * m + i]); plane-cut.ts gives the row-major weight, deriveStep transposes it
const S_BIAS = 28; // f64[m]
const S_COLMAX = 32; // f64[n] (deriveStep)
const S_BIT = 36; // pattern: first bit
const S_BITS = 40; // pattern: bits per unit
const S_NORM = 48; // f64: the dense step's norm (deriveStep)
const S_GAMMA = 56; // f64: (n + 2) eps
const S_BIASMAX = 64; // f64 (deriveStep)
// Scratch (made by prepare).
const S_FULL = 72;
const S_CROSSINGOF = 76;
const S_CROSSING = 80;
const S_CUR = 84;
const S_NC = 88;
const S_PIECES = 92; // vector of i32
const S_STATES = 96; // vector of i32: each piece's record of states (addPiece)
const S_PIECECOUNT = 100;
const S_LA = 104; // f64[L] each: la, lb, lc, lea, leb, lec
const S_LB = 108;
const S_LC = 112;
const S_LEA = 116;
const S_LEB = 120;
const S_LEC = 124;
const S_UNITOF = 128;
const S_IDOF = 132;
const S_WORK = 136;
const S_WORKCAP = 140;
const S_UNDECIDED = 144;
const S_MAP = 148; // f64[3m]
const S_ERR = 152; // f64[3]
const S_Q = 156;
const S_SINCE = 160;
const S_WRITTEN = 164;
const S_ARENA = 168;
const S_ACTIVE = 172;
const S_G0 = 176;
const S_G1 = 180;
const S_G2 = 184;
const S_Z = 188; // the map being cut (the previous step's S_MAP, or the first map)
const S_ZERR = 192; // f64[3]: its bounds relative to the exact map (the previous step's S_GLOBAL, or the first map's)
// Bounds relative to the exact map (plane.ts's carried, globalErr, rowAbs; docs/numerics.md).
const S_ROWABS = 196; // f64[m + 1]: per output, sum_j |W_ij| |slope of unit j's state| on the piece; at m, the norm times the largest |slope| (deriveStep)
const S_GAIN = 200; // f64: the dense step's norm times the largest |slope|, widened (deriveStep): plane.ts's gainMax
const S_CARRIED = 208; // f64[3]: the piece's gain times S_ZERR, the part of S_MAP's bound carried from before (globalBounds)
const S_GLOBAL = 212; // f64[3]: S_ERR (local) plus S_CARRIED, rounded up: how far S_MAP may be from the exact map
const S_ROWUPDATES = 216; // updates of S_ROWABS since it was made in full (-1: not yet)
const S_ROWSTATES = 44; // u8[n]: the states S_ROWABS is of
// The slots of the step's live lines (beginLines): its first line's id, its first slot, the
// slot after its last line.
const S_LINEFIRST = 220;
const S_LINEBASE = 224;
const S_LINEEND = 228;
// The pieces' records of states (addPiece, stateRow), at the end of the struct.
const S_LAST = 232; // u8[n]: the states of the cut's last piece
const S_ROWCHUNKS = 236; // the first chunk (0: none yet)
const S_ROWCHUNK = 240; // the chunk rows come from now (0: none yet in this cut)
const S_ROWUSED = 244; // bytes of it given out
const S_ROWCAP = 248; // bytes of rows per chunk
// Per-unit and adjoint bounds (plane.ts unitBound, adjointLower, adjointLine; docs/numerics.md).
const S_UPDATES = 256; // rank-one updates of S_MAP since its last full product (plane.ts CellFrame.updates)
const S_LOWERED = 260; // whether the step's cut lowered S_ZERR to its units' adjoint bounds (CellFrame.lowered)
const S_LROUND = 264; // f64[L]: each listed line's rounding of its shift (2 eps |z_j|, 0 for a breakpoint 0)
const S_LOWN = 268; // u8[L]: whether the line's bounds are its unit's own (plane.ts StepScratch.own)
const S_SLOPEMAX = 280; // f64: the largest |slope| (map-error.ts largestSlope; deriveStep)
const S_ICPTMAX = 288; // f64: the largest |intercept| (unit-error.ts largestIntercept; deriveStep)
const S_WROW = 296; // f64[m * n]: the row-major weight plane-cut.ts gave (W[i * n + j]; deriveStep keeps it for adjointRows)
const STEP_BYTES: i32 = 320; // plane-cut.ts lays the structs out with the same size

let steps: i32 = 0;
let stepCount: i32 = 0;
let pattern: i32 = 0;
let words: i32 = 0;
let reach: f64 = 0;
// Output.
let vertices: i32 = 0;
let edgeLine: i32 = 0;
let cellStart: i32 = 0;
let patterns: i32 = 0;
let outputMaps: i32 = 0;
let areas: i32 = 0;
let cellCount: i32 = 0;

@inline function stepAt(p: i32): i32 {
  return steps + p * STEP_BYTES;
}

/**
 * What plane-cut.ts used to compute in JavaScript for each step before a run, from the dense
 * step's row-major weight (given at S_WT) and bias: its column-major copy (replacing S_WT), the
 * largest |entry| of each column (S_COLMAX), its norm (S_NORM: max row sum of |w|) and the
 * largest |bias| (S_BIASMAX). The same float64 operations in the same order as dense-kernel.ts's
 * transposedWeights and map-error.ts's columnMaxima, affineNormInf and maxAbs (f64.max is
 * Math.max, NaN and signed zeros included), so the same bits. Why here: a count runs them once,
 * so in a fresh process JavaScript interpreted them (about a tenth of a small first call).
 */
export function deriveStep(st: i32): void {
  const n = gi(st, S_N);
  const m = gi(st, S_M);
  const W = gi(st, S_WT);
  const WT = alloc(8 * n * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sd(WT, j * m + i, ld(W, i * n + j));
  pi(st, S_WT, WT);
  pi(st, S_WROW, W);
  const colMax = alloc(8 * n);
  for (let j = 0; j < n; j++) {
    let best: f64 = 0;
    for (let i = 0; i < m; i++) {
      const aw = abs<f64>(ld(WT, j * m + i));
      if (aw > best) best = aw;
    }
    sd(colMax, j, best);
  }
  pi(st, S_COLMAX, colMax);
  let norm: f64 = 0;
  for (let i = 0; i < m; i++) {
    let row: f64 = 0;
    for (let j = 0; j < n; j++) row += abs<f64>(ld(W, i * n + j));
    norm = max<f64>(norm, row);
  }
  pd(st, S_NORM, norm);
  const bias = gi(st, S_BIAS);
  let biasMax: f64 = 0;
  for (let i = 0; i < m; i++) biasMax = max<f64>(biasMax, abs<f64>(ld(bias, i)));
  pd(st, S_BIASMAX, biasMax);
  // map-error.ts's largestSlope, and plane.ts's gain (piecewise) in the same order.
  const slopes = gi(st, S_SLOPES);
  let slopeMax: f64 = 0;
  for (let s = 0; s <= gi(st, S_TN); s++) slopeMax = max<f64>(slopeMax, abs<f64>(ld(slopes, s)));
  pd(st, S_SLOPEMAX, slopeMax);
  // unit-error.ts's largestIntercept, in the same order.
  const icpt = gi(st, S_ICPT);
  let icptMax: f64 = 0;
  for (let s = 0; s <= gi(st, S_TN); s++) icptMax = max<f64>(icptMax, abs<f64>(ld(icpt, s)));
  pd(st, S_ICPTMAX, icptMax);
  const normSlope = norm * slopeMax;
  pd(st, S_GAIN, normSlope * (1 + <f64>(n + 16) * EPS));
  const rowAbs = alloc(8 * (m + 1));
  sd(rowAbs, m, normSlope);
  pi(st, S_ROWABS, rowAbs);
}

function prepare(st: i32): void {
  const n = gi(st, S_N);
  const L = n * gi(st, S_TN);
  const m = gi(st, S_M);
  pi(st, S_FULL, alloc(n));
  pi(st, S_CROSSINGOF, alloc(4 * n));
  pi(st, S_CROSSING, alloc(4 * n));
  pi(st, S_CUR, alloc(n));
  pi(st, S_NC, 0);
  pi(st, S_PIECES, vnew(256));
  pi(st, S_STATES, vnew(1024));
  pi(st, S_ROWCHUNKS, 0);
  pi(st, S_ROWCHUNK, 0);
  pi(st, S_ROWUSED, 0);
  pi(st, S_ROWCAP, max<i32>(1 << 15, 8 * (4 + 4 * n)));
  pi(st, S_LAST, alloc(n));
  pi(st, S_PIECECOUNT, 0);
  pi(st, S_LA, alloc(8 * L));
  pi(st, S_LB, alloc(8 * L));
  pi(st, S_LC, alloc(8 * L));
  pi(st, S_LEA, alloc(8 * L));
  pi(st, S_LEB, alloc(8 * L));
  pi(st, S_LEC, alloc(8 * L));
  pi(st, S_LROUND, alloc(8 * L));
  pi(st, S_LOWN, alloc(L));
  pi(st, S_UPDATES, 0);
  pi(st, S_LOWERED, 0);
  pi(st, S_UNITOF, alloc(4 * L));
  pi(st, S_IDOF, alloc(4 * L));
  pi(st, S_WORKCAP, 4 * L + 16);
  pi(st, S_WORK, alloc(4 * (4 * L + 16)));
  pi(st, S_UNDECIDED, alloc(8 * L));
  pi(st, S_MAP, alloc(24 * m));
  pi(st, S_ERR, alloc(24));
  pi(st, S_ROWSTATES, alloc(n));
  pi(st, S_ROWUPDATES, -1);
  pi(st, S_CARRIED, alloc(24));
  pi(st, S_GLOBAL, alloc(24));
  pi(st, S_ARENA, arenaNew());
  pi(st, S_ACTIVE, alloc(4 * n));
  pi(st, S_G0, alloc(8 * n));
  pi(st, S_G1, alloc(8 * n));
  pi(st, S_G2, alloc(8 * n));
}

// ---- per-unit bounds (unit-error.ts's fused bound and plane.ts's unitBound) ---------------------
//
// The channel bounds (S_ZERR) are the largest unit's; where they leave a vertex of a unit's line
// undecided, plane.ts tries the unit's own bound: its local part from its own row of the dense
// step before it (unit-error.ts `unit`, a fused step: |bias| plus the row's |w| times the largest
// |output| each input can have in any state, times (n + 3 + 16 updates) u) plus the carried part
// of the channel's (the step above's S_CARRIED), at most the channel's. The kernel's steps after
// the first are all such fused maps; the first step's map comes from the domain's affine walk
// (unit-error.ts's affine bound, not here: the kernel gives up there as before).

const MARGIN: f64 = 1 + 9.5367431640625e-7; // unit-error.ts's 1 + 2^-20
/** unitLocal's out: unit-error.ts's `unit` (the local bound, at most the channel's). */
let ul0: f64 = 0;
let ul1: f64 = 0;
let ul2: f64 = 0;
/** unitBound's out (plane.ts's unitErr), lowered in place by adjointLower. */
let ue0: f64 = 0;
let ue1: f64 = 0;
let ue2: f64 = 0;

/**
 * unit-error.ts's `unit` for a fused elementwise step with three channels: unit j of step st's
 * map (made by the step above and its dense step from the map it cut), into ul0..2. The same
 * float64 operations in the same order (the row of the dense weight is a column of S_WT).
 */
function unitLocal(st: i32, j: i32): void {
  const p = st - STEP_BYTES;
  const n = gi(p, S_N);
  const m = gi(p, S_M);
  const WT = gi(p, S_WT);
  const x = gi(p, S_Z);
  const slope = gd(p, S_SLOPEMAX);
  const icpt = gd(p, S_ICPTMAX);
  let a0 = Math.abs(ld(gi(p, S_BIAS), j));
  let a1: f64 = 0;
  let a2: f64 = 0;
  for (let k = 0; k < n; k++) {
    const w = Math.abs(ld(WT, k * m + j));
    if (w == 0) continue;
    a0 += w * (slope * Math.abs(ld(x, k)) + icpt);
    a1 += w * slope * Math.abs(ld(x, n + k));
    a2 += w * slope * Math.abs(ld(x, 2 * n + k));
  }
  const factor = <f64>(n + 3 + 16 * gi(p, S_UPDATES)) * EPS * MARGIN;
  const zErr = gi(st, S_ZERR);
  ul0 = min<f64>(ld(zErr, 0), factor * a0);
  ul1 = min<f64>(ld(zErr, 1), factor * a1);
  ul2 = min<f64>(ld(zErr, 2), factor * a2);
}

/** plane.ts's unitBound: unit j's local bound plus the carried part of the channel's, at most the channel's (ue0..2). */
function unitBound(st: i32, j: i32): void {
  unitLocal(st, j);
  const zErr = gi(st, S_ZERR);
  const carried = gi(st - STEP_BYTES, S_CARRIED);
  ue0 = min<f64>(ld(zErr, 0), (ul0 + ld(carried, 0)) * GROW);
  ue1 = min<f64>(ld(zErr, 1), (ul1 + ld(carried, 1)) * GROW);
  ue2 = min<f64>(ld(zErr, 2), (ul2 + ld(carried, 2)) * GROW);
}

/** Whether step st's units have their own bounds (plane.ts units.known): every step after the first. */
@inline function unitsKnown(st: i32): bool {
  return st != steps;
}

// ---- the adjoint bound on a settled chain (plane-adjoint.ts, as plane.ts runs it) ---------------
//
// Where a unit's own bound leaves a vertex open and the carried part is the larger, plane.ts takes
// an a posteriori bound from the cell's chain of fused steps (docs/numerics.md, "An adjoint bound
// on a settled chain"): the rows of the signed products W D ... W D back from the map cut, with a
// rigorous bound of their own rounding. The kernel's steps are that chain: each step's dense
// weight (S_WT), the slopes of its states on the piece (S_SLOPES at S_FULL), its local bound
// (S_ERR); the chain stops at the first step or at one whose cut lowered its input's bounds
// (S_LOWERED), with that step's S_ZERR as the start. adjointRows below is plane-adjoint.ts's,
// the same float64 operations in the same order (its weights read from the transposed copy).

/** Whether the kernel makes adjoint bounds (plane-adjoint.ts's adjointTesting.off and .seen keep it from them: plane.ts then makes them). */
let adjointOn: bool = true;
/** Whether every bound made is logged (adjointLogAt): the tests compare them with plane-adjoint.ts's. */
let adjointLogOn: bool = false;
let adjointLog: i32 = 0; // vector of f64 records: kernel step, unit, the bound's 3 channels (before the clamp)

/** plane.ts's adjointTesting switches for the next runs: make adjoint bounds, log them. */
export function adjointOptions(on: i32, log: i32): void {
  adjointOn = on != 0;
  adjointLogOn = log != 0;
}
export function adjointLogAt(): i32 {
  return gi(adjointLog, V_PTR);
}
export function adjointLogBytes(): i32 {
  return gi(adjointLog, V_LEN);
}

/** Whether the cut being made has any unit's adjoint bound (plane.ts adjointAny). */
let adjointAny: bool = false;
/** The cut's chain: its links (steps chainFirst .. chainFirst + adjointCount - 1; -1: not made yet). */
let adjointCount: i32 = -1;
let chainFirst: i32 = 0;
/** Per unit of the step being cut: its adjoint bound (f64 x 3) and whether it is made (u8): plane.ts adjointOf, adjointHave. */
let adjOf: i32 = 0;
let adjHave: i32 = 0;
/** adjointRows' buffers (plane-adjoint.ts's AdjointScratch; the gathered rows twice, a level's and the next), for scratchRows rows of scratchWidth entries. */
let scratchWidth: i32 = 0;
let scratchRows: i32 = 0;
let aU: i32 = 0;
let aF: i32 = 0;
let aNonzero: i32 = 0;
let aUOf: i32 = 0;
let aFOf: i32 = 0;
let aAll: i32 = 0;
let aSums: i32 = 0;
let aCounts: i32 = 0;
let aNonzero2: i32 = 0;
let aUOf2: i32 = 0;
let aFOf2: i32 = 0;
let aCounts2: i32 = 0;
/** A row's next sums su, sf per unit (lanes stored as made), and the states' slopes of the step's units. */
let aLaneU: i32 = 0;
let aLaneF: i32 = 0;
let aD: i32 = 0;
let aActive: i32 = 0;
let aRows: i32 = 0;
let aOut: i32 = 0;

const ADJOINT_ALL: f64 = 65536; // plane.ts's ADJOINT_ALL (2^16 multiply-adds)
const OVERFLOW_GUARD: f64 = 1.0715086071862673e301; // 2^1000: plane-adjoint.ts's skip guard

/** A new cut: no adjoint bound yet (plane.ts adjointReset). */
@inline function adjointReset(st: i32): void {
  adjointCount = -1;
  pi(st, S_LOWERED, 0);
  if (!adjointAny) return;
  adjointAny = false;
  memory.fill(<usize>adjHave, 0, <usize>maxUnits);
}

/** The widest step's units: adjOf, adjHave, aRows and aOut hold that many (adjointStart). */
let maxUnits: i32 = 0;

/** A run's adjoint state: nothing made, the per-unit arrays for its widest step, adjointRows' buffers made when first needed. */
function adjointStart(count: i32): void {
  adjointAny = false;
  adjointCount = -1;
  maxUnits = 0;
  for (let p = 0; p < count; p++) maxUnits = max<i32>(maxUnits, gi(stepAt(p), S_N));
  adjOf = alloc(24 * maxUnits);
  adjHave = alloc(maxUnits);
  memory.fill(<usize>adjHave, 0, <usize>maxUnits);
  aRows = alloc(4 * maxUnits);
  aOut = alloc(24 * maxUnits);
  scratchWidth = 0;
  scratchRows = 0;
  if (adjointLogOn) adjointLog = vnew(1 << 10);
}

/** adjointRows' buffers for `rows` rows of `width` entries (grown, never shrunk, in a run). */
function ensureScratch(width: i32, rows: i32): void {
  if (width <= scratchWidth && rows <= scratchRows) return;
  scratchWidth = max<i32>(width, scratchWidth);
  scratchRows = max<i32>(rows, scratchRows);
  const cells = scratchWidth * scratchRows;
  aU = alloc(8 * cells);
  aF = alloc(8 * cells);
  aNonzero = alloc(4 * cells);
  aUOf = alloc(8 * cells);
  aFOf = alloc(8 * cells);
  aNonzero2 = alloc(4 * cells);
  aUOf2 = alloc(8 * cells);
  aFOf2 = alloc(8 * cells);
  aCounts2 = alloc(4 * scratchRows);
  aLaneU = alloc(8 * (scratchWidth + 8));
  aLaneF = alloc(8 * (scratchWidth + 8));
  aD = alloc(8 * scratchWidth);
  aActive = alloc(4 * scratchWidth);
  aAll = alloc(4 * scratchWidth);
  aSums = alloc(8 * scratchRows);
  aCounts = alloc(4 * scratchRows);
}

/** plane.ts's makeChain: back from the step above st while no cut lowered a step's input bounds. */
function makeChain(st: i32): void {
  const d = (st - steps) / STEP_BYTES;
  let g = d - 1;
  while (g > 0 && gi(stepAt(g), S_LOWERED) == 0) g--;
  chainFirst = g;
  adjointCount = d - g;
}

/**
 * plane-adjoint.ts's adjointRows over the cut's chain: rows aRows[0 .. rowCount) of the map cut,
 * each one's bound into aOut (3 channels), the same doubles as the TypeScript.
 *
 * One change of layout, not of arithmetic: the TypeScript writes a level's rows (u, f) densely,
 * then gathers them (gatherRows: each row's sum of |u| + f over the units passed, in order, and
 * its entries that add anything). Here each entry is gathered as soon as its row's sums are made: the
 * multiply makes the units in increasing order, which is the order of the TypeScript's active
 * list (the next level's support), so the same terms are added to the same sums in the same order.
 */
function adjointRows(rowCount: i32): void {
  const count = adjointCount;
  let width = 0;
  for (let k = 0; k < count; k++) {
    const lk = stepAt(chainFirst + k);
    width = max<i32>(width, max<i32>(gi(lk, S_N), gi(lk, S_M)));
  }
  ensureScratch(width, rowCount);
  const u = aU;
  const f = aF;
  // A level's gathered rows (read by the multiply) and the next one's (made by it), swapped per level.
  let nonzero = aNonzero;
  let uOf = aUOf;
  let fOf = aFOf;
  let counts = aCounts;
  let nextNonzero = aNonzero2;
  let nextUOf = aUOf2;
  let nextFOf = aFOf2;
  let nextCounts = aCounts2;
  const all = aAll;
  const sums = aSums;
  const rows = aRows;
  const out = aOut;
  let n = gi(stepAt(chainFirst + count - 1), S_M);
  for (let b = 0; b < rowCount; b++) {
    const o = b * width;
    memory.fill(<usize>(u + 8 * o), 0, <usize>(8 * n));
    memory.fill(<usize>(f + 8 * o), 0, <usize>(8 * n));
    sd(u, o + li(rows, b), 1);
    for (let c = 0; c < 3; c++) sd(out, b * 3 + c, 0);
  }
  for (let j = 0; j < n; j++) si(all, j, j);
  // The first level: gatherRows over every unit of the map cut (u = e_i, f = 0).
  {
    const G = <f64>(n + 3) * EPS;
    for (let b = 0; b < rowCount; b++) {
      const o = b * width;
      let sum: f64 = 0;
      let nr = o;
      for (let t = 0; t < n; t++) {
        const r = li(all, t);
        const ur = ld(u, o + r);
        const f0 = ld(f, o + r);
        const au = Math.abs(ur);
        sum += au + f0;
        if (ur == 0 && f0 == 0) continue;
        si(nonzero, nr, r);
        sd(uOf, nr, ur);
        sd(fOf, nr, f0 + G * au);
        nr++;
      }
      sd(sums, b, sum);
      si(counts, b, nr - o);
    }
  }
  for (let k = count - 1; k >= -1; k--) {
    const lk = k >= 0 ? stepAt(chainFirst + k) : 0;
    const L = k >= 0 ? gi(lk, S_ERR) : gi(stepAt(chainFirst), S_ZERR);
    const grow = 1 + <f64>(n + 3) * EPS;
    const L0 = ld(L, 0);
    const L1 = ld(L, 1);
    const L2 = ld(L, 2);
    for (let b = 0; b < rowCount; b++) {
      const S = ld(sums, b) * grow + TINY;
      const at = b * 3;
      if (L0 != 0) sd(out, at, ld(out, at) + S * L0);
      if (L1 != 0) sd(out, at + 1, ld(out, at + 1) + S * L1);
      if (L2 != 0) sd(out, at + 2, ld(out, at + 2) + S * L2);
    }
    if (k < 0) break;
    const m = gi(lk, S_N);
    const WT = gi(lk, S_WT);
    const outSize = gi(lk, S_M);
    const slopes = gi(lk, S_SLOPES);
    const full = gi(lk, S_FULL);
    const up = 1 + <f64>(n + 5) * EPS;
    const norm = gd(lk, S_NORM);
    let skip = true;
    for (let b = 0; b < rowCount; b++) if (!(ld(sums, b) * norm < OVERFLOW_GUARD)) skip = false;
    // The next level's gatherRows constant (its n is this step's inputs, m).
    const G2 = <f64>(m + 3) * EPS;
    // The states' slopes of this step's units, once for every row.
    // and the units that pass anything, in increasing order (the TypeScript's active list): a
    // list made once a level, not a test per unit and row (half of them pass, at random).
    let na = 0;
    for (let j = 0; j < m; j++) {
      const d = ld(slopes, lb(full, j));
      sd(aD, j, d);
      si(aActive, na, j);
      na += !skip || d != 0 ? 1 : 0;
    }
    // Eight inputs j .. j + 7 at a time (f64x2 lanes, the row-major weight's adjacent entries),
    // then pairs, then one: each lane's sums are the scalar ones, term by term in the rows' order
    // from 0 (no fused multiply-add), so the same doubles; eight independent sums in registers let
    // the additions' latency overlap.
    const Wr = gi(lk, S_WROW);
    const zero = f64x2.splat(0);
    for (let b = 0; b < rowCount; b++) {
      const o = b * width;
      const end = o + li(counts, b);
      let j = 0;
      for (; j + 7 < m; j += 8) {
        let su0 = zero;
        let su1 = zero;
        let su2 = zero;
        let su3 = zero;
        let sf0 = zero;
        let sf1 = zero;
        let sf2 = zero;
        let sf3 = zero;
        const at = Wr + 8 * j;
        for (let t = o; t < end; t++) {
          const row = at + 8 * m * li(nonzero, t);
          const w0 = v128.load(<usize>row);
          const w1 = v128.load(<usize>row, 16);
          const w2 = v128.load(<usize>row, 32);
          const w3 = v128.load(<usize>row, 48);
          const ut = f64x2.splat(ld(uOf, t));
          const ft = f64x2.splat(ld(fOf, t));
          su0 = f64x2.add(su0, f64x2.mul(ut, w0));
          su1 = f64x2.add(su1, f64x2.mul(ut, w1));
          su2 = f64x2.add(su2, f64x2.mul(ut, w2));
          su3 = f64x2.add(su3, f64x2.mul(ut, w3));
          sf0 = f64x2.add(sf0, f64x2.mul(ft, f64x2.abs(w0)));
          sf1 = f64x2.add(sf1, f64x2.mul(ft, f64x2.abs(w1)));
          sf2 = f64x2.add(sf2, f64x2.mul(ft, f64x2.abs(w2)));
          sf3 = f64x2.add(sf3, f64x2.mul(ft, f64x2.abs(w3)));
        }
        v128.store(<usize>(aLaneU + 8 * j), su0, 0);
        v128.store(<usize>(aLaneF + 8 * j), sf0, 0);
        v128.store(<usize>(aLaneU + 8 * j), su1, 16);
        v128.store(<usize>(aLaneF + 8 * j), sf1, 16);
        v128.store(<usize>(aLaneU + 8 * j), su2, 32);
        v128.store(<usize>(aLaneF + 8 * j), sf2, 32);
        v128.store(<usize>(aLaneU + 8 * j), su3, 48);
        v128.store(<usize>(aLaneF + 8 * j), sf3, 48);
      }
      for (; j + 1 < m; j += 2) {
        if (skip && ld(aD, j) == 0 && ld(aD, j + 1) == 0) continue;
        let su = zero;
        let sf = zero;
        const at = Wr + 8 * j;
        for (let t = o; t < end; t++) {
          const w = v128.load(<usize>(at + 8 * m * li(nonzero, t)));
          su = f64x2.add(su, f64x2.mul(f64x2.splat(ld(uOf, t)), w));
          sf = f64x2.add(sf, f64x2.mul(f64x2.splat(ld(fOf, t)), f64x2.abs(w)));
        }
        v128.store(<usize>(aLaneU + 8 * j), su);
        v128.store(<usize>(aLaneF + 8 * j), sf);
      }
      if (j < m) {
        if (!skip || ld(aD, j) != 0) {
          const col = WT + 8 * j * outSize; // column j of the transposed weight: row r's w_rj at r
          let su: f64 = 0;
          let sf: f64 = 0;
          for (let t = o; t < end; t++) {
            const w = ld(col, li(nonzero, t));
            su += ld(uOf, t) * w;
            sf += ld(fOf, t) * Math.abs(w);
          }
          sd(aLaneU, j, su);
          sd(aLaneF, j, sf);
        }
      }
      // The entries made, in increasing order (the TypeScript's active list, the next level's
      // support): u = su d, f = sf |d| up + TINY (0 where d is 0), then the next level's
      // gatherRows on each at once: the row's sum of |u| + f, and (u, f + G' |u|) kept where u or
      // f is not 0.
      let sum: f64 = 0;
      let nr = o;
      for (let a = 0; a < na; a++) {
        const q = li(aActive, a);
        const d = ld(aD, q);
        const ur = ld(aLaneU, q) * d;
        const f0 = d == 0 ? 0 : ld(aLaneF, q) * Math.abs(d) * up + TINY;
        const au = Math.abs(ur);
        sum += au + f0;
        if (ur == 0 && f0 == 0) continue;
        si(nextNonzero, nr, q);
        sd(nextUOf, nr, ur);
        sd(nextFOf, nr, f0 + G2 * au);
        nr++;
      }
      sd(sums, b, sum);
      si(nextCounts, b, nr - o);
    }
    const tn = nonzero;
    nonzero = nextNonzero;
    nextNonzero = tn;
    const tu = uOf;
    uOf = nextUOf;
    nextUOf = tu;
    const tf = fOf;
    fOf = nextFOf;
    nextFOf = tf;
    const tc = counts;
    counts = nextCounts;
    nextCounts = tc;
    n = m;
  }
  const widen = 1 + <f64>(count + 8) * EPS;
  for (let b = 0; b < rowCount * 3; b++) sd(out, b, ld(out, b) * widen + TINY);
}

/** plane.ts's adjointKeep: unit j's bound, aOut[3 at ..), into adjOf (NaN or overflow: SATURATED). */
function adjointKeep(st: i32, j: i32, at: i32): void {
  for (let c = 0; c < 3; c++) {
    const o = ld(aOut, 3 * at + c);
    sd(adjOf, 3 * j + c, o != o ? SATURATED : min<f64>(o, SATURATED));
  }
  sb(adjHave, j, 1);
  adjointAny = true;
  if (adjointLogOn) {
    const lp = vreserve(adjointLog, 40);
    const e = gi(adjointLog, V_LEN) >> 3;
    sd(lp, e, <f64>((st - steps) / STEP_BYTES));
    sd(lp, e + 1, <f64>j);
    for (let c = 0; c < 3; c++) sd(lp, e + 2 + c, ld(aOut, 3 * at + c));
    pi(adjointLog, V_LEN, 8 * (e + 5));
  }
}

/** plane.ts's adjointMake: the chain at the cut's first call; every unit at once where cheap (and the cut's channel bounds lowered), else unit j. */
function adjointMake(st: i32, j: i32): void {
  if (adjointCount < 0) makeChain(st);
  const n = gi(st, S_N);
  let cost: f64 = 0;
  for (let k = 0; k < adjointCount; k++) {
    const lk = stepAt(chainFirst + k);
    cost += <f64>gi(lk, S_N) * <f64>gi(lk, S_M);
  }
  if (cost * <f64>n <= ADJOINT_ALL) {
    // plane.ts's adjointAll.
    let missing = 0;
    for (let i = 0; i < n; i++) if (lb(adjHave, i) == 0) si(aRows, missing++, i);
    adjointRows(missing);
    for (let b = 0; b < missing; b++) adjointKeep(st, li(aRows, b), b);
    let g0: f64 = 0;
    let g1: f64 = 0;
    let g2: f64 = 0;
    for (let i = 0; i < n; i++) {
      g0 = max<f64>(g0, ld(adjOf, 3 * i));
      g1 = max<f64>(g1, ld(adjOf, 3 * i + 1));
      g2 = max<f64>(g2, ld(adjOf, 3 * i + 2));
    }
    const zErr = gi(st, S_ZERR);
    if (g0 < ld(zErr, 0)) {
      sd(zErr, 0, g0);
      pi(st, S_LOWERED, 1);
    }
    if (g1 < ld(zErr, 1)) {
      sd(zErr, 1, g1);
      pi(st, S_LOWERED, 1);
    }
    if (g2 < ld(zErr, 2)) {
      sd(zErr, 2, g2);
      pi(st, S_LOWERED, 1);
    }
  } else {
    si(aRows, 0, j);
    adjointRows(1);
    adjointKeep(st, j, 0);
  }
}

/** plane.ts's adjointFor: unit j's adjoint bound made (where its carried part is the larger in some channel); whether it is there. */
function adjointFor(st: i32, j: i32): bool {
  if (lb(adjHave, j) != 0) return true;
  if (!adjointOn || st == steps) return false;
  unitLocal(st, j);
  const carried = gi(st - STEP_BYTES, S_CARRIED);
  if (!(ld(carried, 0) > ul0 || ld(carried, 1) > ul1 || ld(carried, 2) > ul2)) return false;
  adjointMake(st, j);
  return true;
}

/** plane.ts's adjointLower: ue0..2 lowered to unit j's adjoint bound where smaller; whether any was. */
function adjointLower(st: i32, j: i32): bool {
  if (!adjointFor(st, j)) return false;
  let lowered = false;
  const a0 = ld(adjOf, 3 * j);
  const a1 = ld(adjOf, 3 * j + 1);
  const a2 = ld(adjOf, 3 * j + 2);
  if (a0 < ue0) {
    ue0 = a0;
    lowered = true;
  }
  if (a1 < ue1) {
    ue1 = a1;
    lowered = true;
  }
  if (a2 < ue2) {
    ue2 = a2;
    lowered = true;
  }
  return lowered;
}

/** plane.ts's adjointLine: listed line k's bounds lowered to its unit's adjoint bound (made if `make`); whether any was. */
function adjointLine(st: i32, k: i32, make: bool): bool {
  const j = li(gi(st, S_CROSSING), li(gi(st, S_UNITOF), k));
  if (make ? !adjointFor(st, j) : lb(adjHave, j) == 0) return false;
  const lea = gi(st, S_LEA);
  const leb = gi(st, S_LEB);
  const lec = gi(st, S_LEC);
  const ea = ld(adjOf, 3 * j) + ld(gi(st, S_LROUND), k);
  const a1 = ld(adjOf, 3 * j + 1);
  const a2 = ld(adjOf, 3 * j + 2);
  if (!(ea < ld(lea, k) || a1 < ld(leb, k) || a2 < ld(lec, k))) return false;
  sd(lea, k, min<f64>(ld(lea, k), ea));
  sd(leb, k, min<f64>(ld(leb, k), a1));
  sd(lec, k, min<f64>(ld(lec, k), a2));
  return true;
}

// ---- the cut of one polygon by a step's breakpoint lines (plane.ts: cutElementwise, cutBy) -----

/** Cut polygon p of arena `from` by step st's lines (map st.z with bounds st.zErr): pieces and states in st. */
function cutElementwise(st: i32, from: i32, p: i32): void {
  beginLines(st);
  adjointReset(st);
  const ar = gi(st, S_ARENA);
  pi(ar, A_VCOUNT, 0);
  pi(ar, A_PCOUNT, 0);
  const root = arenaCopy(ar, from, p);
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
  const vs = li(gi(ar, A_START), root);
  const vn = li(gi(ar, A_SIZE), root);
  const uv = gi(ar, A_UV);
  const er = gi(ar, A_ERR);
  let cu: f64 = 0;
  let cv: f64 = 0;
  let errMax: f64 = 0;
  for (let k = 0; k < vn; k++) {
    cu += ld(uv, 2 * (vs + k));
    cv += ld(uv, 2 * (vs + k) + 1);
    errMax = max<f64>(errMax, ld(er, vs + k));
  }
  cu /= <f64>vn;
  cv /= <f64>vn;
  let ru: f64 = 0;
  let rv: f64 = 0;
  let rch: f64 = 0;
  for (let k = 0; k < vn; k++) {
    const u = ld(uv, 2 * (vs + k));
    const v = ld(uv, 2 * (vs + k) + 1);
    ru = max<f64>(ru, Math.abs(u - cu));
    rv = max<f64>(rv, Math.abs(v - cv));
    rch = max<f64>(rch, max<f64>(Math.abs(u), Math.abs(v)));
  }
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
    addPiece(st, root);
    return;
  }
  const cur = gi(st, S_CUR);
  for (let c = 0; c < nc; c++) sb(cur, c, lb(full, li(crossing, c)));
  const work = gi(st, S_WORK);
  for (let k = 0; k < L; k++) si(work, k, k);
  cutBy(st, ar, root, 0, L);
}

/** A finished piece: its polygon and the crossing units' states (st.cur). */
function addPiece(st: i32, poly: i32): void {
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
function stateRow(st: i32, bytes: i32): i32 {
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
@inline function classifyLine(st: i32, ar: i32, poly: i32, k: i32): i32 {
  return classifyFloat(ar, poly, ld(gi(st, S_LA), k), ld(gi(st, S_LB), k), ld(gi(st, S_LC), k), ld(gi(st, S_LEA), k), ld(gi(st, S_LEB), k), ld(gi(st, S_LEC), k));
}

/**
 * plane.ts's classifyListed: line k of step st on polygon poly (signs written), with its bounds,
 * and where a vertex is within them (a rounding tie there) again with its unit's own bounds (once
 * per line), then with its unit's adjoint bound; 0 where plane.ts would decide exactly (a vertex
 * still within them, or within bounds that are all 0: its exact sign): the kernel gives up.
 */
function classifyListed(st: i32, ar: i32, poly: i32, k: i32): i32 {
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

function cutBy(st: i32, ar: i32, poly: i32, from: i32, to: i32): void {
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
  // Its unit's adjoint bound where one was made after the line was listed (plane.ts cutBy).
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

// ---- the walk of a step's pieces (plane.ts: advance, denseAfterStates, rankOne) ----------------

let largest0: f64 = 0;
let largest1: f64 = 0;
let largest2: f64 = 0;

/** map = dense(step(z) with states `full`); the largest |output| per channel in largest0..2. */
@inline function denseAfterStates(st: i32): void {
  const n = gi(st, S_N);
  const m = gi(st, S_M);
  const z = gi(st, S_Z);
  const full = gi(st, S_FULL);
  const slopes = gi(st, S_SLOPES);
  const icpt = gi(st, S_ICPT);
  const active = gi(st, S_ACTIVE);
  const g0 = gi(st, S_G0);
  const g1 = gi(st, S_G1);
  const g2 = gi(st, S_G2);
  let count = 0;
  let l0: f64 = 0;
  let l1: f64 = 0;
  let l2: f64 = 0;
  for (let j = 0; j < n; j++) {
    const s = lb(full, j);
    const slope = ld(slopes, s);
    const x0 = slope * ld(z, j) + ld(icpt, s);
    const x1 = slope * ld(z, n + j);
    const x2 = slope * ld(z, 2 * n + j);
    l0 = max<f64>(l0, Math.abs(x0));
    l1 = max<f64>(l1, Math.abs(x1));
    l2 = max<f64>(l2, Math.abs(x2));
    si(active, count, j);
    sd(g0, count, x0);
    sd(g1, count, x1);
    sd(g2, count, x2);
    count += <i32>(x0 != 0) | <i32>(x1 != 0) | <i32>(x2 != 0);
  }
  largest0 = l0;
  largest1 = l1;
  largest2 = l2;
  const WT = gi(st, S_WT);
  const bias = gi(st, S_BIAS);
  const map = gi(st, S_MAP);
  // Four outputs at a time in registers (two f64x2 lanes per channel), over every active unit:
  // each output still sums its bias, then unit 0, 1, ... in that order, with IEEE lane-wise
  // multiplies and adds (no fused multiply-add), so the bits are those of a scalar loop; the
  // product is most of a large count's time (a full one for the first piece of every cut).
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let a0 = v128.load(<usize>(bias + (i << 3)));
    let a1 = v128.load(<usize>(bias + (i << 3) + 16));
    let b0 = zero;
    let b1 = zero;
    let c0 = zero;
    let c1 = zero;
    for (let k = 0; k < count; k++) {
      const col = <usize>(WT + ((li(active, k) * m + i) << 3));
      const w0 = v128.load(col);
      const w1 = v128.load(col + 16);
      const x0 = f64x2.splat(ld(g0, k));
      const x1 = f64x2.splat(ld(g1, k));
      const x2 = f64x2.splat(ld(g2, k));
      a0 = f64x2.add(a0, f64x2.mul(w0, x0));
      a1 = f64x2.add(a1, f64x2.mul(w1, x0));
      b0 = f64x2.add(b0, f64x2.mul(w0, x1));
      b1 = f64x2.add(b1, f64x2.mul(w1, x1));
      c0 = f64x2.add(c0, f64x2.mul(w0, x2));
      c1 = f64x2.add(c1, f64x2.mul(w1, x2));
    }
    v128.store(<usize>(map + (i << 3)), a0);
    v128.store(<usize>(map + (i << 3) + 16), a1);
    v128.store(<usize>(map + ((m + i) << 3)), b0);
    v128.store(<usize>(map + ((m + i) << 3) + 16), b1);
    v128.store(<usize>(map + ((2 * m + i) << 3)), c0);
    v128.store(<usize>(map + ((2 * m + i) << 3) + 16), c1);
  }
  for (; i < m; i++) {
    let a = ld(bias, i);
    let b: f64 = 0;
    let c: f64 = 0;
    for (let k = 0; k < count; k++) {
      const w = ld(WT, li(active, k) * m + i);
      a += w * ld(g0, k);
      b += w * ld(g1, k);
      c += w * ld(g2, k);
    }
    sd(map, i, a);
    sd(map, m + i, b);
    sd(map, 2 * m + i, c);
  }
}

function rankOne(st: i32, j: i32, from: i32, to: i32): void {
  const n = gi(st, S_N);
  const m = gi(st, S_M);
  const z = gi(st, S_Z);
  const slopes = gi(st, S_SLOPES);
  const icpt = gi(st, S_ICPT);
  const ds = ld(slopes, to) - ld(slopes, from);
  const d0 = ds * ld(z, j) + ld(icpt, to) - ld(icpt, from);
  const d1 = ds * ld(z, n + j);
  const d2 = ds * ld(z, 2 * n + j);
  const WT = gi(st, S_WT);
  const map = gi(st, S_MAP);
  const col = j * m;
  // Two outputs at a time (f64x2: IEEE lane-wise, the scalar loop's bits; the largest |entry|
  // per channel is a max, which no order changes), then the odd one.
  const v0 = f64x2.splat(d0);
  const v1 = f64x2.splat(d1);
  const v2 = f64x2.splat(d2);
  let top0 = f64x2.splat(0);
  let top1 = top0;
  let top2 = top0;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const w = v128.load(<usize>(WT + ((col + i) << 3)));
    const p0 = <usize>(map + (i << 3));
    const p1 = <usize>(map + ((m + i) << 3));
    const p2 = <usize>(map + ((2 * m + i) << 3));
    const m0 = f64x2.add(v128.load(p0), f64x2.mul(w, v0));
    const m1 = f64x2.add(v128.load(p1), f64x2.mul(w, v1));
    const m2 = f64x2.add(v128.load(p2), f64x2.mul(w, v2));
    v128.store(p0, m0);
    v128.store(p1, m1);
    v128.store(p2, m2);
    top0 = f64x2.max(top0, f64x2.abs(m0));
    top1 = f64x2.max(top1, f64x2.abs(m1));
    top2 = f64x2.max(top2, f64x2.abs(m2));
  }
  let big0: f64 = max<f64>(f64x2.extract_lane(top0, 0), f64x2.extract_lane(top0, 1));
  let big1: f64 = max<f64>(f64x2.extract_lane(top1, 0), f64x2.extract_lane(top1, 1));
  let big2: f64 = max<f64>(f64x2.extract_lane(top2, 0), f64x2.extract_lane(top2, 1));
  for (; i < m; i++) {
    const w = ld(WT, col + i);
    const m0 = ld(map, i) + w * d0;
    const m1 = ld(map, m + i) + w * d1;
    const m2 = ld(map, 2 * m + i) + w * d2;
    sd(map, i, m0);
    sd(map, m + i, m1);
    sd(map, 2 * m + i, m2);
    big0 = max<f64>(big0, Math.abs(m0));
    big1 = max<f64>(big1, Math.abs(m1));
    big2 = max<f64>(big2, Math.abs(m2));
  }
  const wMax = ld(gi(st, S_COLMAX), j);
  const err = gi(st, S_ERR);
  sd(err, 0, ld(err, 0) + 4 * EPS * (big0 + wMax * Math.abs(d0)));
  sd(err, 1, ld(err, 1) + 4 * EPS * (big1 + wMax * Math.abs(d1)));
  sd(err, 2, ld(err, 2) + 4 * EPS * (big2 + wMax * Math.abs(d2)));
  // plane.ts's rowAbsUpdate (two outputs at a time: lane-wise, the scalar loop's bits); not
  // kept where the map cut is exact (its bound 0 carries nothing, globalBounds).
  if (!exactInput(st)) {
    rowAbsUpdate(st, j, from, to);
    sb(gi(st, S_ROWSTATES), j, to);
    pi(st, S_ROWUPDATES, gi(st, S_ROWUPDATES) + 1);
  }
}

/** plane.ts's rowAbsUpdate: unit j's state from `from` to `to` (two outputs at a time: lane-wise, the scalar loop's bits). */
function rowAbsUpdate(st: i32, j: i32, from: i32, to: i32): void {
  const slopes = gi(st, S_SLOPES);
  const dsAbs = Math.abs(ld(slopes, to)) - Math.abs(ld(slopes, from));
  if (dsAbs == 0) return;
  const m = gi(st, S_M);
  const WT = gi(st, S_WT);
  const col = j * m;
  const rowAbs = gi(st, S_ROWABS);
  const d2 = f64x2.splat(dsAbs);
  let k = 0;
  for (; k + 2 <= m; k += 2) {
    const p = <usize>(rowAbs + (k << 3));
    v128.store(p, f64x2.add(v128.load(p), f64x2.mul(d2, f64x2.abs(v128.load(<usize>(WT + ((col + k) << 3)))))));
  }
  for (; k < m; k++) sd(rowAbs, k, ld(rowAbs, k) + dsAbs * Math.abs(ld(WT, col + k)));
}

/** plane.ts's rowAbsAt: the row sums for the piece's states (S_FULL), by updates from S_ROWSTATES or in full. */
@inline function rowAbsAt(st: i32): void {
  if (exactInput(st)) return;
  const n = gi(st, S_N);
  const full = gi(st, S_FULL);
  const states = gi(st, S_ROWSTATES);
  let changed = 0;
  for (let j = 0; j < n; j++) if (lb(states, j) != lb(full, j)) changed++;
  const updates = gi(st, S_ROWUPDATES);
  if (updates < 0 || updates + changed > REFRESH) {
    rowAbsFull(st);
    memory.copy(<usize>states, <usize>full, <usize>n);
    pi(st, S_ROWUPDATES, 0);
    return;
  }
  for (let j = 0; j < n; j++) {
    if (lb(states, j) == lb(full, j)) continue;
    rowAbsUpdate(st, j, lb(states, j), lb(full, j));
    sb(states, j, lb(full, j));
  }
  pi(st, S_ROWUPDATES, updates + changed);
}

/**
 * Whether step st's map being cut is exact (S_ZERR all 0: its pieces carry no bound from it) or
 * st is the last step (no step cuts its pieces' maps, the output's): no row sums are kept.
 */
@inline function exactInput(st: i32): bool {
  const zErr = gi(st, S_ZERR);
  return (ld(zErr, 0) == 0 && ld(zErr, 1) == 0 && ld(zErr, 2) == 0) || st == stepAt(stepCount - 1);
}

/**
 * plane.ts's rowAbsFull: per output, sum_j |slope of unit j's state| |W_ij|, units in order; not
 * made where the map cut is exact. Four outputs at a time in registers over the units whose
 * slope is not 0 (each output's sum in unit order, lane-wise: the scalar loop's bits), after the
 * product, whose scratch (S_ACTIVE, S_G0) it reuses.
 */
function rowAbsFull(st: i32): void {
  if (exactInput(st)) return;
  const n = gi(st, S_N);
  const m = gi(st, S_M);
  const full = gi(st, S_FULL);
  const slopes = gi(st, S_SLOPES);
  const WT = gi(st, S_WT);
  const rowAbs = gi(st, S_ROWABS);
  const units = gi(st, S_ACTIVE);
  const scale = gi(st, S_G0);
  let count = 0;
  for (let j = 0; j < n; j++) {
    const sj = Math.abs(ld(slopes, lb(full, j)));
    if (sj == 0) continue;
    si(units, count, j);
    sd(scale, count, sj);
    count++;
  }
  const zero = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let a0 = zero;
    let a1 = zero;
    for (let k = 0; k < count; k++) {
      const col = <usize>(WT + ((li(units, k) * m + i) << 3));
      const s2 = f64x2.splat(ld(scale, k));
      a0 = f64x2.add(a0, f64x2.mul(s2, f64x2.abs(v128.load(col))));
      a1 = f64x2.add(a1, f64x2.mul(s2, f64x2.abs(v128.load(col + 16))));
    }
    v128.store(<usize>(rowAbs + (i << 3)), a0);
    v128.store(<usize>(rowAbs + (i << 3) + 16), a1);
  }
  for (; i < m; i++) {
    let a: f64 = 0;
    for (let k = 0; k < count; k++) a = a + ld(scale, k) * Math.abs(ld(WT, li(units, k) * m + i));
    sd(rowAbs, i, a);
  }
}

function setState(st: i32, unit: i32, state: i32): void {
  const bits = gi(st, S_BITS);
  const stride = 32 % bits == 0 ? bits : 32;
  const bit = gi(st, S_BIT) + unit * stride;
  const word = bit >>> 5;
  const shift = bit & 31;
  const mask: u32 = (bits == 32 ? 0xffffffff : ((<u32>1 << bits) - 1)) << shift;
  const w = <u32>li(pattern, word);
  si(pattern, word, <i32>((w & ~mask) | ((<u32>state << shift) & mask)));
}

/**
 * The pattern's field of every unit j < n set from `full`: setState's layout (stride, mask) read
 * once, not per unit (a step's first piece writes all n units, and most pieces of a deep narrow
 * network are a step's first).
 */
@inline function setStates(st: i32, full: i32, n: i32): void {
  const bits = gi(st, S_BITS);
  const stride = 32 % bits == 0 ? bits : 32;
  const low: u32 = bits == 32 ? 0xffffffff : ((<u32>1 << bits) - 1);
  let bit = gi(st, S_BIT);
  for (let j = 0; j < n; j++) {
    const word = bit >>> 5;
    const shift = bit & 31;
    const mask: u32 = low << shift;
    const w = <u32>li(pattern, word);
    si(pattern, word, <i32>((w & ~mask) | ((<u32>lb(full, j) << shift) & mask)));
    bit += stride;
  }
}

/**
 * The next piece of step st with its map ready, or -1 when its pieces are done. In a share
 * (shareParts != 0), the first step's pieces of other shares are passed over as plane.ts's
 * advance passes them: their states still go into `full` (records hold changes), their maps are
 * made only when the next piece's builds on them (chunks not whole runs between full products).
 */
function advance(st: i32): i32 {
  while (true) {
    const q = gi(st, S_Q);
    if (q >= gi(st, S_PIECECOUNT)) return -1;
    if (shareParts == 0 || st != steps) return advanceOwn(st, q, true);
    const chunk = q / shareChunk;
    if (chunk != chunkSeen) {
      chunkSeen = chunk;
      chunkMine = shareClaims ? claimChunk(chunk) != 0 : chunk % shareParts == sharePart;
    }
    if (chunkMine) {
      shareRecordPush(q);
      return advanceOwn(st, q, true);
    }
    if (shareChunk % (REFRESH + 1) == 0) {
      takeStates(st, li(gi(gi(st, S_STATES), V_PTR), q));
      pi(st, S_SINCE, REFRESH);
      pi(st, S_WRITTEN, 0);
      pi(st, S_Q, q + 1);
    } else advanceOwn(st, q, false);
  }
  return -1;
}

/** A piece's record (see advanceOwn) taken into `full`: each listed crossing unit's state. */
@inline function takeStates(st: i32, record: i32): void {
  const changed = li(record, 0);
  const crossing = gi(st, S_CROSSING);
  const full = gi(st, S_FULL);
  for (let e = 1; e <= changed; e++) {
    const x = li(record, e);
    sb(full, li(crossing, x >> 8), x & 255);
  }
}

/** A share's record of a top piece it descends into: the piece, and the cells and lines before it. */
function shareRecordPush(q: i32): void {
  const rp = vreserve(shareRecord, 12);
  const at = gi(shareRecord, V_LEN) >> 2;
  si(rp, at, q);
  si(rp, at + 1, cellCount);
  si(rp, at + 2, linesMade);
  pi(shareRecord, V_LEN, 4 * (at + 3));
}

/** Piece q's map (and, when `mine`, its part of the pattern); returns the piece. */
function advanceOwn(st: i32, q: i32, mine: bool): i32 {
  // Piece q's record: the crossing units whose state differs from piece q - 1's (all for q = 0,
  // in index order). `full` holds piece q - 1's states until the end of this call.
  const record = li(gi(gi(st, S_STATES), V_PTR), q);
  const changed = li(record, 0);
  const crossing = gi(st, S_CROSSING);
  const full = gi(st, S_FULL);
  const since = gi(st, S_SINCE);
  if (q > 0 && since < REFRESH) {
    for (let e = 1; e <= changed; e++) {
      const x = li(record, e);
      const j = li(crossing, x >> 8);
      const from = lb(full, j);
      rankOne(st, j, from, x & 255);
      if (from != (x & 255)) pi(st, S_UPDATES, gi(st, S_UPDATES) + 1);
    }
    pi(st, S_SINCE, since + 1);
  } else {
    takeStates(st, record);
    denseAfterStates(st);
    const norm = gd(st, S_NORM);
    const gamma = gd(st, S_GAMMA);
    const err = gi(st, S_ERR);
    sd(err, 0, norm * gamma * largest0 + 2 * EPS * gd(st, S_BIASMAX));
    sd(err, 1, norm * gamma * largest1 + 0);
    sd(err, 2, norm * gamma * largest2 + 0);
    rowAbsAt(st);
    pi(st, S_SINCE, 0);
    pi(st, S_UPDATES, 0);
  }
  if (!mine) {
    // Another share's piece whose map the next piece's builds on: its states, not its pattern.
    takeStates(st, record);
    pi(st, S_WRITTEN, 0);
    pi(st, S_Q, q + 1);
    return -1;
  }
  if (!gi(st, S_WRITTEN)) {
    pi(st, S_WRITTEN, 1);
    takeStates(st, record);
    const n = gi(st, S_N);
    setStates(st, full, n);
  } else {
    for (let e = 1; e <= changed; e++) {
      const x = li(record, e);
      const j = li(crossing, x >> 8);
      sb(full, j, x & 255);
      setState(st, j, x & 255);
    }
  }
  pi(st, S_Q, q + 1);
  return li(gi(gi(st, S_PIECES), V_PTR), q);
}

/** walkAffine's `finite` at the end of a walk: the map (3 x m) and its bounds in range; else give up. */
@inline function inRange(map: i32, m: i32, err: i32): bool {
  // Two entries at a time and without a branch per entry (they all pass but on a give-up): a NaN
  // or infinity fails x - x == 0, a subnormal |x| < MIN_NORMAL with x != 0; the same decisions
  // as one entry at a time, in a fifth of a deep narrow network's cut (m = 8).
  const len = 3 * m;
  const zero = f64x2.splat(0);
  const tiny = f64x2.splat(MIN_NORMAL);
  let finite = f64x2.eq(zero, zero);
  let subnormal = v128.xor(finite, finite);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const x = v128.load(<usize>(map + (i << 3)));
    finite = v128.and(finite, f64x2.eq(f64x2.sub(x, x), zero));
    subnormal = v128.or(subnormal, v128.and(f64x2.lt(f64x2.abs(x), tiny), f64x2.ne(x, zero)));
  }
  let out = <i32>!v128.all_true<i64>(finite) | <i32>v128.any_true(subnormal);
  for (; i < len; i++) {
    const x = ld(map, i);
    out |= <i32>!(x - x == 0) | (<i32>(Math.abs(x) < MIN_NORMAL) & <i32>(x != 0));
  }
  if (out) return false;
  const small = reach != 0 && reach < 1 ? reach : 0;
  if (small > 0) {
    let smallest = Infinity;
    for (let i = m; i < len; i++) {
      const a = Math.abs(ld(map, i));
      if (a != 0 && a < smallest) smallest = a;
    }
    if (smallest * small < MIN_NORMAL) return false;
  }
  for (let c = 0; c < 3; c++) if (!(ld(err, c) - ld(err, c) == 0)) return false;
  return true;
}

function emit(ar: i32, p: i32, map: i32, out: i32): void {
  const s = li(gi(ar, A_START), p);
  const n = li(gi(ar, A_SIZE), p);
  const vd = vreserve(vertices, 16 * n);
  const ed = vreserve(edgeLine, 4 * n);
  const v0 = gi(vertices, V_LEN) >> 3;
  const e0 = gi(edgeLine, V_LEN) >> 2;
  const uv = gi(ar, A_UV);
  const side = gi(ar, A_SIDE);
  const line = gi(ar, A_LINE);
  for (let k = 0; k < n; k++) {
    sd(vd, v0 + 2 * k, ld(uv, 2 * (s + k)));
    sd(vd, v0 + 2 * k + 1, ld(uv, 2 * (s + k) + 1));
    const sk = li(side, s + k);
    si(ed, e0 + k, sk == SIDE_DOMAIN ? -1 : 2 * li(line, s + k) + sk);
  }
  pi(vertices, V_LEN, 8 * (v0 + 2 * n));
  pi(edgeLine, V_LEN, 4 * (e0 + n));
  const cs = vreserve(cellStart, 4);
  si(cs, gi(cellStart, V_LEN) >> 2, vertexBase + e0 + n);
  pi(cellStart, V_LEN, gi(cellStart, V_LEN) + 4);
  const pp = vreserve(patterns, 4 * words);
  memory.copy(<usize>(pp + gi(patterns, V_LEN)), <usize>pattern, <usize>(4 * words));
  pi(patterns, V_LEN, gi(patterns, V_LEN) + 4 * words);
  const mp = vreserve(outputMaps, 24 * out);
  const m0 = gi(outputMaps, V_LEN) >> 3;
  for (let o = 0; o < out; o++) for (let c = 0; c < 3; c++) sd(mp, m0 + 3 * o + c, ld(map, c * out + o));
  pi(outputMaps, V_LEN, 8 * (m0 + 3 * out));
  const ap = vreserve(areas, 8);
  sd(ap, gi(areas, V_LEN) >> 3, arenaArea(ar, p));
  pi(areas, V_LEN, gi(areas, V_LEN) + 8);
  cellCount++;
}

// ---- the run --------------------------------------------------------------------------------

/** Where run's results are: pointer and length (bytes) of each output (the cells' and the new lines'), the cell count, and whether more cells follow. */
let header: i32 = 0;
/** The walk's depth (the step whose pieces are being walked; -1: done), kept between run and resume. */
let depth: i32 = -1;
/** Vertices of the cells handed over before the ones in the output vectors (cellStart counts from the first cell). */
let vertexBase: i32 = 0;
/**
 * Vertex bytes after which the walk hands its cells to plane-cut.ts and goes on in `resume` with
 * emptied output vectors (run's last argument): a bump allocator cannot free, so vectors that
 * doubled up to a large count's size held about 3x their content (896 bytes per cell on
 * 2-256x4-1 He against 282 in the partition), and the memory is kept after the count.
 */
let handoverBytes: i32 = 0;

// A share of a run split among threads (plane.ts's PlaneShare): the first step's pieces in chunks
// of shareChunk, chunk c this share's when claimChunk(c) says so (shareClaims) or else when
// c % shareParts == sharePart; shareParts 0: the whole partition.
@external("env", "claimChunk")
declare function claimChunk(chunk: i32): i32;
let shareParts: i32 = 0;
let sharePart: i32 = 0;
let shareChunk: i32 = 1;
let shareClaims: bool = false;
let chunkSeen: i32 = -1;
let chunkMine: bool = false;
/** Per top piece descended into: the piece, the cells and the lines before it (i32 triples). */
let shareRecord: i32 = 0;
/** Lines made before any descent (the domain's and the first step's cut). */
let shareBaseLines: i32 = 0;

/** Where the share's record is (shareRecord's data), its length in bytes, and the lines before any descent. */
export function shareRecordAt(): i32 {
  return gi(shareRecord, V_PTR);
}
export function shareRecordBytes(): i32 {
  return gi(shareRecord, V_LEN);
}
export function shareLinesBefore(): i32 {
  return shareBaseLines;
}

/**
 * The descent from the first elementwise step: `stepPtr` holds `count` step structs (inputs
 * filled), `lineIn` the domain's `lineCount` lines, `rootPtr` the domain polygon (vn vertices of
 * u, v, err as f64 at rootPtr and line, side as i32 after them), z and zErr the first step's map.
 * Returns the header's address (its word 15 is 1 when `resume` must be called for more cells),
 * or 0 when plane.ts must count instead.
 */
export function run(stepPtr: i32, count: i32, lineIn: i32, lineCount: i32, rootPtr: i32, vn: i32, z: i32, zErr: i32, patternWords: i32, domainReach: f64, handover: i32, parts: i32, part: i32, chunk: i32, claims: i32): i32 {
  shareParts = parts;
  sharePart = part;
  shareClaims = claims != 0;
  chunkSeen = -1;
  chunkMine = false;
  freeList = 0; // blocks of an earlier run: reset() has handed their memory out again
  steps = stepPtr;
  handoverBytes = handover;
  stepCount = count;
  words = patternWords;
  reach = domainReach;
  cellCount = 0;
  vertexBase = 0;
  depth = -1;
  for (let p = 0; p < count; p++) prepare(stepAt(p));
  adjointStart(count);
  pi(stepAt(0), S_Z, z);
  pi(stepAt(0), S_ZERR, zErr);
  for (let p = 1; p < count; p++) {
    pi(stepAt(p), S_Z, gi(stepAt(p - 1), S_MAP));
    pi(stepAt(p), S_ZERR, gi(stepAt(p - 1), S_GLOBAL));
  }
  lineChunks = vnew(64);
  newLines = vnew(1 << 12);
  for (let id = 0; id < lineCount; id++) placeLine(id, ld(lineIn, 3 * id), ld(lineIn, 3 * id + 1), ld(lineIn, 3 * id + 2), 0, 0, 0);
  linesMade = lineCount; // the domain's, in slots 0 .. lineCount - 1 (step 0's cut starts after them)
  pattern = alloc(4 * words);
  memory.fill(<usize>pattern, 0, <usize>(4 * words));
  signsCap = 256;
  signs = alloc(signsCap);
  vertices = vnew(1 << 16);
  edgeLine = vnew(1 << 15);
  cellStart = vnew(1 << 13);
  patterns = vnew(1 << 13);
  outputMaps = vnew(1 << 14);
  areas = vnew(1 << 13);
  header = alloc(64);
  const cs = gi(cellStart, V_PTR);
  si(cs, 0, 0);
  pi(cellStart, V_LEN, 4);
  const rootArena = arenaNew();
  const r = arenaBegin(rootArena, vn);
  const ints = rootPtr + 24 * vn;
  for (let k = 0; k < vn; k++) arenaPush(rootArena, r, ld(rootPtr, 3 * k), ld(rootPtr, 3 * k + 1), ld(rootPtr, 3 * k + 2), li(ints, 2 * k), li(ints, 2 * k + 1));

  shareRecord = vnew(1 << 8);
  cutElementwise(stepAt(0), rootArena, r);
  if (bad) return 0;
  shareBaseLines = linesMade;
  // plane.ts's shareChunk: automatic (0) is the runs between full products when there are at
  // least 16 of them, else 16 pieces.
  const pieces = gi(stepAt(0), S_PIECECOUNT);
  shareChunk = chunk > 0 ? chunk : pieces >= 16 * (REFRESH + 1) ? REFRESH + 1 : 16;
  startWalk(stepAt(0));
  depth = 0;
  return walk();
}

/** The next cells after run's header said more follow: the output vectors start empty again. */
export function resume(): i32 {
  vertexBase += gi(edgeLine, V_LEN) >> 2;
  pi(vertices, V_LEN, 0);
  pi(edgeLine, V_LEN, 0);
  pi(cellStart, V_LEN, 0);
  pi(patterns, V_LEN, 0);
  pi(outputMaps, V_LEN, 0);
  pi(areas, V_LEN, 0);
  pi(newLines, V_LEN, 0);
  return walk();
}

function walk(): i32 {
  const count = stepCount;
  let d = depth;
  while (d >= 0) {
    const st = stepAt(d);
    const piece = advance(st);
    if (piece < 0) {
      d--;
      continue;
    }
    const m = gi(st, S_M);
    if (!inRange(gi(st, S_MAP), m, gi(st, S_ERR))) {
      bad = 4;
      return 0;
    }
    if (d + 1 < count) {
      const next = stepAt(d + 1);
      globalBounds(st);
      cutElementwise(next, gi(st, S_ARENA), piece);
      if (bad) return 0;
      startWalk(next);
      d++;
    } else {
      emit(gi(st, S_ARENA), piece, gi(st, S_MAP), m);
      if (gi(vertices, V_LEN) >= handoverBytes) {
        depth = d;
        return writeHeader(1);
      }
    }
  }
  depth = -1;
  return writeHeader(0);
}

function writeHeader(more: i32): i32 {
  pi(header, 0, gi(vertices, V_PTR));
  pi(header, 4, gi(vertices, V_LEN));
  pi(header, 8, gi(edgeLine, V_PTR));
  pi(header, 12, gi(edgeLine, V_LEN));
  pi(header, 16, gi(cellStart, V_PTR));
  pi(header, 20, gi(cellStart, V_LEN));
  pi(header, 24, gi(patterns, V_PTR));
  pi(header, 28, gi(patterns, V_LEN));
  pi(header, 32, gi(outputMaps, V_PTR));
  pi(header, 36, gi(outputMaps, V_LEN));
  pi(header, 40, gi(areas, V_PTR));
  pi(header, 44, gi(areas, V_LEN));
  pi(header, 48, gi(newLines, V_PTR));
  pi(header, 52, gi(newLines, V_LEN));
  pi(header, 56, cellCount);
  pi(header, 60, more);
  return header;
}

@inline function startWalk(st: i32): void {
  pi(st, S_Q, 0);
  pi(st, S_SINCE, REFRESH);
  pi(st, S_WRITTEN, 0);
}

/**
 * plane.ts's advance: the piece's map's bound relative to the exact map (S_GLOBAL, the next
 * step's S_ZERR), its carried part from the map cut (S_ZERR) through |W D|_inf on the piece.
 */
@inline function globalBounds(st: i32): void {
  const zErr = gi(st, S_ZERR);
  const carried = gi(st, S_CARRIED);
  if (exactInput(st)) for (let c = 0; c < 3; c++) sd(carried, c, 0);
  else {
    const m = gi(st, S_M);
    const n = gi(st, S_N);
    const rowAbs = gi(st, S_ROWABS);
    let top: f64 = 0;
    for (let i = 0; i < m; i++) top = max<f64>(top, ld(rowAbs, i));
    const gain = min<f64>(gd(st, S_GAIN), (top + <f64>(n + 4 + 2 * gi(st, S_ROWUPDATES)) * EPS * ld(rowAbs, m)) * (1 + <f64>(n + 16) * EPS));
    const open = !(ld(zErr, 0) < SATURATED && ld(zErr, 1) < SATURATED && ld(zErr, 2) < SATURATED);
    for (let c = 0; c < 3; c++) sd(carried, c, open ? SATURATED : gain * ld(zErr, c));
  }
  const err = gi(st, S_ERR);
  const g = gi(st, S_GLOBAL);
  for (let c = 0; c < 3; c++) sd(g, c, (ld(err, c) + ld(carried, c)) * GROW);
  if (!(ld(g, 0) < SATURATED && ld(g, 1) < SATURATED && ld(g, 2) < SATURATED)) for (let c = 0; c < 3; c++) sd(g, c, SATURATED);
}
