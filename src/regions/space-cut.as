// The space engine's cut of a 3-D polytope by a hyperplane, in WebAssembly (AssemblyScript source,
// compiled by scripts/build-engine-wasm.ts into space-cut-wasm.ts; space/cut-kernel.ts holds the
// instance and space/polytope.ts drives it).
//
// Why: after eight rounds of JavaScript tuning the space engine's profile was flat, with the cut
// (the values at the vertices, the crossings, the children) about 45% of a 3-D count, spread over
// many short loops whose bounds checks and branches were the cost (docs/performance-history.md, "Space
// engine, Dec 7 sixth round"). Here the arena (space/polytope.ts's PolytopeArena) lives in this
// module's memory and these loops run on it in place: nothing is copied per cut.
//
// Only the common case: k = 3, a polytope of at most 32 vertices and 32 rows (one incidence word
// per vertex). Every value is computed by the same float64 operations in the same order as
// polytope.ts's JavaScript (no fused multiply-add, no reassociation; f64.max and f64.min are
// Math.max and Math.min for every input but a NaN's sign), so the results are the same bits.
// Whatever goes beyond doubles stays in JavaScript: a vertex within its sign's rounding bound
// (left at sign 0 here, decided there exactly), the vertex names, and a crossing whose
// interpolation bound is too large (flagged here, solved there).
//
// No managed objects: raw linear memory laid out by the JavaScript side (`layout`, `scratch`).

const EPS: f64 = 1.1102230246251565e-16; // 2^-53 (map-error.ts EPS)
const MIN_VALUE: f64 = 5e-324; // Number.MIN_VALUE
const SOLVE_ABOVE: f64 = 9.094947017729282e-13; // 2^-40

// The arena's arrays (byte offsets), set by `layout` whenever the JavaScript side moves one.
// Every function copies the ones it reads into locals first (`nvAL` for `nvA`, ...): V8's
// optimising tier was seen loading the globals again and again inside the loops (from the
// instance), a local can stay in a register (about 1% of a 3-D count; docs/performance.md,
// "Space engine, Dec 8 second round").
let nvA: i32 = 0;
let ncA: i32 = 0;
let wordsA: i32 = 0;
let vertAtA: i32 = 0;
let consAtA: i32 = 0;
let incAtA: i32 = 0;
let radMaxA: i32 = 0;
let boxA: i32 = 0;
let vertsA: i32 = 0;
let radA: i32 = 0;
let nameA: i32 = 0;
let consA: i32 = 0;
let incA: i32 = 0;

// The cut's scratch (byte offsets), set once by `scratch`.
let valuesS: i32 = 0; // f64 per vertex
let boundsS: i32 = 0; // f64 per vertex
let signsS: i32 = 0; // i8 per vertex
let hS: i32 = 0; // f64 x 4: the hyperplane h_0, h_1..h_3
let eS: i32 = 0; // f64 x 4: its coefficients' error bounds
let newVertsS: i32 = 0; // f64 x 3 per crossing
let newIncS: i32 = 0; // u32 per crossing
let newRadS: i32 = 0; // f64 per crossing
let newNameS: i32 = 0; // i32 per crossing
let columnsS: i32 = 0; // u32 per row: the vertices tight at it
let rowsAtNewS: i32 = 0; // i32 per row: the crossings on it
let pairsS: i32 = 0; // i32 x 2 per crossing: its edge (u, v)
let solveS: i32 = 0; // u8 per crossing: 1 when its interpolation bound asks for a solve
let keptS: i32 = 0; // i32 per vertex
let keepRowS: i32 = 0; // i32 per row
let outS: i32 = 0; // i32 x 4: posBits, negBits, zeros, added

@inline function ld(p: i32, i: i32): f64 { return load<f64>(<usize>(p + (i << 3))); }
@inline function sd(p: i32, i: i32, x: f64): void { store<f64>(<usize>(p + (i << 3)), x); }
@inline function li(p: i32, i: i32): i32 { return load<i32>(<usize>(p + (i << 2))); }
@inline function si(p: i32, i: i32, x: i32): void { store<i32>(<usize>(p + (i << 2)), x); }
@inline function lb(p: i32, i: i32): i32 { return <i32>load<i8>(<usize>(p + i)); }
@inline function sb(p: i32, i: i32, x: i32): void { store<i8>(<usize>(p + i), <i8>x); }

/** Where the JavaScript side may place its regions (after this module's own data). */
export function heapBase(): i32 {
  return (<i32>__heap_base + 15) & ~15;
}

/** The arena's arrays (byte offsets). */
export function layout(nv: i32, nc: i32, words: i32, vertAt: i32, consAt: i32, incAt: i32, radMax: i32, box: i32, verts: i32, rad: i32, name: i32, cons: i32, inc: i32): void {
  nvA = nv;
  ncA = nc;
  wordsA = words;
  vertAtA = vertAt;
  consAtA = consAt;
  incAtA = incAt;
  radMaxA = radMax;
  boxA = box;
  vertsA = verts;
  radA = rad;
  nameA = name;
  consA = cons;
  incA = inc;
}

