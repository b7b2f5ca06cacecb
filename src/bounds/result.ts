/**
 * What every bound returns: its id (a stable contract), its kind, its exact value, whether it
 * applies to the architecture and, if not, which condition failed, and where it comes from.
 * Bounds are pure functions of an architecture (see architecture.ts); a bound that does not
 * apply still returns a result, so tables and JSON always list the same ids.
 */
import { Rational } from "./exact.ts";

/** Whether a bound is a lower or upper bound, an exact count or an expectation. */
export type BoundKind = "lower" | "upper" | "exact" | "expected";

/** One bound: its value (or why it does not apply), its kind and its citation. */
export interface BoundResult {
  /** Stable id, e.g. "serra2018-upper". */
  id: string;
  kind: BoundKind;
  /** One line saying what the number is. */
  title: string;
  /** Exact value (an integer for every counting bound); null when the bound does not apply. */
  value: Rational | null;
  applies: boolean;
  /** When it does not apply: one sentence naming the failed condition. */
  reason?: string;
  citation: string;
  /** Extra exact quantities (Corollary 5's shallow comparison, estimated constants...). */
  details?: Record<string, Rational | number | string>;
}

/** The JSON form (`tessera bounds --json`): values as decimal strings. */
export interface BoundJson {
  id: string;
  kind: BoundKind;
  value: string | null;
  log10: number | null;
  applies: boolean;
  reason?: string;
  citation: string;
  title: string;
  details?: Record<string, string | number>;
}

export function applies(id: string, kind: BoundKind, title: string, citation: string, value: bigint | Rational, details?: BoundResult["details"]): BoundResult {
  const v = typeof value === "bigint" ? new Rational(value) : value;
  return {
    id,
    kind,
    title,
    value: v,
    applies: true,
    citation,
    ...(details ? { details } : {}),
  };
}

export function notApplicable(id: string, kind: BoundKind, title: string, citation: string, reason: string): BoundResult {
  return { id, kind, title, value: null, applies: false, reason, citation };
}

export function log10Of(r: BoundResult): number | null {
  return r.value === null ? null : r.value.log10();
}

/** A bound as JSON (the value as a decimal string, exact). */
export function boundToJson(r: BoundResult): BoundJson {
  const out: BoundJson = {
    id: r.id,
    kind: r.kind,
    value: r.value === null ? null : r.value.toDecimal(12),
    log10: r.value === null || r.value.sign() <= 0 ? null : Number(r.value.log10().toFixed(6)),
    applies: r.applies,
    citation: r.citation,
    title: r.title,
  };
  if (r.reason) out.reason = r.reason;
  if (r.details) {
    out.details = {};
    for (const [k, v] of Object.entries(r.details)) out.details[k] = v instanceof Rational ? v.toDecimal(12) : v;
  }
  return out;
}

/** Citations, one place so the docs and the CLI agree. */
export const CITATIONS = {
  trivial: "Every unit with p linear pieces contributes at most p states: at most prod p^n regions",
  zaslavsky: "Zaslavsky 1975, Facing up to arrangements (Mem. AMS 154); one hidden layer as in Pascanu, Montufar, Bengio 2014",
  pascanu2013: "Pascanu, Montufar, Bengio 2014 (ICLR), On the number of response regions of deep feedforward networks with piecewise linear activations, arXiv:1312.6098",
  montufar2014: "Montufar, Pascanu, Cho, Bengio 2014 (NeurIPS), On the number of linear regions of deep neural networks, Theorem 4 and Corollary 5",
  montufar2014maxout:
    "Montufar, Pascanu, Cho, Bengio 2014 (NeurIPS), On the number of linear regions of deep neural networks, Theorem 8 (deep maxout) and the one-layer maxout bounds",
  montufar2017: "Montufar 2017 (SampTA), Notes on the number of linear regions of deep neural networks (product bound)",
  raghu2017: "Raghu, Poole, Kleinberg, Ganguli, Sohl-Dickstein 2017 (ICML), On the expressive power of deep neural networks, Theorem 1 (order only: O(n^(n0 L)))",
  serra2018: "Serra, Tjandraatmadja, Ramalingam 2018 (ICML), Bounding and counting linear regions of deep neural networks, Theorem 1",
  serra2018rank:
    "Serra, Tjandraatmadja, Ramalingam 2018 (ICML), Bounding and counting linear regions of deep neural networks, Theorem 1 with rank(W_l) in place of n_l (their weight-dependent refinement)",
  serra2018lower: "Serra, Tjandraatmadja, Ramalingam 2018 (ICML), Bounding and counting linear regions of deep neural networks, lower bound for n_l >= 3 n0",
  serra2018exact1d:
    "Serra, Tjandraatmadja, Ramalingam 2018 (ICML), Bounding and counting linear regions of deep neural networks, one-dimensional input: the maximum is exactly prod (n_l + 1)",
  serra2018maxout: "Serra, Tjandraatmadja, Ramalingam 2018 (ICML), Bounding and counting linear regions of deep neural networks, maxout upper bound",
  hu2020:
    "Hu, Zhang 2018, Nearly-tight bounds on linear regions of piecewise linear neural networks, arXiv:1810.13192; journal version: Hu, Zhang, Gao, Xing, An, Analysis on the number of linear regions of piecewise linear neural networks, IEEE TNNLS 33(2), 2022",
  xiong2020: "Xiong, Huang, Yu, Liu, Zhu, Shao 2020 (ICML), On the number of linear regions of convolutional neural networks, Theorems 2 and 5",
  convFirstLayer: "tessera (docs/bounds.md): a proven count of the first conv layer with shared weights; deeper relu layers can keep every unit active",
  hanin2019: "Hanin, Rolnick 2019 (ICML), Complexity of linear regions in deep networks",
  hanin2019b: "Hanin, Rolnick 2019 (NeurIPS), Deep ReLU networks have surprisingly few activation patterns (regions per unit volume)",
} as const;
