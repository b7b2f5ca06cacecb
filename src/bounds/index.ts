/**
 * Theoretical bounds on the number of linear regions, exact in BigInt, each with its
 * conditions and citation (docs/bounds.md). `allBounds(arch)` returns every bound for an
 * architecture, in a stable order; each bound function is exported on its own too.
 *
 *   import { allBounds, denseArchitecture } from "tessera";
 *   allBounds(denseArchitecture(10, [20, 20, 20])).filter((b) => b.applies)
 */
import { type Architecture, totalUnits } from "./architecture.ts";
import { type HaninInputs, hanin2019Bounds } from "./hanin2019.ts";
import { hu2020Single, hu2020Upper } from "./hu2020.ts";
import { montufar2014Lower, montufar2014MaxoutLower, montufar2014MaxoutSingleLower, montufar2014MaxoutSingleUpper } from "./montufar2014.ts";
import { montufar2017Upper } from "./montufar2017.ts";
import { pascanu2013Lower } from "./pascanu2013.ts";
import { raghu2017Upper } from "./raghu2017.ts";
import type { BoundResult } from "./result.ts";
import { serra2018Exact1d, serra2018Lower, serra2018MaxoutUpper, serra2018Upper, serra2018UpperRank } from "./serra2018.ts";
import { trivialUpper } from "./trivial.ts";
import { type ConvArchitecture, xiong2020Bounds } from "./xiong2020.ts";
import { zaslavsky } from "./zaslavsky.ts";

export * from "./architecture.ts";
export * from "./exact.ts";
export * from "./hanin2019.ts";
export * from "./hu2020.ts";
export * from "./montufar2014.ts";
export * from "./montufar2017.ts";
export * from "./pascanu2013.ts";
export * from "./raghu2017.ts";
export * from "./result.ts";
export * from "./serra2018.ts";
export * from "./trivial.ts";
export * from "./xiong2020.ts";
export * from "./zaslavsky.ts";

/** What `allBounds` adds beyond the dense bounds: ranks, conv bounds, Hanin and Rolnick's constants. */
export interface AllBoundsOptions {
  /** Include serra2018-upper-rank (needs ranks: an architecture read from a network). Default: when every rank is known. */
  rank?: boolean;
  /** A conv architecture: adds the xiong2020-* bounds. */
  conv?: ConvArchitecture;
  /** Constants for hanin2019-*; omitted: those rows say what they need. */
  hanin?: Omit<HaninInputs, "n0" | "neurons"> | null;
  /** Why hanin inputs are missing (shown as the reason). */
  haninMissing?: string;
  /** Node budget of the one-layer conv count. */
  convBudget?: number;
}

/** The bound functions of a dense architecture, in display order. */
export const denseBounds: readonly ((arch: Architecture) => BoundResult)[] = [
  pascanu2013Lower,
  montufar2014Lower,
  serra2018Lower,
  montufar2014MaxoutLower,
  montufar2014MaxoutSingleLower,
  zaslavsky,
  hu2020Single,
  serra2018Exact1d,
  serra2018Upper,
  montufar2017Upper,
  raghu2017Upper,
  hu2020Upper,
  serra2018MaxoutUpper,
  montufar2014MaxoutSingleUpper,
  trivialUpper,
];

/** Every bound for an architecture, in a stable order; those that do not apply say why. */
export function allBounds(arch: Architecture, options: AllBoundsOptions = {}): BoundResult[] {
  const out = denseBounds.map((bound) => bound(arch));
  const wantRank = options.rank ?? arch.layers.every((l) => l.rank !== null);
  if (wantRank) {
    const i = out.findIndex((b) => b.id === "serra2018-upper");
    out.splice(i + 1, 0, serra2018UpperRank(arch));
  }
  if (options.conv) {
    // Dense lower bounds and dense maxima come from dense constructions, which a conv layer's
    // shared, local weights cannot express; dense upper bounds still hold.
    for (let i = 0; i < out.length; i++) {
      const r = out[i];
      if (r.applies && (r.kind === "lower" || r.kind === "exact")) {
        out[i] = {
          id: r.id,
          kind: r.kind,
          title: r.title,
          value: null,
          applies: false,
          citation: r.citation,
          reason: "a dense construction, which conv weights (shared and local) cannot express; see xiong2020-lower",
        };
      }
    }
    out.push(...xiong2020Bounds(options.conv, options.convBudget));
  }
  if (options.hanin !== undefined || options.haninMissing) {
    const inputs = options.hanin ? { ...options.hanin, n0: arch.n0, neurons: totalUnits(arch) } : null;
    out.push(...hanin2019Bounds(inputs, options.haninMissing));
  }
  return out;
}