/** The cut's scratch (byte offsets). */
export function scratch(values: i32, bounds: i32, signs: i32, h: i32, e: i32, newVerts: i32, newInc: i32, newRad: i32, newName: i32, columns: i32, rowsAtNew: i32, pairs: i32, solve: i32, kept: i32, keepRow: i32, out: i32): void {
  valuesS = values;
  boundsS = bounds;
  signsS = signs;
  hS = h;
  eS = e;
  newVertsS = newVerts;
  newIncS = newInc;
  newRadS = newRad;
  newNameS = newName;
  columnsS = columns;
  rowsAtNewS = rowsAtNew;
  pairsS = pairs;
  solveS = solve;
  keptS = kept;
  keepRowS = keepRow;
  outS = out;
}

/**
 * polytope.ts's `cut`, its first loop (k = 3): h's value at every vertex of p, the bound of the
 * value's error there, and its sign (0 within the tolerance: the JavaScript side decides those).
 * `rel` is gammaOf(3) + eps. Leaves posBits, negBits and the number of zero signs in out[0..3).
 */
export function values3(p: i32, rel: f64): void {
  const nvAL = nvA;
  const vertAtAL = vertAtA;
  const vertsAL = vertsA;
  const radAL = radA;
  const valuesSL = valuesS;
  const boundsSL = boundsS;
  const signsSL = signsS;
  const hSL = hS;
  const eSL = eS;
  const outSL = outS;
  const nv = li(nvAL, p);
  const v0 = li(vertAtAL, p);
  const r0 = v0 / 3;
  const h0 = ld(hSL, 0);
  const h1 = ld(hSL, 1);
  const h2 = ld(hSL, 2);
  const h3 = ld(hSL, 3);
  const e0 = ld(eSL, 0);
  const e1 = ld(eSL, 1);
  const e2 = ld(eSL, 2);
  const e3 = ld(eSL, 3);
  let hNorm: f64 = 0;
  hNorm += abs<f64>(h1);
  hNorm += abs<f64>(h2);
  hNorm += abs<f64>(h3);
  let posBits = 0;
  let negBits = 0;
  let zeros = 0;
  for (let v = 0; v < nv; v++) {
    let x = h0;
    let mag = abs<f64>(h0);
    let coefBound = e0;
    const at = v0 + 3 * v;
    const y0 = ld(vertsAL, at);
    const y1 = ld(vertsAL, at + 1);
    const y2 = ld(vertsAL, at + 2);
    const t0 = h1 * y0;
    x += t0;
    mag += abs<f64>(t0);
    coefBound += e1 * abs<f64>(y0);
    const t1 = h2 * y1;
    x += t1;
    mag += abs<f64>(t1);
    coefBound += e2 * abs<f64>(y1);
    const t2 = h3 * y2;
    x += t2;
    mag += abs<f64>(t2);
    coefBound += e3 * abs<f64>(y2);
    sd(valuesSL, v, x);
    const atVertex = 2 * hNorm * ld(radAL, r0 + v) + rel * mag + MIN_VALUE;
    sd(boundsSL, v, atVertex);
    const tol = atVertex + 2 * coefBound;
    if (x > tol) {
      sb(signsSL, v, 1);
      posBits |= 1 << v;
    } else if (x < -tol) {
      sb(signsSL, v, -1);
      negBits |= 1 << v;
    } else {
      sb(signsSL, v, 0);
      zeros++;
    }
  }
  si(outSL, 0, posBits);
  si(outSL, 1, negBits);
  si(outSL, 2, zeros);
}

@inline function ctz32(x: i32): i32 { return <i32>ctz<i32>(x); }

/**
 * polytope.ts's `vertexMasks` for a polytope of one incidence word per vertex and at most 32
 * vertices: per row, the bit set of the vertices tight at it, into columns.
 */
function vertexMasks(p: i32, nv: i32): void {
  const ncAL = ncA;
  const incAtAL = incAtA;
  const incAL = incA;
  const columnsSL = columnsS;
  const nc = li(ncAL, p);
  const i0 = li(incAtAL, p);
  for (let r = 0; r < nc; r++) si(columnsSL, r, 0);
  for (let v = 0; v < nv; v++) {
    const bit = 1 << v;
    for (let x = li(incAL, i0 + v); x != 0; x &= x - 1) {
      const r = ctz32(x);
      si(columnsSL, r, li(columnsSL, r) | bit);
    }
  }
}

/** polytope.ts's `sharing` in 3-D: the vertices on at least 2 of the rows `rowsOfU`. */
@inline function sharing(columns: i32, rowsOfU: i32, all: i32): i32 {
  let one = 0;
  let two = 0;
  for (let x = rowsOfU; x != 0; x &= x - 1) {
    const col = li(columns, ctz32(x));
    two |= one & col;
    one |= all & col;
  }
  return two;
}

