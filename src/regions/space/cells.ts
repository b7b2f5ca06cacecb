/**
 * The space engine's output, cell by cell as the walk finishes them: pattern, output map,
 * vertices, minimal H-representation (unit-normal facets), interior point, and the complex counts;
 * then, once every pattern is known, facet adjacency and linear pieces (`finish`).
 */
import { grown } from "../../geometry/grown.ts";
import { chebyshevCentre, type LpSolver } from "../../geometry/lp.ts";
import { type Compiled, forward } from "../../model/forward.ts";
import { getState, setState } from "../../model/pattern.ts";
import { Growable, growableFloat64, growableInt32, growableUint32 } from "../buffers.ts";
import { linearPieces, type SpacePartition } from "../partition.ts";
import { sortRange } from "./complex.ts";
import { FacetList } from "./facet-list.ts";
import { PatternIndex } from "./pattern-index.ts";
import type { PolytopeArena } from "./polytope.ts";
import type { RowStore } from "./row-store.ts";

/** Why the complex counts are withheld (space/complex.ts's grid, for networks with max steps; docs/space.md). */
export const WITHHELD = "cells far smaller than the domain: vertices are matched across cells on a grid of 1e-7 of its radius (docs/space.md)";

/** Why the complex counts are withheld when named cells' facets do not match (space/complex.ts; docs/space.md). */
export const MISMATCHED =
  "hyperplanes pass within rounding of vertices, and cells on either side of a facet decided them differently (one through the vertex, one beside it): the cells' facets do not match (docs/space.md)";

/** What counts the faces of the complex, cell by cell (space/complex.ts; a share's recorder, parallel/space.ts). */
export interface CellComplex {
  addCell(arena: PolytopeArena, p: number, facets: FacetList): void;
  counts(): { vertices: number; edges: number; facets: number };
  /** Whether cells' facets fail to match (then the counts are withheld); asked only of a complete count. */
  mismatched?(): boolean;
  /** Whether facets are counted from incidences (space/complex.ts): then the sink keeps the cells' vertex names. */
  readonly derivedFacets?: boolean;
  /** Whether the derived facet count cannot be given, and the cells' facets must be hashed after all (`addFacetsOfCells`). */
  facetsPending?(): boolean;
  addFacetsOfCells?(
    count: number,
    names: Int32Array,
    vertexStart: ArrayLike<number>,
    facetStart: ArrayLike<number>,
    facetVertexStart: ArrayLike<number>,
    facetVertices: ArrayLike<number>,
    facetRow: ArrayLike<number>,
  ): void;
}

/** A sink's cells as arrays (views of its buffers): what the shares of a split count send to the join (parallel/space.ts). */
export interface SinkParts {
  count: number;
  patterns: Uint32Array;
  outputMaps: Float64Array;
  vertexStart: Uint32Array;
  vertices: Float64Array;
  facetStart: Uint32Array;
  facetRow: Int32Array;
  facetVertexStart: Uint32Array;
  facetVertices: Int32Array;
  centres: Float64Array;
  radii: Float64Array;
}

/**
 * Which of a sink's arrays live on SharedArrayBuffers: a share of a split count (parallel/space.ts)
 * hands its cells' faces to the thread that counts the complex while the join still reads them.
 */
export interface SinkSharing {
  /** vertexStart, facetStart, facetVertexStart, facetVertices. */
  faces: boolean;
  /** vertices (the complex's grid needs them: networks with max steps). */
  vertices: boolean;
}

/**
 * The buffers of the last finished one-thread sink, taken by the next one on this thread: a sweep
 * or a benchmark counts many times in one process, and a sink's buffers grow 1.5-fold from 1024
 * items to their final size, so each count allocated, zeroed and copied about three times that
 * (3-32x3-1: 10.5 MB of cells), and the garbage collector, which V8 runs by those bytes, freed it
 * all. A recycling sink hands out exact copies in its partition instead of views (the buffers go
 * on to the next count), and keeps at most SPARE_BYTES. Shares of a split count do not recycle
 * (their buffers are moved or shared between threads).
 */
