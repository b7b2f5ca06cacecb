/**
 * Counting the faces of the complex formed by the cells of a space partition, one cell at a time
 * as the engine finishes it: distinct vertices (cells share them), distinct edges (pairs of
 * vertices adjacent in some cell) and distinct facets (sets of vertices of a cell facet; a facet
 * between two cells counts once).
 *
 * Vertices are identified by their names (space/vertex-names.ts): exact at every scale, and the
 * same in every cell. Networks with max steps (maxout, max-pool) cut a cell by a winner's
 * comparisons one after another, which does not name vertices the same way from both sides, so
 * there vertices are identified by their coordinates quantised to a grid of 1e-7 times the domain
 * radius; copies of one vertex computed in different cells differ by rounding (~1e-13 relative),
 * so when a coordinate falls near a rounding boundary we also look in the neighbouring bucket.
 */
import type { FacetList } from "./facet-list.ts";
import type { PolytopeArena } from "./polytope.ts";
import type { RowStore } from "./row-store.ts";
import { ChainedSet, KeySet, PairSet } from "./tuple-set.ts";

export class ComplexCounter {
  private readonly vertices: KeySet;
  private readonly edges = new PairSet();
  private readonly facets = new ChainedSet();
  private readonly q: number;
  private readonly key: Int32Array;
  private readonly alt: Int32Array;
  private readonly ambiguous: Int32Array;
  /** Global ids of the current cell's vertices, and of one facet's. */
  private ids = new Int32Array(64);
  private members = new Int32Array(64);
  /** The current cell's edges, as pairs of its vertices. */
  private pairs = new Int32Array(256);

  /**
   * Per facet (named cells): how many cells have it, and whether it lies on the domain's boundary.
   * In the complex every facet inside the domain is shared by exactly two cells and every one on
   * its boundary belongs to one; a facet that does not match is the mark of a hyperplane decided
   * through a vertex in one cell and beside it in another (within rounding), and then the counts
   * are not known (`mismatched`).
   */
  private uses: Uint8Array = new Uint8Array(1024);
  /** Whether named cells' facets are checked (with the facets' boundary flags: given rows, or set by the caller). */
  checkFacets: boolean;
  private onBoundary: Uint8Array = new Uint8Array(1024);
  /** Scratch: whether each facet of the current cell lies on the domain's boundary. */
  private boundary = new Uint8Array(64);

  /** Cells added so far. */
  private cells = 0;

  constructor(
    private readonly k: number,
    radius: number,
    /** The rows of the cells' facets (with it, named cells' facets are checked for a match). */
    private readonly rows: RowStore | null = null,
    /**
     * Edges by Euler's relation instead of cell by cell (3-D, named cells, a walk that runs to its
     * end): see `counts`. The cells' edges are then neither found nor passed (0 of them).
     */
    readonly eulerEdges = false,
    /**
     * Facets from the cells' facet incidences instead of hashed cell by cell (named cells, a walk
     * that runs to its end, eps = 0): see `counts`. Until the walk says its decisions were exact
     * (`decidedExactly`), the cells' facets are then hashed at the end (`addFacetsOfCells`).
     */
    derivedFacets = false,
  ) {
    this.derivedFacets = derivedFacets;
    this.checkFacets = rows !== null;
    this.q = 1e-7 * radius;
    this.vertices = new KeySet(k);
    this.key = new Int32Array(k);
    this.alt = new Int32Array(k);
    this.ambiguous = new Int32Array(k);
  }

  /**
   * Whether facets are counted from incidences (see the constructor), and so far: the cells' facets
   * (each inner facet of the complex is two of them) and those on the domain's boundary (one each).
   */
  derivedFacets: boolean;
  private incidences = 0;
  private onDomain = 0;
  /**
   * Set by the walk when it ends: whether it decided every vertex sign within rounding exactly
   * (`PolytopeArena.undecided` is 0 in every arena). Then the cells form a face-to-face complex
   * (docs/space.md, "Naming vertices"), which the derived facet count needs.
   */
  decidedExactly = false;

