/** The facets of one polytope: facet f is local row rows[f], tight at vertices verts[start[f] .. start[f + 1]). */
export class FacetList {
  count = 0;
  rows: Int32Array = new Int32Array(32);
  start: Int32Array = new Int32Array(33);
  verts: Int32Array = new Int32Array(256);

  reserve(facets: number, vertices: number): void {
    if (this.rows.length < facets) {
      this.rows = new Int32Array(2 * facets);
      this.start = new Int32Array(2 * facets + 1);
    }
    if (this.verts.length < vertices) this.verts = new Int32Array(2 * vertices);
  }
}