/** polytope.ts's `holdsOnly`: whether no vertex other than u and v holds every row of `common`. */
@inline function holdsOnly(columns: i32, all: i32, common: i32, u: i32, v: i32): bool {
  let holding = all & ~((1 << u) | (1 << v));
  for (let c = common; c != 0 && holding != 0; c &= c - 1) holding &= li(columns, ctz32(c));
  return holding == 0;
}

// The walk's vertex names (space/vertex-names.ts's VertexNames: head, next, label, lesser,
// greater; byte offsets), set by `names` whenever the JavaScript side moves one.
let headN: i32 = 0;
let nextN: i32 = 0;
let labelN: i32 = 0;
let lesserN: i32 = 0;
let greaterN: i32 = 0;
let cornersN: i32 = 0;

/** The vertex names' arrays (byte offsets) and the number of corner names. */
export function names(head: i32, next: i32, label: i32, lesser: i32, greater: i32, corners: i32): void {
  headN = head;
  nextN = next;
  labelN = label;
  lesserN = lesser;
  greaterN = greater;
  cornersN = corners;
}

/** The names given by crossings so far (VertexNames.size), kept here during a crossings3 call. */
let nameSize: i32 = 0;

/**
 * VertexNames.crossing: the name of the point where hyperplane `label` crosses the edge between
 * the vertices named a and b, a new one when first met (the JavaScript side made room).
 */
function nameOf(label: i32, a: i32, b: i32): i32 {
  const headNL = headN;
  const nextNL = nextN;
  const labelNL = labelN;
  const lesserNL = lesserN;
  const greaterNL = greaterN;
  const cornersNL = cornersN;
  const lo = min<i32>(a, b);
  const hi = max<i32>(a, b);
  for (let i = li(headNL, hi); i >= 0; i = li(nextNL, i)) if (li(lesserNL, i) == lo && li(labelNL, i) == label) return cornersNL + i;
  const i = nameSize++;
  si(labelNL, i, label);
  si(lesserNL, i, lo);
  si(greaterNL, i, hi);
  si(nextNL, i, li(headNL, hi));
  si(headNL, hi, i);
  return cornersNL + i;
}

/**
 * polytope.ts's `cut` after the signs, up to the children (k = 3, at most 32 vertices and rows):
 * the vertex masks, and every crossing edge (u, v), h(u) > 0 > h(v), in the same order: its
 * interpolated point into newVerts, its incidence into newInc (and the count of crossings per row
 * into rowsAtNew), its bound into newRad, (u, v) into pairs: interpolated, and solved from h and
 * its edge's rows when the interpolation bound is above 2^-40 of the point's size; solve = 1 when
 * that solve fails (the rows numerically of rank < 3: the JavaScript side then tries the exact
 * crossing). With size >= 0 (VertexNames.size: the walk names its vertices), each crossing's name
 * into newName, and the names' new size into out[3]. Returns the number of crossings.
 */