type SpareBuffers = Omit<SinkParts, "count"> & { vertexNames: Int32Array };
let spare: SpareBuffers | null = null;
const SPARE_BYTES = 64 * 2 ** 20;

export class CellSink {
  count = 0;
  private readonly k: number;
  private readonly patterns: Growable<Uint32Array>;
  private readonly outputMaps: Growable<Float64Array>;
  private readonly vertexStart: Growable<Uint32Array>;
  private readonly vertices: Growable<Float64Array>;
  private readonly facetStart: Growable<Uint32Array>;
  /**
   * Per facet: the row it comes from, and its vertices (cell-local). Its unit row [a_1..a_k, b]
   * (|a| = 1) is the row's (`unitRow`), written out once in `finish`: growing one more array of
   * k + 1 doubles per facet cell by cell cost more than the copy.
   */
  private readonly facetRow: Growable<Int32Array>;
  private readonly facetVertexStart: Growable<Uint32Array>;
  private readonly facetVertices: Growable<Int32Array>;
  private readonly centres: Growable<Float64Array>;
  private readonly radii: Growable<Float64Array>;
  /**
   * Per vertex (as `vertices`): its name, kept only when the complex counts facets from incidences
   * (`CellComplex.derivedFacets`), for the hashed count when that cannot be given.
   */
  private readonly vertexNames: Growable<Int32Array>;
  /** Scratch: a cell's facets, a centre. */
  private readonly facetList = new FacetList();
  private readonly centre: Float64Array;
  /** `unitRow`'s cache: per row of the RowStore, its unit row (k+1 numbers) and whether it is set. */
  private unitRows = new Float64Array(0);
  private unitReady = new Uint8Array(0);
  /** Whether this sink takes and leaves the spare buffers (see SpareBuffers): not a share's. */
  private readonly recycles: boolean;

  constructor(
    private readonly compiled: Compiled,
    k: number,
    private readonly rows: RowStore,
    private readonly lp: LpSolver | null,
    private complex: CellComplex | null,
    /** A share's (parallel/space.ts): which arrays are shared; none given, the sink recycles. */
    sharing?: SinkSharing,
  ) {
    this.k = k;
    this.recycles = sharing === undefined;
    const s = this.recycles ? spare : null;
    if (s !== null) {
      spare = null;
      this.patterns = Growable.over(Uint32Array, s.patterns);
      this.outputMaps = Growable.over(Float64Array, s.outputMaps);
      this.facetRow = Growable.over(Int32Array, s.facetRow);
      this.centres = Growable.over(Float64Array, s.centres);
      this.radii = Growable.over(Float64Array, s.radii);
      this.vertexStart = Growable.over(Uint32Array, s.vertexStart);
      this.vertices = Growable.over(Float64Array, s.vertices);
      this.facetStart = Growable.over(Uint32Array, s.facetStart);
      this.facetVertexStart = Growable.over(Uint32Array, s.facetVertexStart);
      this.facetVertices = Growable.over(Int32Array, s.facetVertices);
      this.vertexNames = Growable.over(Int32Array, s.vertexNames);
    } else {
      const faces = { shared: sharing?.faces ?? false };
      this.patterns = growableUint32(1024);
      this.outputMaps = growableFloat64(1024);
      this.facetRow = growableInt32(1024);
      this.centres = growableFloat64(1024);
      this.radii = growableFloat64(1024);
      this.vertexStart = growableUint32(1024, faces);
      this.vertices = growableFloat64(1024, { shared: sharing?.vertices ?? false });
      this.facetStart = growableUint32(1024, faces);
      this.facetVertexStart = growableUint32(1024, faces);
      this.facetVertices = growableInt32(1024, faces);
      this.vertexNames = growableInt32(1024);
    }
    this.centre = new Float64Array(k);
    this.vertexStart.push(0);
    this.facetStart.push(0);
    this.facetVertexStart.push(0);
  }