  /** Add cell p of `arena`, with its facets (by its vertices' names when the arena names them). */
  addCell(arena: PolytopeArena, p: number, facets: FacetList): void {
    const nv = arena.nv[p];
    if (this.pairs.length < nv * nv) this.pairs = new Int32Array(2 * nv * nv);
    const edges = this.eulerEdges ? 0 : arena.edges(p, this.pairs);
    if (this.derivedFacets && arena.names !== null && this.rows !== null) {
      // The vertices' names (the vertex count), the edges unless Euler's relation gives them, and
      // the facets' incidences, not hashed.
      const step = this.rows.step;
      const { cons } = arena;
      const c0 = arena.consAt[p];
      const local = facets.rows;
      const nf = facets.count;
      let onDomain = 0;
      for (let f = 0; f < nf; f++) if (step[cons[c0 + local[f]]] < 0) onDomain++;
      this.incidences += nf;
      this.onDomain += onDomain;
      this.cells++;
      const at = arena.vertAt[p] / this.k;
      this.see(arena.name, at, nv);
      if (edges > 0) {
        if (this.ids.length < nv) {
          this.ids = new Int32Array(2 * nv);
          this.members = new Int32Array(2 * nv);
        }
        for (let v = 0; v < nv; v++) this.ids[v] = arena.name[at + v];
        this.addEdges(this.pairs, edges);
      }
      return;
    }
    if (arena.names !== null) {
      const nf = facets.count;
      if (this.boundary.length < nf) this.boundary = new Uint8Array(2 * nf);
      if (this.rows !== null) {
        const { boundary } = this;
        const step = this.rows.step;
        const { cons } = arena;
        const c0 = arena.consAt[p];
        const local = facets.rows;
        for (let f = 0; f < nf; f++) boundary[f] = step[cons[c0 + local[f]]] < 0 ? 1 : 0;
      }
      this.addNamedCell(arena.name, arena.vertAt[p] / this.k, nv, this.pairs, edges, facets.start, facets.verts, 0, nf, this.boundary);
    } else this.addCellOf(arena.verts, arena.vertAt[p], nv, this.pairs, edges, facets.start, facets.verts, 0, facets.count);
  }

  /** Names seen (1), for the vertex count of named cells. */
  private seen = new Uint8Array(1024);
  private named = 0;

  /**
   * `addCellOf` for a cell whose vertices are named (names[at .. at + nv), space/vertex-names.ts):
   * the names are the ids.
   */
  addNamedCell(
    names: Int32Array,
    at: number,
    nv: number,
    pairs: Int32Array,
    edges: number,
    memberStart: ArrayLike<number>,
    members: ArrayLike<number>,
    f0: number,
    f1: number,
    /** Per facet f0 .. f1: 1 when it lies on the domain's boundary (at f - f0). */
    boundary: Uint8Array | null,
  ): void {
    if (this.ids.length < nv) {
      this.ids = new Int32Array(2 * nv);
      this.members = new Int32Array(2 * nv);
    }
    const ids = this.ids;
    for (let v = 0; v < nv; v++) ids[v] = names[at + v];
    this.see(names, at, nv);
    this.addFaces(pairs, edges, memberStart, members, f0, f1, boundary);
  }

  /** The names names[at .. at + nv) marked seen (the vertex count of named cells). */
  private see(names: Int32Array, at: number, nv: number): void {
    let seen = this.seen;
    for (let v = 0; v < nv; v++) {
      const id = names[at + v];
      if (id >= seen.length) {
        const more = new Uint8Array(2 * (id + 1));
        more.set(seen);
        this.seen = seen = more;
      }
      if (seen[id] === 0) {
        seen[id] = 1;
        this.named++;
      }
    }
  }

  /**
   * Whether the derived facet count cannot be given: the walk left a decision within rounding
   * (its cells need not match across facets), or the incidences are odd (they cannot pair up).
   * Then the facets are hashed after all (`addFacetsOfCells`).
   */
  facetsPending(): boolean {
    return this.derivedFacets && (!this.decidedExactly || (this.incidences + this.onDomain) % 2 !== 0);
  }