export function crossings3(p: i32, posBits: i32, negBits: i32, label: i32, size: i32): i32 {
  const nvAL = nvA;
  const ncAL = ncA;
  const vertAtAL = vertAtA;
  const incAtAL = incAtA;
  const vertsAL = vertsA;
  const radAL = radA;
  const nameAL = nameA;
  const incAL = incA;
  const valuesSL = valuesS;
  const boundsSL = boundsS;
  const newVertsSL = newVertsS;
  const newIncSL = newIncS;
  const newRadSL = newRadS;
  const newNameSL = newNameS;
  const columnsSL = columnsS;
  const rowsAtNewSL = rowsAtNewS;
  const pairsSL = pairsS;
  const solveSL = solveS;
  const outSL = outS;
  nameSize = size;
  const nv = li(nvAL, p);
  const nc = li(ncAL, p);
  const i0 = li(incAtAL, p);
  const v0 = li(vertAtAL, p);
  const r0 = v0 / 3;
  vertexMasks(p, nv);
  for (let r = 0; r < nc; r++) si(rowsAtNewSL, r, 0);
  const all = nv == 32 ? -1 : (1 << nv) - 1;
  let added = 0;
  for (let x = posBits; x != 0; x &= x - 1) {
    const u = ctz32(x);
    const incU = li(incAL, i0 + u);
    for (let c = sharing(columnsSL, incU, all) & negBits; c != 0; c &= c - 1) {
      const v = ctz32(c);
      const common = incU & li(incAL, i0 + v);
      if (!holdsOnly(columnsSL, all, common, u, v)) continue;
      si(pairsSL, 2 * added, u);
      si(pairsSL, 2 * added + 1, v);
      if (size >= 0) si(newNameSL, added, nameOf(label, li(nameAL, r0 + u), li(nameAL, r0 + v)));
      const valueU = ld(valuesSL, u);
      const valueV = ld(valuesSL, v);
      const t = valueU / (valueU - valueV);
      const a = v0 + u * 3;
      const b = v0 + v * 3;
      const a0 = ld(vertsAL, a);
      const a1 = ld(vertsAL, a + 1);
      const a2 = ld(vertsAL, a + 2);
      const b0 = ld(vertsAL, b);
      const b1 = ld(vertsAL, b + 1);
      const b2 = ld(vertsAL, b + 2);
      const x0 = a0 + t * (b0 - a0);
      const x1 = a1 + t * (b1 - a1);
      const x2 = a2 + t * (b2 - a2);
      const o = 3 * added;
      sd(newVertsSL, o, x0);
      sd(newVertsSL, o + 1, x1);
      sd(newVertsSL, o + 2, x2);
      const span = max<f64>(max<f64>(max<f64>(0, abs<f64>(b0 - a0)), abs<f64>(b1 - a1)), abs<f64>(b2 - a2));
      const size = max<f64>(max<f64>(max<f64>(max<f64>(max<f64>(max<f64>(0, abs<f64>(a0)), abs<f64>(b0)), abs<f64>(a1)), abs<f64>(b1)), abs<f64>(a2)), abs<f64>(b2));
      const here = max<f64>(max<f64>(max<f64>(0, abs<f64>(x0)), abs<f64>(x1)), abs<f64>(x2));
      const boundU = ld(boundsSL, u);
      const boundV = ld(boundsSL, v);
      const dt = (boundU + boundV) / max<f64>(abs<f64>(valueU - valueV) - boundU - boundV, MIN_VALUE);
      const interpolated = max<f64>(ld(radAL, r0 + u), ld(radAL, r0 + v)) + min<f64>(1, dt) * span + 4 * EPS * (size + span);
      si(newIncSL, added, common);
      for (let y = common; y != 0; y &= y - 1) {
        const r = ctz32(y);
        si(rowsAtNewSL, r, li(rowsAtNewSL, r) + 1);
      }
      sd(newRadSL, added, interpolated);
      // Good enough relative to the vertex itself: kept. Else solved from its rows; 1 when even
      // that fails (the JavaScript side then tries the exact crossing).
      sb(solveSL, added, interpolated <= SOLVE_ABOVE * here || solveCrossing(p, added, common) ? 0 : 1);
      added++;
    }
  }
  si(outSL, 3, nameSize);
  return added;
}

/**
 * polytope.ts's `child` (with `childVertices3`) after a kernel cut of p (k = 3, at most 32
 * vertices and rows): the side `sign` of p (the vertices not of the other sign, then the `added`
 * crossings) with the new row `row`, dropping rows tight at fewer than 3 of its vertices, as
 * polytope q placed at the arena's tops (vertTop, consTop, incTop: the JavaScript side made room
 * for p's vertices and crossings and p's rows plus one). `other` and `same` are the bit sets of
 * p's vertices of the other sign and of this one; `named`: copy the vertices' names. Writes q's
 * counts and offsets.
 */