  /** Add cell p of `arena` with activation pattern `pattern` and output map `map` ((k+1) x outputSize). */
  add(arena: PolytopeArena, p: number, pattern: Uint32Array, map: Float64Array): void {
    const k = this.k;
    const C = k + 1;
    const out = this.compiled.outputSize;
    this.count++;
    // Each array is filled by its own loop here, so every access sees one array type, with the
    // write position in a local.
    const patterns = this.patterns;
    patterns.reserve(pattern.length);
    const patternData = patterns.data;
    let at = patterns.length;
    for (let w = 0; w < pattern.length; w++) patternData[at++] = pattern[w];
    patterns.length = at;
    const maps = this.outputMaps;
    maps.reserve(out * C);
    const mapData = maps.data;
    at = maps.length;
    for (let o = 0; o < out; o++) for (let c = 0; c < C; c++) mapData[at++] = map[c * out + o];
    maps.length = at;
    const vertices = this.vertices;
    const nvk = arena.nv[p] * k;
    const v0 = arena.vertAt[p];
    const verts = arena.verts;
    vertices.reserve(nvk);
    const vertexData = vertices.data;
    at = vertices.length;
    for (let i = 0; i < nvk; i++) vertexData[at + i] = verts[v0 + i];
    vertices.length = at + nvk;
    this.vertexStart.push(vertices.length / k);
    if (this.complex?.derivedFacets === true && arena.names !== null) {
      const nv = arena.nv[p];
      const names = this.vertexNames;
      names.reserve(nv);
      const nameData = names.data;
      const from = v0 / k;
      at = names.length;
      for (let v = 0; v < nv; v++) nameData[at + v] = arena.name[from + v];
      names.length = at + nv;
    }

    // Minimal H-representation: unit normals of the facet rows, and the facets' vertices.
    const list = this.facetList;
    arena.facets(p, list);
    const nf = list.count;
    const f0 = this.facetRow.length;
    const facetRow = this.facetRow;
    const facetVertices = this.facetVertices;
    const facetVertexStart = this.facetVertexStart;
    facetRow.reserve(nf);
    facetVertexStart.reserve(nf);
    facetVertices.reserve(list.start[nf]);
    const rowData = facetRow.data;
    const memberData = facetVertices.data;
    const memberStart = facetVertexStart.data;
    const { rows, start, verts: members } = list;
    // The facets' vertex lists lie end to end in the list (start[0] = 0): one copy.
    const m0 = facetVertices.length;
    const ma = m0 + start[nf];
    for (let i = 0; i < start[nf]; i++) memberData[m0 + i] = members[i];
    const c0 = arena.consAt[p];
    for (let f = 0; f < nf; f++) {
      const r = arena.cons[c0 + rows[f]];
      this.unitRow(r);
      rowData[f0 + f] = r;
      memberStart[f0 + f + 1] = m0 + start[f + 1];
    }
    facetRow.length = f0 + nf;
    facetVertices.length = ma;
    facetVertexStart.length = f0 + nf + 1;
    this.facetStart.push(f0 + nf);
    this.addCentre(arena, p, f0, nf);
    this.complex?.addCell(arena, p, list);
  }

  /**
   * Counts no complex from here on (a split count's first share, whose sink the join finishes:
   * the complex is counted on another thread, parallel/space.ts).
   */
  dropComplex(): void {
    this.complex = null;
  }

  /** The cells so far, as views (see SinkParts). */
  parts(): SinkParts {
    return {
      count: this.count,
      patterns: this.patterns.toArray(),
      outputMaps: this.outputMaps.toArray(),
      vertexStart: this.vertexStart.toArray(),
      vertices: this.vertices.toArray(),
      facetStart: this.facetStart.toArray(),
      facetRow: this.facetRow.toArray(),
      facetVertexStart: this.facetVertexStart.toArray(),
      facetVertices: this.facetVertices.toArray(),
      centres: this.centres.toArray(),
      radii: this.radii.toArray(),
    };
  }

