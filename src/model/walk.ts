/**
 * Walks over the tree of layers (residual blocks and branches nest lists of layers) without
 * recursion, so the depth of a network is limited by memory, not by the call stack: a net of
 * 100,000 layers or 3,000 nested residual blocks is walked like a small one. Every consumer that
 * descends into blocks (shapes, compile, summary, io's transforms) goes through here.
 */
import type { BranchLayer, Layer, ResidualLayer } from "./layers.ts";

export type ContainerLayer = ResidualLayer | BranchLayer;

/** Where a layer sits: its path as `inspect` shows it ("3/1/0": layer 3, branch 1, layer 0). */
export interface LayerPosition {
  path: string;
  depth: number;
  list: readonly Layer[];
  index: number;
}

export interface LayerVisitor {
  /**
   * Every layer in execution order, a block before its contents. May return how many of the
   * layers that follow it in the same list it has taken care of itself (the walk skips them).
   */
  layer?(layer: Layer, at: LayerPosition): number | undefined;
  /** Before and after branch k of a block (a residual block has one branch, its inner layers). */
  branch?(layer: ContainerLayer, k: number, at: LayerPosition): void;
  branchEnd?(layer: ContainerLayer, k: number, at: LayerPosition): void;
  /** After every branch of a block. */
  end?(layer: ContainerLayer, at: LayerPosition): void;
}

export function isContainer(layer: Layer): layer is ContainerLayer {
  return layer.type === "residual" || layer.type === "add" || layer.type === "concat" || layer.type === "max";
}

/** The layer lists inside a block: a residual block's inner layers, or each branch. */
export function innerLists(layer: ContainerLayer): readonly (readonly Layer[])[] {
  return layer.type === "residual" ? [layer.layers] : layer.branches;
}

type Task =
  | { kind: "list"; list: readonly Layer[]; index: number; prefix: string; depth: number }
  | { kind: "branch" | "branch-end"; layer: ContainerLayer; k: number; at: LayerPosition }
  | { kind: "end"; layer: ContainerLayer; at: LayerPosition };

/** Visit every layer of `layers` and of the blocks inside it, depth first, with an explicit stack. */
export function walkLayers(layers: readonly Layer[], visitor: LayerVisitor): void {
  const tasks: Task[] = [{ kind: "list", list: layers, index: 0, prefix: "", depth: 0 }];
  for (;;) {
    const task = tasks.pop();
    if (!task) return;
    if (task.kind === "branch") visitor.branch?.(task.layer, task.k, task.at);
    else if (task.kind === "branch-end") visitor.branchEnd?.(task.layer, task.k, task.at);
    else if (task.kind === "end") visitor.end?.(task.layer, task.at);
    else if (task.kind === "list" && task.index < task.list.length) {
      const { list, index, prefix, depth } = task;
      const layer = list[index];
      const at: LayerPosition = { path: `${prefix}${index}`, depth, list, index };
      const skip = visitor.layer?.(layer, at) ?? 0;
      task.index = index + 1 + skip;
      tasks.push(task);
      if (!isContainer(layer)) continue;
      // Pushed in reverse: branch 0 runs first, then 1, ..., then the block's end.
      tasks.push({ kind: "end", layer, at });
      const lists = innerLists(layer);
      for (let k = lists.length - 1; k >= 0; k--) {
        const prefix = layer.type === "residual" ? `${at.path}/` : `${at.path}/${k}/`;
        tasks.push({ kind: "branch-end", layer, k, at });
        tasks.push({ kind: "list", list: lists[k], index: 0, prefix, depth: depth + 1 });
        tasks.push({ kind: "branch", layer, k, at });
      }
    }
  }
}

/** Every layer with its path and depth (blocks before their contents). */
export function forEachLayer(layers: readonly Layer[], visit: (layer: Layer, path: string, depth: number) => void): void {
  walkLayers(layers, {
    layer(layer, at) {
      visit(layer, at.path, at.depth);
      return 0;
    },
  });
}

/**
 * Rewrite every list of layers bottom-up: `rewrite` gets a list whose blocks already hold their
 * rewritten lists, and returns the list to put in its place (it may drop, merge or inline layers).
 */
export function rewriteLists(layers: readonly Layer[], rewrite: (list: Layer[]) => Layer[]): Layer[] {
  // outs[d] collects the layers of the list being rebuilt at nesting d; lists[d] the finished
  // branches of the block being rebuilt at d - 1.
  const outs: Layer[][] = [[]];
  const lists: Layer[][][] = [];
  walkLayers(layers, {
    layer(layer) {
      if (!isContainer(layer)) outs[outs.length - 1].push(layer);
      else lists.push([]);
      return 0;
    },
    branch() {
      outs.push([]);
    },
    branchEnd() {
      lists[lists.length - 1].push(rewrite(outs.pop() as Layer[]));
    },
    end(layer) {
      const done = lists.pop() as Layer[][];
      outs[outs.length - 1].push(layer.type === "residual" ? { ...layer, layers: done[0] } : { ...layer, branches: done });
    },
  });
  return rewrite(outs[0]);
}

/** Whether some layer of the tree satisfies `test`. */
export function someLayer(layers: readonly Layer[], test: (layer: Layer) => boolean): boolean {
  let found = false;
  forEachLayer(layers, (layer) => {
    if (!found && test(layer)) found = true;
  });
  return found;
}