export function child3(p: i32, q: i32, other: i32, same: i32, added: i32, row: i32, named: i32, vertTop: i32, consTop: i32, incTop: i32): void {
  const nvAL = nvA;
  const ncAL = ncA;
  const wordsAL = wordsA;
  const vertAtAL = vertAtA;
  const consAtAL = consAtA;
  const incAtAL = incAtA;
  const radMaxAL = radMaxA;
  const boxAL = boxA;
  const vertsAL = vertsA;
  const radAL = radA;
  const nameAL = nameA;
  const consAL = consA;
  const incAL = incA;
  const keptSL = keptS;
  const keepRowSL = keepRowS;
  const columnsSL = columnsS;
  const rowsAtNewSL = rowsAtNewS;
  const newRadSL = newRadS;
  const newNameSL = newNameS;
  const newVertsSL = newVertsS;
  const newIncSL = newIncS;
  const pnv = li(nvAL, p);
  const pnc = li(ncAL, p);
  const keptMask = ~other & (pnv == 32 ? -1 : (1 << pnv) - 1);
  let old = 0;
  for (let x = keptMask; x != 0; x &= x - 1) si(keptSL, old++, ctz32(x));
  // Rows tight at >= 3 vertices of the child (its kept vertices by the vertex masks, the crossings
  // by their count); the new row is tight at the zeros and the crossings.
  let nc = 0;
  let keptRows = 0;
  for (let r = 0; r < pnc; r++) {
    if (<i32>popcnt<i32>(li(columnsSL, r) & keptMask) + li(rowsAtNewSL, r) >= 3) {
      si(keepRowSL, nc++, r);
      keptRows |= 1 << r;
    }
  }
  si(keepRowSL, nc++, pnc);
  const nv = old + added;
  const W1 = (nc + 31) >>> 5;
  si(nvAL, q, nv);
  si(ncAL, q, nc);
  si(wordsAL, q, W1);
  si(vertAtAL, q, vertTop);
  si(consAtAL, q, consTop);
  si(incAtAL, q, incTop);
  const pc = li(consAtAL, p);
  for (let i = 0; i < nc - 1; i++) si(consAL, consTop + i, li(consAL, pc + li(keepRowSL, i)));
  si(consAL, consTop + nc - 1, row);
  // The vertices (kept, then new) with their error bounds, names and bounding box.
  const pv = li(vertAtAL, p);
  const pr = pv / 3;
  const qr = vertTop / 3;
  let lo0: f64 = Infinity;
  let lo1: f64 = Infinity;
  let lo2: f64 = Infinity;
  let hi0: f64 = -Infinity;
  let hi1: f64 = -Infinity;
  let hi2: f64 = -Infinity;
  let radMax: f64 = 0;
  let to = vertTop;
  for (let n = 0; n < old; n++) {
    const v = li(keptSL, n);
    const rr = ld(radAL, pr + v);
    sd(radAL, qr + n, rr);
    if (rr > radMax) radMax = rr;
    if (named != 0) si(nameAL, qr + n, li(nameAL, pr + v));
    const from = pv + v * 3;
    const x0 = ld(vertsAL, from);
    const x1 = ld(vertsAL, from + 1);
    const x2 = ld(vertsAL, from + 2);
    sd(vertsAL, to, x0);
    sd(vertsAL, to + 1, x1);
    sd(vertsAL, to + 2, x2);
    to += 3;
    if (x0 < lo0) lo0 = x0;
    if (x0 > hi0) hi0 = x0;
    if (x1 < lo1) lo1 = x1;
    if (x1 > hi1) hi1 = x1;
    if (x2 < lo2) lo2 = x2;
    if (x2 > hi2) hi2 = x2;
  }
  for (let a = 0; a < added; a++) {
    const rr = ld(newRadSL, a);
    sd(radAL, qr + old + a, rr);
    if (rr > radMax) radMax = rr;
    if (named != 0) si(nameAL, qr + old + a, li(newNameSL, a));
    const x0 = ld(newVertsSL, 3 * a);
    const x1 = ld(newVertsSL, 3 * a + 1);
    const x2 = ld(newVertsSL, 3 * a + 2);
    sd(vertsAL, to, x0);
    sd(vertsAL, to + 1, x1);
    sd(vertsAL, to + 2, x2);
    to += 3;
    if (x0 < lo0) lo0 = x0;
    if (x0 > hi0) hi0 = x0;
    if (x1 < lo1) lo1 = x1;
    if (x1 > hi1) hi1 = x1;
    if (x2 < lo2) lo2 = x2;
    if (x2 > hi2) hi2 = x2;
  }
  sd(radMaxAL, q, radMax);
  const lo = 6 * q;
  sd(boxAL, lo, lo0);
  sd(boxAL, lo + 1, lo1);
  sd(boxAL, lo + 2, lo2);
  sd(boxAL, lo + 3, hi0);
  sd(boxAL, lo + 4, hi1);
  sd(boxAL, lo + 5, hi2);
  // Incidences: the kept rows keep their order, so a vertex's new word is its old word with the
  // dropped rows' bits taken out (the bits above each shifted down by one), plus the new row's bit
  // at the zeros (kept vertices of neither sign) and the crossings.
  const pi = li(incAtAL, p);
  const newBit = nc - 1;
  const zeros = keptMask & ~same;
  const dropped = (pnc == 32 ? -1 : (1 << pnc) - 1) & ~keptRows;
  if (W1 == 1) {
    for (let n = 0; n < nv; n++) {
      const fresh = n >= old;
      let word = fresh ? li(newIncSL, n - old) : li(incAL, pi + li(keptSL, n));
      for (let x = dropped; x != 0; ) {
        const d = 31 - <i32>clz<i32>(x);
        word = (word & ((1 << d) - 1)) | (((word >>> d) >>> 1) << d);
        x &= ~(1 << d);
      }
      if (fresh || (zeros & (1 << li(keptSL, n))) != 0) word |= 1 << newBit;
      si(incAL, incTop + n, word);
    }
    return;
  }
  for (let i = 0; i < nv * W1; i++) si(incAL, incTop + i, 0);
  for (let n = 0; n < nv; n++) {
    const fresh = n >= old;
    const word = fresh ? li(newIncSL, n - old) : li(incAL, pi + li(keptSL, n));
    const out = incTop + n * W1;
    for (let i = 0; i < nc - 1; i++) {
      const r = li(keepRowSL, i);
      if ((word & (1 << r)) != 0) si(incAL, out + (i >>> 5), li(incAL, out + (i >>> 5)) | (1 << (i & 31)));
    }
    if (fresh || (zeros & (1 << li(keptSL, n))) != 0) si(incAL, out + (newBit >>> 5), li(incAL, out + (newBit >>> 5)) | (1 << (newBit & 31)));
  }
}

// ---- the vertex solve (space/vertex-solve.ts's select3 and finish3) ---------------------------

// The RowStore's coefficients (4 per row) and solve scales (byte offsets), set by `rows`.
let coefR: i32 = 0;
let scaleR: i32 = 0;