  /**
   * Room for every cell of `parts`, exactly (before appendCells: one allocation per array, not
   * one per growth, and no slack: the joined arrays are final).
   */
  reserveFor(parts: readonly SinkParts[]): void {
    const sum = (of: (p: SinkParts) => number) => parts.reduce((n, p) => n + of(p), 0);
    this.patterns.reserveExact(sum((p) => p.patterns.length));
    this.outputMaps.reserveExact(sum((p) => p.outputMaps.length));
    this.centres.reserveExact(sum((p) => p.centres.length));
    this.radii.reserveExact(sum((p) => p.radii.length));
    this.vertices.reserveExact(sum((p) => p.vertices.length));
    this.vertexStart.reserveExact(sum((p) => p.count));
    this.facetStart.reserveExact(sum((p) => p.count));
    this.facetVertices.reserveExact(sum((p) => p.facetVertices.length));
    const facets = sum((p) => p.facetRow.length);
    this.facetRow.reserveExact(facets);
    this.facetVertexStart.reserveExact(facets);
  }

  /**
   * Cells [from, to) of another sink's parts, appended as `add` would have: their facets' rows
   * are `rowBase` on in this sink's RowStore (the shares' rows, one store after another).
   */
  appendCells(parts: SinkParts, from: number, to: number, rowBase: number, unitRows = true): void {
    const k = this.k;
    const C = k + 1;
    const words = this.compiled.layout.words;
    const mapSize = this.compiled.outputSize * C;
    appendTo(this.patterns, parts.patterns, from * words, to * words);
    appendTo(this.outputMaps, parts.outputMaps, from * mapSize, to * mapSize);
    appendTo(this.centres, parts.centres, from * k, to * k);
    appendTo(this.radii, parts.radii, from, to);
    const v0 = parts.vertexStart[from];
    appendTo(this.vertices, parts.vertices, v0 * k, parts.vertexStart[to] * k);
    appendShifted(this.vertexStart, parts.vertexStart, from + 1, to + 1, this.vertexStart.data[this.vertexStart.length - 1] - v0);
    const f0 = parts.facetStart[from];
    const f1 = parts.facetStart[to];
    appendShifted(this.facetStart, parts.facetStart, from + 1, to + 1, this.facetRow.length - f0);
    const m0 = parts.facetVertexStart[f0];
    appendTo(this.facetVertices, parts.facetVertices, m0, parts.facetVertexStart[f1]);
    appendShifted(this.facetVertexStart, parts.facetVertexStart, f0 + 1, f1 + 1, this.facetVertexStart.data[this.facetVertexStart.length - 1] - m0);
    appendShifted(this.facetRow, parts.facetRow, f0, f1, rowBase);
    // The facets' unit rows, which finish writes out (as add makes them ready), unless the caller
    // gives finish the facets itself.
    if (unitRows) for (let f = f0; f < f1; f++) this.unitRow(parts.facetRow[f] + rowBase);
    this.count += to - from;
  }

  /**
   * The unit rows [a_1..a_k, b] (|a| = 1) of the RowStore, computed once per row (rows are facets
   * of many cells); returns the array that holds row r's at r (k+1).
   */
  private unitRow(r: number): Float64Array {
    const C = this.k + 1;
    if (r >= this.unitReady.length) {
      const capacity = 2 * this.rows.count;
      this.unitRows = grown(this.unitRows, capacity * C);
      this.unitReady = grown(this.unitReady, capacity);
    }
    const unit = this.unitRows;
    if (this.unitReady[r]) return unit;
    const coef = this.rows.coef;
    let norm = 0;
    for (let j = 1; j < C; j++) norm += coef[r * C + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < this.k; j++) unit[r * C + j] = coef[r * C + 1 + j] / norm;
    unit[r * C + this.k] = -coef[r * C] / norm;
    this.unitReady[r] = 1;
    return unit;
  }