  /**
   * The facets of cells 0 .. count - 1 as a sink holds them, hashed and checked as `addNamedCell`
   * does (after a walk whose derived facet count cannot be given): cell i's vertices are named
   * names[vertexStart[i] ..], its facets are facetStart[i] .. facetStart[i + 1], facet f's vertices
   * (cell-local) are facetVertices[facetVertexStart[f] .. facetVertexStart[f + 1]), on row facetRow[f].
   */
  addFacetsOfCells(
    count: number,
    names: Int32Array,
    vertexStart: ArrayLike<number>,
    facetStart: ArrayLike<number>,
    facetVertexStart: ArrayLike<number>,
    facetVertices: ArrayLike<number>,
    facetRow: ArrayLike<number>,
  ): void {
    this.derivedFacets = false;
    const step = (this.rows as RowStore).step;
    for (let i = 0; i < count; i++) {
      const at = vertexStart[i];
      const nv = vertexStart[i + 1] - at;
      if (this.ids.length < nv) {
        this.ids = new Int32Array(2 * nv);
        this.members = new Int32Array(2 * nv);
      }
      for (let v = 0; v < nv; v++) this.ids[v] = names[at + v];
      const f0 = facetStart[i];
      const f1 = facetStart[i + 1];
      if (this.boundary.length < f1 - f0) this.boundary = new Uint8Array(2 * (f1 - f0));
      for (let f = f0; f < f1; f++) this.boundary[f - f0] = step[facetRow[f]] < 0 ? 1 : 0;
      this.addFacets(facetVertexStart, facetVertices, f0, f1, this.boundary);
    }
  }

  /**
   * Add a cell given as arrays: its nv vertices at verts[at ..] (k each), its edges (pairs of its
   * vertices), and its facets f0 .. f1 (facet f's vertices are members[memberStart[f] ..
   * memberStart[f + 1])). The cells of a count split among threads are added so at the join.
   */
  addCellOf(
    verts: Float64Array,
    at: number,
    nv: number,
    pairs: Int32Array,
    edges: number,
    memberStart: ArrayLike<number>,
    members: ArrayLike<number>,
    f0: number,
    f1: number,
  ): void {
    if (this.ids.length < nv) {
      this.ids = new Int32Array(2 * nv);
      this.members = new Int32Array(2 * nv);
    }
    const ids = this.ids;
    for (let v = 0; v < nv; v++) ids[v] = this.vertexId(verts, at + v * this.k);
    // Two vertices of one cell on one grid point: the grid is too coarse for this partition (cells
    // much smaller than the domain), and the counts would merge distinct vertices.
    if (!this.coarse) {
      const seen = this.members;
      seen.set(ids.subarray(0, nv));
      sortRange(seen, 0, nv);
      for (let v = 1; v < nv; v++) if (seen[v] === seen[v - 1]) this.coarse = true;
    }
    this.addFaces(pairs, edges, memberStart, members, f0, f1, null);
  }

  /** The current cell's edges and facets, its vertices' ids in `ids`. */
  private addFaces(pairs: Int32Array, edges: number, memberStart: ArrayLike<number>, members: ArrayLike<number>, f0: number, f1: number, boundary: Uint8Array | null): void {
    this.cells++;
    this.addEdges(pairs, edges);
    this.addFacets(memberStart, members, f0, f1, boundary);
  }

  /** The current cell's edges (pairs of its vertices, their ids in `ids`), into the edge set. */
  private addEdges(pairs: Int32Array, edges: number): void {
    const ids = this.ids;
    for (let e = 0; e < edges; e++) {
      const a = ids[pairs[2 * e]];
      const b = ids[pairs[2 * e + 1]];
      if (a < b) this.edges.insert(a, b);
      else this.edges.insert(b, a);
    }
  }