/** The RowStore's arrays (byte offsets). */
export function rows(coef: i32, scale: i32): void {
  coefR = coef;
  scaleR = scale;
}

/** An edge's rows: at most 32 (one incidence word), plus h. */
const MOST_ROWS = 33;
const M = memory.data(8 * 4 * MOST_ROWS, 16);
const USED = memory.data(MOST_ROWS, 16);
const SCALE_OF = memory.data(8 * MOST_ROWS, 16);
const IDS = memory.data(4 * MOST_ROWS, 16);
let sel0: i32 = 0;
let sel1: i32 = 0;
let sel2: i32 = 0;

@inline function isFinite(x: f64): bool {
  return x - x == 0;
}

/** vertex-solve.ts's powerScale for k = 3: the power of two 2^-e with max_j |row_j| 2^-e in [1, 2) (1 for a zero normal). */
function powerScale3(m: f64): f64 {
  if (m == 0 || !isFinite(m)) return 1;
  const biased = <i32>((reinterpret<u64>(m) >> 52) & 0x7ff);
  if (biased > 0 && biased < 2046) return reinterpret<f64>(<u64>(2046 - biased) << 52);
  let s: f64 = 1;
  while (m * s >= 2) s *= 0.5;
  while (m * s < 1) s *= 2;
  return s;
}

/** The largest |normal entry| of the 4 doubles at byte offset at (powerScale3's m). */
@inline function normalMax(at: i32): f64 {
  return max<f64>(max<f64>(max<f64>(0, abs<f64>(load<f64>(at + 8))), abs<f64>(load<f64>(at + 16))), abs<f64>(load<f64>(at + 24)));
}

/**
 * vertex-solve.ts's select3: h (hS) and the rows IDS[0 .. count) scaled by powers of two (a row's
 * scale kept in the RowStore once known), 3 of them chosen by complete pivoting (sel0..2); false
 * when their rank is below 3 in float64.
 */
function select3(count: i32): bool {
  const hSL = hS;
  const coefRL = coefR;
  const scaleRL = scaleR;
  const rowsIn = count + 1;
  let s = powerScale3(normalMax(hSL));
  store<f64>(SCALE_OF, s);
  store<f64>(M, ld(hSL, 0) * s);
  store<f64>(M + 8, ld(hSL, 1) * s);
  store<f64>(M + 16, ld(hSL, 2) * s);
  store<f64>(M + 24, ld(hSL, 3) * s);
  for (let i = 0; i < count; i++) {
    const id = li(<i32>IDS, i);
    const r = coefRL + (id << 5);
    s = ld(scaleRL, id);
    if (s == 0) {
      s = powerScale3(normalMax(r));
      sd(scaleRL, id, s);
    }
    store<f64>(SCALE_OF + ((i + 1) << 3), s);
    const o = <i32>M + ((i + 1) << 5);
    store<f64>(o, load<f64>(r) * s);
    store<f64>(o + 8, load<f64>(r + 8) * s);
    store<f64>(o + 16, load<f64>(r + 16) * s);
    store<f64>(o + 24, load<f64>(r + 24) * s);
  }
  for (let i = 0; i < rowsIn; i++) store<u8>(USED + i, 0);
  let used0 = false;
  let used1 = false;
  let used2 = false;
  const tiny: f64 = 64 * 3 * EPS;
  for (let step = 0; step < 3; step++) {
    let bestRow = -1;
    let bestCol = -1;
    let best: f64 = 0;
    const end = step == 0 ? 1 : rowsIn;
    for (let i = step == 0 ? 0 : 1; i < end; i++) {
      if (load<u8>(USED + i) != 0) continue;
      const o = <i32>M + (i << 5);
      if (!used0) {
        const a = abs<f64>(load<f64>(o + 8));
        if (a > best) {
          best = a;
          bestRow = i;
          bestCol = 0;
        }
      }
      if (!used1) {
        const a = abs<f64>(load<f64>(o + 16));
        if (a > best) {
          best = a;
          bestRow = i;
          bestCol = 1;
        }
      }
      if (!used2) {
        const a = abs<f64>(load<f64>(o + 24));
        if (a > best) {
          best = a;
          bestRow = i;
          bestCol = 2;
        }
      }
    }
    if (bestRow < 0 || best <= tiny) return false;
    store<u8>(USED + bestRow, 1);
    if (bestCol == 0) used0 = true;
    else if (bestCol == 1) used1 = true;
    else used2 = true;
    if (step == 0) sel0 = bestRow;
    else if (step == 1) sel1 = bestRow;
    else sel2 = bestRow;
    const b = <i32>M + (bestRow << 5);
    const p = load<f64>(b + 8 + (bestCol << 3));
    for (let i = 1; i < rowsIn; i++) {
      if (load<u8>(USED + i) != 0) continue;
      const o = <i32>M + (i << 5);
      const f = load<f64>(o + 8 + (bestCol << 3)) / p;
      if (f == 0) continue;
      store<f64>(o, load<f64>(o) - f * load<f64>(b));
      store<f64>(o + 8, load<f64>(o + 8) - f * load<f64>(b + 8));
      store<f64>(o + 16, load<f64>(o + 16) - f * load<f64>(b + 16));
      store<f64>(o + 24, load<f64>(o + 24) - f * load<f64>(b + 24));
    }
  }
  return true;
}