  /** The Chebyshev centre with an LP solver, else (or when degenerate) the mean of the vertices. */
  private addCentre(arena: PolytopeArena, p: number, f0: number, m: number): void {
    const k = this.k;
    const C = k + 1;
    // Facet f's unit row is at facetRow[f0 + f] (k + 1) in `unit`.
    const unit = this.unitRows;
    const facetRow = this.facetRow.data;
    if (this.lp) {
      const A = new Float64Array(m * k);
      const b = new Float64Array(m);
      for (let f = 0; f < m; f++) {
        const at = facetRow[f0 + f] * C;
        for (let j = 0; j < k; j++) A[f * k + j] = unit[at + j];
        b[f] = unit[at + k];
      }
      const cheb = chebyshevCentre(this.lp, A, b, m, k);
      if (cheb.radius > 0) {
        for (let j = 0; j < k; j++) this.centres.push(cheb.centre[j]);
        this.radii.push(cheb.radius);
        return;
      }
    }
    const nv = arena.nv[p];
    const v0 = arena.vertAt[p];
    if (k === 3) {
      this.vertexMean3(arena.verts, v0, nv, facetRow, f0, m);
      return;
    }
    const c = this.centre;
    c.fill(0);
    for (let v = 0; v < nv; v++) for (let j = 0; j < k; j++) c[j] += arena.verts[v0 + v * k + j] / nv;
    let r = Infinity;
    for (let f = 0; f < m; f++) {
      const at = facetRow[f0 + f] * C;
      let dot = 0;
      for (let j = 0; j < k; j++) dot += unit[at + j] * c[j];
      r = Math.min(r, unit[at + k] - dot);
    }
    for (let j = 0; j < k; j++) this.centres.push(c[j]);
    this.radii.push(r);
  }

  /** addCentre's vertex mean and its distance to the facets in 3-D, unrolled: the same operations in the same order. */
  private vertexMean3(verts: Float64Array, v0: number, nv: number, facetRow: Int32Array, f0: number, m: number): void {
    let c0 = 0;
    let c1 = 0;
    let c2 = 0;
    for (let at = v0; at < v0 + 3 * nv; at += 3) {
      c0 += verts[at] / nv;
      c1 += verts[at + 1] / nv;
      c2 += verts[at + 2] / nv;
    }
    const unit = this.unitRows;
    let r = Infinity;
    for (let f = 0; f < m; f++) {
      const at = facetRow[f0 + f] * 4;
      let dot = 0;
      dot += unit[at] * c0;
      dot += unit[at + 1] * c1;
      dot += unit[at + 2] * c2;
      r = Math.min(r, unit[at + 3] - dot);
    }
    const centres = this.centres;
    centres.push(c0);
    centres.push(c1);
    centres.push(c2);
    this.radii.push(r);
  }

  /**
   * Every facet's unit row (k + 1 numbers each), from its row's: the partition's `facets` (a split
   * count's shares make their own). `into`: the first `facets` facets' rows, written into that
   * array (the joined one of a split count, whose beginning they are).
   */
  unitFacets(into: Float64Array | null = null, facets = this.facetRow.length): Float64Array {
    const C = this.k + 1;
    const out = into ?? new Float64Array(facets * C);
    const rowOf = this.facetRow.data;
    const unit = this.unitRows;
    for (let f = 0; f < facets; f++) {
      const at = rowOf[f] * C;
      for (let j = 0; j < C; j++) out[f * C + j] = unit[at + j];
    }
    return out;
  }