  /** The current cell's facets f0 .. f1 (its vertices' ids in `ids`), into the facet set. */
  private addFacets(memberStart: ArrayLike<number>, members: ArrayLike<number>, f0: number, f1: number, boundary: Uint8Array | null): void {
    const ids = this.ids;
    const facetMembers = this.members;
    for (let f = f0; f < f1; f++) {
      const from = memberStart[f];
      const m = memberStart[f + 1] - from;
      for (let i = 0; i < m; i++) facetMembers[i] = ids[members[from + i]];
      sortRange(facetMembers, 0, m);
      if (boundary === null) {
        this.facets.insert(facetMembers, 0, m);
        continue;
      }
      const id = this.facets.idOf(facetMembers, 0, m);
      if (id >= this.uses.length) {
        this.uses = grownBytes(this.uses, 2 * (id + 1));
        this.onBoundary = grownBytes(this.onBoundary, 2 * (id + 1));
      }
      if (this.uses[id] < 3) this.uses[id]++;
      if (boundary[f - f0]) this.onBoundary[id] = 1;
    }
  }

  /** Whether the grid merged two vertices of a cell (then the counts are not known: -1). */
  private coarse = false;

  /**
   * Whether the named cells' facets match (see `uses`); only meaningful once every cell is in
   * (a count cut short leaves facets without their second cell). Facets counted from incidences
   * (`derivedFacets`, after a walk that decided exactly) match: nothing to check.
   */
  mismatched(): boolean {
    if (this.named === 0 || !this.checkFacets || this.derivedFacets) return false;
    for (let id = 0; id < this.facets.size; id++) if (this.uses[id] !== (this.onBoundary[id] ? 1 : 2)) return true;
    return false;
  }

  /**
   * The counts. With `eulerEdges`, E = V + F - C - 1: the cells subdivide the domain, a convex
   * 3-polytope (a ball, Euler characteristic V - E + F - C = 1), face to face, which is what the
   * facets' match checks (`mismatched`: unmatched facets withhold every count). With
   * `derivedFacets`, F = (I + B) / 2 over the cells' I facet incidences, B of them on the domain's
   * boundary: in a face-to-face subdivision of the domain every inner facet is a facet of exactly
   * two cells and every boundary one of one, which a walk that decided every sign exactly makes
   * (`facetsPending` says when not; then the facets are hashed and matched as above). Both valid
   * only for a complete count, so the engine asks for them only where the walk cannot be cut short.
   */
  counts(): { vertices: number; edges: number; facets: number } {
    if (this.coarse) return { vertices: -1, edges: -1, facets: -1 };
    const vertices = this.vertices.size + this.named;
    const facets = this.derivedFacets ? (this.incidences + this.onDomain) / 2 : this.facets.size;
    return { vertices, edges: this.eulerEdges ? vertices + facets - this.cells - 1 : this.edges.size, facets };
  }

  /** The id of the vertex at verts[at .. at + k): its grid cell's, or a neighbouring one's near a boundary. */
  private vertexId(verts: Float64Array, at: number): number {
    const { k, q, key, alt, ambiguous } = this;
    let amb = 0;
    for (let j = 0; j < k; j++) {
      const s = verts[at + j] / q;
      // Math.round(s), from the exact fraction s - floor(s) that the ambiguity test needs anyway.
      const floor = Math.floor(s);
      const fraction = s - floor;
      key[j] = fraction >= 0.5 ? floor + 1 : floor;
      if (Math.abs(fraction - 0.5) < 0.01) ambiguous[amb++] = j;
    }
    let id = this.vertices.find(key);
    if (id >= 0) return id;
    // Near a rounding boundary: try the other rounding of the ambiguous coordinates.
    for (let m = 1; m < 1 << amb; m++) {
      alt.set(key);
      for (let b = 0; b < amb; b++) {
        if (!((m >> b) & 1)) continue;
        const j = ambiguous[b];
        alt[j] = key[j] === Math.floor(verts[at + j] / q) ? key[j] + 1 : key[j] - 1;
      }
      id = this.vertices.find(alt);
      if (id >= 0) return id;
    }
    return this.vertices.add(key);
  }
}

function grownBytes(a: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(a);
  return out;
}

/** Insertion sort of a[from .. to) (a facet's vertices, a cell's neighbours: a handful). */
export function sortRange(a: Int32Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= from && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}