/** Byte offset of chosen row r's 4 coefficients (0: h, else the RowStore's row IDS[r - 1]). */
@inline function rowAt(r: i32): i32 {
  return r == 0 ? hS : coefR + (li(<i32>IDS, r - 1) << 5);
}

/**
 * vertex-solve.ts's finish3: the vertex from the chosen rows (LU with partial pivoting, the
 * solve, the inverse's columns, the residual bound), the same operations in the same order, into
 * newVerts[3 a ..] and newRad[a]; false when the rows are singular or the solution not finite.
 */
function finish3(a: i32): bool {
  const newVertsSL = newVertsS;
  const newRadSL = newRadS;
  const r0 = sel0;
  const r1 = sel1;
  const r2 = sel2;
  const s0 = load<f64>(SCALE_OF + (r0 << 3));
  const s1 = load<f64>(SCALE_OF + (r1 << 3));
  const s2 = load<f64>(SCALE_OF + (r2 << 3));
  const o0 = rowAt(r0);
  const o1 = rowAt(r1);
  const o2 = rowAt(r2);
  const b0 = -(load<f64>(o0) * s0);
  const b1 = -(load<f64>(o1) * s1);
  const b2 = -(load<f64>(o2) * s2);
  const a00 = load<f64>(o0 + 8) * s0;
  const a01 = load<f64>(o0 + 16) * s0;
  const a02 = load<f64>(o0 + 24) * s0;
  const a10 = load<f64>(o1 + 8) * s1;
  const a11 = load<f64>(o1 + 16) * s1;
  const a12 = load<f64>(o1 + 24) * s1;
  const a20 = load<f64>(o2 + 8) * s2;
  const a21 = load<f64>(o2 + 16) * s2;
  const a22 = load<f64>(o2 + 24) * s2;
  let u0 = a00;
  let u1 = a01;
  let u2 = a02;
  let v0 = a10;
  let v1 = a11;
  let v2 = a12;
  let w0 = a20;
  let w1 = a21;
  let w2 = a22;
  let p0 = 0;
  let p1 = 1;
  let p2 = 2;
  let t: f64;
  let ti: i32;
  // Column 0.
  let p = 0;
  if (abs<f64>(v0) > abs<f64>(u0)) p = 1;
  if (abs<f64>(w0) > abs<f64>(p == 0 ? u0 : v0)) p = 2;
  if ((p == 0 ? u0 : p == 1 ? v0 : w0) == 0) return false;
  if (p == 1) {
    t = u0; u0 = v0; v0 = t;
    t = u1; u1 = v1; v1 = t;
    t = u2; u2 = v2; v2 = t;
    ti = p0; p0 = p1; p1 = ti;
  } else if (p == 2) {
    t = u0; u0 = w0; w0 = t;
    t = u1; u1 = w1; w1 = t;
    t = u2; u2 = w2; w2 = t;
    ti = p0; p0 = p2; p2 = ti;
  }
  let f = v0 / u0;
  v0 = f;
  if (f != 0) {
    v1 -= f * u1;
    v2 -= f * u2;
  }
  f = w0 / u0;
  w0 = f;
  if (f != 0) {
    w1 -= f * u1;
    w2 -= f * u2;
  }
  // Column 1.
  p = abs<f64>(w1) > abs<f64>(v1) ? 2 : 1;
  if ((p == 1 ? v1 : w1) == 0) return false;
  if (p == 2) {
    t = v0; v0 = w0; w0 = t;
    t = v1; v1 = w1; w1 = t;
    t = v2; v2 = w2; w2 = t;
    ti = p1; p1 = p2; p2 = ti;
  }
  f = w1 / v1;
  w1 = f;
  if (f != 0) w2 -= f * v2;
  // Column 2.
  if (w2 == 0) return false;
  let y0 = p0 == 0 ? b0 : p0 == 1 ? b1 : b2;
  let y1 = p1 == 0 ? b0 : p1 == 1 ? b1 : b2;
  y1 -= v0 * y0;
  let y2 = p2 == 0 ? b0 : p2 == 1 ? b1 : b2;
  y2 -= w0 * y0;
  y2 -= w1 * y1;
  y2 = y2 / w2;
  y1 -= v2 * y2;
  y1 = y1 / v1;
  y0 -= u1 * y1;
  y0 -= u2 * y2;
  y0 = y0 / u0;
  const x0 = y0;
  const x1 = y1;
  const x2 = y2;
  if (!isFinite(x0) || !isFinite(x1) || !isFinite(x2)) return false;
  const gamma: f64 = 5 * EPS;
  let i00: f64 = 0;
  let i01: f64 = 0;
  let i02: f64 = 0;
  let i10: f64 = 0;
  let i11: f64 = 0;
  let i12: f64 = 0;
  let i20: f64 = 0;
  let i21: f64 = 0;
  let i22: f64 = 0;
  for (let c = 0; c < 3; c++) {
    let z0: f64 = p0 == c ? 1 : 0;
    let z1: f64 = p1 == c ? 1 : 0;
    z1 -= v0 * z0;
    let z2: f64 = p2 == c ? 1 : 0;
    z2 -= w0 * z0;
    z2 -= w1 * z1;
    z2 = z2 / w2;
    z1 -= v2 * z2;
    z1 = z1 / v1;
    z0 -= u1 * z1;
    z0 -= u2 * z2;
    z0 = z0 / u0;
    if (c == 0) {
      i00 = z0;
      i10 = z1;
      i20 = z2;
    } else if (c == 1) {
      i01 = z0;
      i11 = z1;
      i21 = z2;
    } else {
      i02 = z0;
      i12 = z1;
      i22 = z2;
    }
  }
  let r = -b0;
  let mag = abs<f64>(b0);
  r += a00 * x0;
  mag += abs<f64>(a00 * x0);
  r += a01 * x1;
  mag += abs<f64>(a01 * x1);
  r += a02 * x2;
  mag += abs<f64>(a02 * x2);
  const e0 = abs<f64>(r) + gamma * mag;
  r = -b1;
  mag = abs<f64>(b1);
  r += a10 * x0;
  mag += abs<f64>(a10 * x0);
  r += a11 * x1;
  mag += abs<f64>(a11 * x1);
  r += a12 * x2;
  mag += abs<f64>(a12 * x2);
  const e1 = abs<f64>(r) + gamma * mag;
  r = -b2;
  mag = abs<f64>(b2);
  r += a20 * x0;
  mag += abs<f64>(a20 * x0);
  r += a21 * x1;
  mag += abs<f64>(a21 * x1);
  r += a22 * x2;
  mag += abs<f64>(a22 * x2);
  const e2 = abs<f64>(r) + gamma * mag;
  let radius: f64 = 0;
  let sum: f64 = 0;
  sum += abs<f64>(i00) * e0;
  sum += abs<f64>(i01) * e1;
  sum += abs<f64>(i02) * e2;
  radius = max<f64>(radius, sum);
  sum = 0;
  sum += abs<f64>(i10) * e0;
  sum += abs<f64>(i11) * e1;
  sum += abs<f64>(i12) * e2;
  radius = max<f64>(radius, sum);
  sum = 0;
  sum += abs<f64>(i20) * e0;
  sum += abs<f64>(i21) * e1;
  sum += abs<f64>(i22) * e2;
  radius = max<f64>(radius, sum);
  sd(newVertsSL, 3 * a, x0);
  sd(newVertsSL, 3 * a + 1, x1);
  sd(newVertsSL, 3 * a + 2, x2);
  sd(newRadSL, a, 2 * radius * (1 + 4 * gamma) + MIN_VALUE);
  return true;
}