  /**
   * Adjacency: across a facet of unit u the neighbour's pattern differs in u's state only
   * (generically); look it up, and probe just across the facet when that fails (coincident
   * units). Fills facetNeighbour (left -1 on the domain's boundary).
   */
  private neighbours(
    slice: { origin: Float64Array; basis: Float64Array[] },
    patterns: Uint32Array,
    index: PatternIndex,
    facets: Float64Array,
    facetNeighbour: Int32Array,
    /** Facets already decided (-1, or OFFSET + neighbour - cell: from a split count's shares, see `known` in finish), else null. */
    known: Int32Array | null,
  ): void {
    const { compiled, k } = this;
    const C = k + 1;
    const layout = compiled.layout;
    const words = layout.words;
    const n = this.count;
    const n0 = compiled.inputSize;
    const facetStart = this.facetStart.data;
    const vertices = this.vertices.data;
    const rows = this.rows;
    const facetRow = this.facetRow.data;
    const facetVertexStart = this.facetVertexStart.data;
    const facetVertices = this.facetVertices.data;
    const vertexStart = this.vertexStart.data;
    const pattern = new Uint32Array(words);
    const probe = new Float64Array(k);
    const x = new Float64Array(n0);
    for (let i = 0; i < n; i++) {
      // The cell's pattern, once per cell: each facet changes one unit's state and puts it back.
      for (let w = 0; w < words; w++) pattern[w] = patterns[i * words + w];
      for (let f = facetStart[i]; f < facetStart[i + 1]; f++) {
        if (known !== null && known[f] !== UNKNOWN) {
          const v = known[f];
          facetNeighbour[f] = v >= 0 ? i + v - OFFSET : v;
          continue;
        }
        const r = facetRow[f];
        const step = rows.step[r];
        if (step < 0) continue;
        const unit = rows.unit[r];
        const state = getState(layout, pattern, 0, step, unit);
        const target = compiled.steps[step].kind === "max" ? rows.other[r] : state - rows.side[r];
        setState(layout, pattern, 0, step, unit, target);
        let nb = index.firstCell(pattern, 0);
        setState(layout, pattern, 0, step, unit, state);
        if (nb < 0 || nb === i) {
          // The mean of the facet's vertices (a point in its relative interior), moved across it.
          probe.fill(0);
          const m = facetVertexStart[f + 1] - facetVertexStart[f];
          for (let t = facetVertexStart[f]; t < facetVertexStart[f + 1]; t++) {
            const v = vertexStart[i] + facetVertices[t];
            for (let j = 0; j < k; j++) probe[j] += vertices[v * k + j];
          }
          for (let j = 0; j < k; j++) probe[j] /= m || 1;
          // Across by a fraction of the facet's own extent (never of the domain's: the cells of a
          // large domain can be small).
          let extent = 0;
          for (let t = facetVertexStart[f]; t < facetVertexStart[f + 1]; t++) {
            const v = vertexStart[i] + facetVertices[t];
            for (let j = 0; j < k; j++) extent = Math.max(extent, Math.abs(vertices[v * k + j] - probe[j]));
          }
          const delta = 1e-7 * extent;
          for (let j = 0; j < k; j++) probe[j] += delta * facets[f * C + j];
          x.set(slice.origin);
          for (let c = 0; c < k; c++) for (let d = 0; d < n0; d++) x[d] += probe[c] * slice.basis[c][d];
          nb = index.firstCell(forward(compiled, x).pattern, 0);
        }
        if (nb >= 0 && nb !== i) facetNeighbour[f] = nb;
      }
    }
  }

