/**
 * Step 5 of processing a region (processor.ts): whether the output maps on a facet's two sides are
 * equal (same-map.ts), for the linear pieces, so that no region's map needs keeping. Across a
 * facet of last-step units, same-map.ts mostly decides from the region's rows alone; else the
 * region's map (its rows again, with the map) and the neighbour's are compared.
 */
import type { Compiled } from "../../model/forward.ts";
import { getState } from "../../model/pattern.ts";
import { type HyperplaneIds, RegionRows, type RowScratch, regionRows } from "./constraints.ts";
import type { Reduction } from "./reduce.ts";
import { STAT } from "./round-output.ts";
import { DIFFERENT, NEED_MAP, SAME, SameMap, UNDECIDED } from "./same-map.ts";
import type { RowSettler } from "./settle-rows.ts";

export class FacetMaps {
  /** A neighbour's rows with its output map, when same-map.ts cannot decide a facet alone. */
  private readonly mapRows: RegionRows;
  private readonly sameMap: SameMap;
  private readonly flipUnits: Int32Array;
  private readonly flipStates: Int32Array;
  /** this.rows.output holds the current region's map. */
  private ownMap = false;

  /**
   * `rows`, `members` and `neighbour` are the processor's: the current region's rows, the
   * members of the facet's group, the neighbour's pattern across it.
   */
  constructor(
    private readonly compiled: Compiled,
    private readonly red: Reduction,
    private readonly ids: HyperplaneIds,
    capacity: number,
    private readonly rows: RegionRows,
    private readonly members: Int32Array,
    private readonly neighbour: Uint32Array,
    private readonly scratch: RowScratch,
    private readonly settler: RowSettler,
  ) {
    const r = red.r;
    this.mapRows = new RegionRows(r, capacity, compiled.outputSize);
    // The last step's inputs are the same in every region when it is the first piecewise step.
    this.sameMap = new SameMap(compiled, r, ids.last, ids.last === red.first);
    this.flipUnits = new Int32Array(capacity);
    this.flipStates = new Int32Array(capacity);
  }

  /** A new region, its rows just computed (with its map when `withMap`). */
  begin(withMap: boolean): void {
    this.sameMap.begin(this.rows);
    this.ownMap = withMap;
    if (withMap) this.sameMap.withMap(this.rows.output);
  }

  /** The output map of `pattern`, outputSize x (r + 1) channel-major (valid until the next call). */
  mapOf(pattern: Uint32Array, offset: number): Float64Array {
    regionRows(this.compiled, this.red, this.ids, pattern, offset, this.mapRows, this.scratch);
    return this.mapRows.output;
  }

  /**
   * Are the maps of the current region (its rows in `rows`, its pattern at `offset` of `pattern`)
   * and of `neighbour` equal (SAME, DIFFERENT)? Across a facet of last-step units (flipOnly, of
   * `size` rows: the group's `members`), same-map.ts mostly decides without the neighbour's map.
   */
  sameAcross(pattern: Uint32Array, offset: number, flipOnly: boolean, size: number, stats: Float64Array): number {
    const { rows, members, flipUnits, flipStates } = this;
    if (flipOnly) {
      const layout = this.compiled.layout;
      for (let g = 0; g < size; g++) {
        flipUnits[g] = rows.unit[members[g]];
        flipStates[g] = getState(layout, pattern, offset, this.ids.last, flipUnits[g]);
      }
      let decided = this.sameMap.decide(rows, flipUnits, flipStates, size);
      if (decided === NEED_MAP) {
        this.withOwnMap(pattern, offset, stats);
        decided = this.sameMap.decide(rows, flipUnits, flipStates, size);
      }
      if (decided !== UNDECIDED) return decided;
    }
    stats[STAT.mapsComputed]++;
    this.withOwnMap(pattern, offset, stats);
    return this.sameMap.equal(rows.output, this.mapOf(this.neighbour, 0)) ? SAME : DIFFERENT;
  }

  /** The current region's rows again, with its map (the same rows, bit for bit: settled again). */
  private withOwnMap(pattern: Uint32Array, offset: number, stats: Float64Array): void {
    if (this.ownMap) return;
    regionRows(this.compiled, this.red, this.ids, pattern, offset, this.rows, this.scratch);
    this.settler.settleFlats(this.rows, pattern, offset, stats);
    this.sameMap.withMap(this.rows.output);
    this.ownMap = true;
  }
}