/**
 * Crossing a of p, whose interpolation bound asked for a solve: solved from h and the edge's rows
 * (`common`, its incidence word), as polytope.ts's `crossing` does with solveVertex. True when
 * solved; false leaves the interpolated point and its bound (the JavaScript side then tries the
 * exact crossing).
 */
function solveCrossing(p: i32, a: i32, common: i32): bool {
  const consAtAL = consAtA;
  const consAL = consA;
  const c0 = li(consAtAL, p);
  let count = 0;
  for (let x = common; x != 0; x &= x - 1) si(<i32>IDS, count++, li(consAL, c0 + ctz32(x)));
  return select3(count) && finish3(a);
}

/**
 * polytope.ts's `facets` for a 3-D polytope of at most 32 vertices and rows: its local rows that
 * are facets (tight at 3 or more vertices), one per distinct set of tight vertices, in row order,
 * into rows (byte offset; i32 each), their vertices in increasing order end to end into verts,
 * from start[f] to start[f + 1]. The vertex masks (columns) are p's afterwards. Returns the count.
 */
export function facets3(p: i32, rows: i32, start: i32, verts: i32): i32 {
  const nvAL = nvA;
  const ncAL = ncA;
  const columnsSL = columnsS;
  const nv = li(nvAL, p);
  const nc = li(ncAL, p);
  vertexMasks(p, nv);
  let count = 0;
  let at = 0;
  si(start, 0, 0);
  for (let r = 0; r < nc; r++) {
    const mask = li(columnsSL, r);
    if (<i32>popcnt<i32>(mask) < 3) continue;
    let seen = false;
    for (let f = 0; f < count && !seen; f++) seen = li(columnsSL, li(rows, f)) == mask;
    if (seen) continue;
    for (let x = mask; x != 0; x &= x - 1) si(verts, at++, ctz32(x));
    si(rows, count++, r);
    si(start, count, at);
  }
  return count;
}