  /**
   * The partition: adjacency across facets, linear pieces, and every array (`complete`: the walk ran
   * to its end). `known`: per facet its neighbour as the shares of a split count found it (as
   * shareNeighbours gives it: OFFSET + neighbour - cell, so the join copies the shares' arrays as
   * they are, or -1 for none), or UNKNOWN where the join looks it up.
   */
  finish(
    slice: { origin: Float64Array; basis: Float64Array[] },
    radius: number,
    complete = true,
    known: Int32Array | null = null,
    /** Every facet's unit row, when the caller has them (the shares' `unitFacets`, joined). */
    facetRows: Float64Array | null = null,
  ): SpacePartition {
    const { compiled, k } = this;
    const C = k + 1;
    const layout = compiled.layout;
    const n = this.count;
    const n0 = compiled.inputSize;
    const out = compiled.outputSize;
    // The partition's arrays: views of the buffers, or exact copies when the buffers are recycled.
    const own = <T extends Float64Array | Uint32Array>(g: Growable<T>): T => (this.recycles ? (g.toArray().slice() as T) : g.toArray());
    const patterns = own(this.patterns);
    const facetStart = own(this.facetStart);
    const facets = facetRows ?? this.unitFacets();
    const vertices = own(this.vertices);
    const outputMaps = own(this.outputMaps);
    const nf = facetStart[n];

    // Distinct patterns, each with the first cell that has it.
    const index = new PatternIndex(patterns, layout.words, n);
    const vertexStart = own(this.vertexStart);
    const facetNeighbour = new Int32Array(nf).fill(-1);
    this.neighbours(slice, patterns, index, facets, facetNeighbour, known);
    // Sorted distinct pairs (i < j) of cells sharing a facet: bucketed by i (a counting sort),
    // each bucket sorted by j, then duplicates (the pair seen from both cells) dropped.
    const bucketStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      for (let f = facetStart[i]; f < facetStart[i + 1]; f++) {
        const j = facetNeighbour[f];
        if (j >= 0) bucketStart[Math.min(i, j) + 1]++;
      }
    }
    for (let i = 0; i < n; i++) bucketStart[i + 1] += bucketStart[i];
    const fill = bucketStart.slice(0, n);
    const partner = new Int32Array(bucketStart[n]);
    for (let i = 0; i < n; i++) {
      for (let f = facetStart[i]; f < facetStart[i + 1]; f++) {
        const j = facetNeighbour[f];
        if (j >= 0) partner[fill[Math.min(i, j)]++] = Math.max(i, j);
      }
    }
    const pairs = new Uint32Array(2 * partner.length);
    let distinctPairs = 0;
    for (let i = 0; i < n; i++) {
      const from = bucketStart[i];
      const to = bucketStart[i + 1];
      sortRange(partner, from, to);
      for (let t = from; t < to; t++) {
        if (t > from && partner[t] === partner[t - 1]) continue;
        pairs[2 * distinctPairs] = i;
        pairs[2 * distinctPairs + 1] = partner[t];
        distinctPairs++;
      }
    }
    const adjacency = pairs.slice(0, 2 * distinctPairs);
    const pieces = linearPieces(n, adjacency, outputMaps, out * C, C, radius);

    // Facets counted from incidences that cannot be given (the walk decided within rounding): hashed now.
    if (complete && this.complex?.facetsPending?.() === true)
      this.complex.addFacetsOfCells?.(n, this.vertexNames.data, vertexStart, facetStart, this.facetVertexStart.data, this.facetVertices.data, this.facetRow.data);
    let counts = this.complex ? this.complex.counts() : { vertices: -1, edges: -1, facets: -1 };
    // Asked for but not given: the grid that names vertices is too coarse for these cells, or the
    // cells' facets do not match (complex.ts).
    let withheld = this.complex !== null && counts.vertices < 0 ? WITHHELD : null;
    if (withheld === null && complete && this.complex?.mismatched?.()) {
      withheld = MISMATCHED;
      counts = { vertices: -1, edges: -1, facets: -1 };
    }
    const basis = new Float64Array(k * n0);
    slice.basis.forEach((b, c) => {
      basis.set(b, c * n0);
    });
    const centres = own(this.centres);
    const radii = own(this.radii);
    if (this.recycles) this.recycle();
    return {
      kind: "space",
      cellCount: n,
      patterns,
      layout,
      outputSize: out,
      activationRegions: index.size,
      linearPieces: pieces.count,
      pieceOf: pieces.pieceOf,
      adjacency,
      dim: k,
      origin: slice.origin.slice(),
      basis,
      facetStart,
      facets,
      facetNeighbour,
      vertexStart,
      vertices,
      centres,
      radii,
      centreKind: this.lp ? "chebyshev" : "vertex-mean",
      outputMaps,
      vertexCount: counts.vertices,
      edgeCount: counts.edges,
      facetCount: counts.facets,
      ...(withheld !== null ? { complexWithheld: withheld } : {}),
    };
  }

  /** Leaves this sink's buffers for the next one on this thread (see SpareBuffers), unless they are too large to keep. */
  private recycle(): void {
    const buffers: SpareBuffers = {
      patterns: this.patterns.data,
      outputMaps: this.outputMaps.data,
      vertexStart: this.vertexStart.data,
      vertices: this.vertices.data,
      facetStart: this.facetStart.data,
      facetRow: this.facetRow.data,
      facetVertexStart: this.facetVertexStart.data,
      facetVertices: this.facetVertices.data,
      centres: this.centres.data,
      radii: this.radii.data,
      vertexNames: this.vertexNames.data,
    };
    const bytes = Object.values(buffers).reduce((n, a) => n + a.byteLength, 0);
    spare = bytes <= SPARE_BYTES ? buffers : null;
  }
}

