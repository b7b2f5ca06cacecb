/**
 * A computation graph (ONNX, or a Keras functional model) as nested layers. Each tensor is
 * defined by the graph input, a *unary* node (layers applied to one tensor) or a *join* (Add,
 * Concat, Max of several tensors). A join's branches start at its *fork*: the nearest tensor that
 * every path from the input to the join passes through (its immediate dominator, found in one
 * pass because definitions arrive in topological order). Residual blocks and parallel branches
 * then nest as they were written. A graph that is not series-parallel still converts correctly
 * (a shared piece is repeated in each branch that uses it), within a size budget.
 */
import type { BranchLayer, Layer } from "../model/layers.ts";
import { FormatError } from "./network-json.ts";

export type Def =
  | { kind: "input" }
  | { kind: "unary"; input: string; layers: Layer[] }
  /** branchTail[b] is appended to branch b (e.g. a negation for Sub); post follows the join. */
  | {
      kind: "join";
      type: BranchLayer["type"];
      inputs: string[];
      branchTail: Layer[][];
      post: Layer[];
    };

/** Layers computing tensor `output` from tensor `input`; `defs` must be in topological order. */
export function nestGraph(defs: Map<string, Def>, output: string, input: string): Layer[] {
  return new Structurer(defs).chain(output, input);
}

class Structurer {
  private idom = new Map<string, string | null>();
  private depth = new Map<string, number>();
  private budget: number;

  constructor(private defs: Map<string, Def>) {
    // defs were added in topological order, so every input's dominator is known first.
    for (const [name, def] of defs) {
      if (def.kind === "input") {
        this.idom.set(name, null);
        this.depth.set(name, 0);
      } else {
        const parent = def.kind === "unary" ? def.input : def.inputs.reduce((a, b) => this.lca(a, b));
        this.idom.set(name, parent);
        this.depth.set(name, (this.depth.get(parent) ?? 0) + 1);
      }
    }
    this.budget = 50 * defs.size + 1000;
  }

  private lca(a: string, b: string): string {
    while (a !== b) {
      if ((this.depth.get(a) ?? 0) < (this.depth.get(b) ?? 0)) [a, b] = [b, a];
      a = this.idom.get(a) as string;
    }
    return a;
  }

  /**
   * Layers mapping tensor `stop` (which dominates `t`) to tensor `t`. Walks back from `t`; at a
   * join it first builds each branch (from the join's fork), with an explicit stack of suspended
   * walks instead of recursion, so nesting depth is bounded by memory only.
   */
  chain(output: string, input: string): Layer[] {
    type JoinDef = Extract<Def, { kind: "join" }>;
    interface Walk {
      t: string;
      stop: string;
      parts: Layer[][];
      join: { def: JoinDef; fork: string; branches: Layer[][] } | null;
    }
    const walks: Walk[] = [{ t: output, stop: input, parts: [], join: null }];
    let finished: Layer[] = [];
    while (walks.length > 0) {
      const w = walks[walks.length - 1];
      if (w.join) {
        // The walk of branch `branches.length` has just finished.
        const j = w.join;
        j.branches.push([...finished, ...j.def.branchTail[j.branches.length]]);
        if (j.branches.length < j.def.inputs.length) {
          walks.push({ t: j.def.inputs[j.branches.length], stop: j.fork, parts: [], join: null });
          continue;
        }
        w.parts.push([joined(j.def, j.branches), ...j.def.post]);
        w.t = j.fork;
        w.join = null;
      }
      while (w.t !== w.stop && !w.join) {
        if (--this.budget < 0) throw new FormatError("the graph's branches cross too much to nest as layers");
        const def = this.defs.get(w.t);
        if (!def || def.kind === "input") throw new FormatError(`internal: tensor "${w.t}" is not reached from "${w.stop}"`);
        if (def.kind === "unary") {
          w.parts.push(def.layers);
          w.t = def.input;
          continue;
        }
        const fork = this.idom.get(w.t) as string;
        w.join = { def, fork, branches: [] };
        walks.push({ t: def.inputs[0], stop: fork, parts: [], join: null });
      }
      if (w.join) continue;
      walks.pop();
      finished = w.parts.reverse().flat();
    }
    return finished;
  }
}

/** A join as a layer: an add of one empty branch and another is a residual block. */
function joined(def: Extract<Def, { kind: "join" }>, branches: Layer[][]): Layer {
  return def.type === "add" && branches.length === 2 && (branches[0].length === 0 || branches[1].length === 0)
    ? { type: "residual", layers: branches[0].length === 0 ? branches[1] : branches[0] }
    : { type: def.type, branches };
}