/** values[from .. to) appended to `into`. */
function appendTo<T extends Float64Array | Int32Array | Uint32Array>(into: Growable<T>, values: T, from: number, to: number): void {
  into.reserve(to - from);
  into.data.set(values.subarray(from, to) as never, into.length);
  into.length += to - from;
}

/** values[from .. to) + shift appended to `into` (offsets rebased into the joined arrays). */
function appendShifted<T extends Int32Array | Uint32Array>(into: Growable<T>, values: T, from: number, to: number, shift: number): void {
  into.reserve(to - from);
  const data = into.data;
  let at = into.length;
  for (let i = from; i < to; i++) data[at++] = values[i] + shift;
  into.length = at;
}

/** A facet whose neighbour a share left to the join (see shareNeighbours). */
export const UNKNOWN = -2;

/**
 * A share's part of the adjacency (parallel/space.ts): the neighbours across facets of units of
 * later steps than `topStep` (the step whose pieces the shares split). Their neighbour has the same
 * states at topStep, so it lies in the same top piece, a run of this share's cells in the joined
 * order too, and the first cell with its pattern here is the first in the joined cells: the
 * lookup `finish` makes, found here as a cell offset from the facet's own (neighbour - cell).
 * Facets of topStep's units, and those whose lookup fails (then finish probes across), are UNKNOWN;
 * the domain's facets -1 as in finish.
 */
export function shareNeighbours(compiled: Compiled, parts: SinkParts, step: Int32Array, unit: Int32Array, other: Int32Array, side: Int8Array, topStep: number): Int32Array {
  const layout = compiled.layout;
  const words = layout.words;
  const { count, patterns, facetStart, facetRow } = parts;
  const index = new PatternIndex(patterns, words, count);
  const out = new Int32Array(facetRow.length);
  const pattern = new Uint32Array(words);
  for (let i = 0; i < count; i++) {
    for (let f = facetStart[i]; f < facetStart[i + 1]; f++) {
      const r = facetRow[f];
      const s = step[r];
      if (s < 0) {
        out[f] = -1;
        continue;
      }
      out[f] = UNKNOWN;
      if (s === topStep) continue;
      for (let w = 0; w < words; w++) pattern[w] = patterns[i * words + w];
      const u = unit[r];
      const state = getState(layout, pattern, 0, s, u);
      setState(layout, pattern, 0, s, u, compiled.steps[s].kind === "max" ? other[r] : state - side[r]);
      const nb = index.firstCell(pattern, 0);
      // Relative to cell i (both in one run of cells); a failed lookup is the join's (a probe).
      if (nb >= 0 && nb !== i) out[f] = OFFSET + nb - i;
    }
  }
  return out;
}

/** shareNeighbours' found neighbours are OFFSET + (neighbour - cell): above every UNKNOWN and -1. */
const OFFSET = 1 << 30;
