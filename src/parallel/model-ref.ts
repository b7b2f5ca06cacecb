/**
 * A network for worker threads, compiled once per thread, not once per task: the calling thread
 * tags it with a key (once per network object), and a thread keeps the compiled network of the
 * last keys it saw. The network itself travels as it is (a structured clone: its weights copied
 * as arrays), except when its blocks nest deeper than CLONE_DEPTH: the structured clone recurses
 * and overflows on networks thousands of blocks deep, so those travel as tessera JSON text,
 * written and read without recursion (and slower: 4 MB of text for 2-256x4-1, 50-300 ms to read).
 *
 * Networks are treated as values, as everywhere in tessera: a network object changed in place
 * after a parallel count must not be counted again on the same pool (build a new one).
 */
import { randomUUID } from "node:crypto";
import { parseNetwork, stringifyNetwork } from "../io/network-json.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { walkLayers } from "../model/walk.ts";

/** A network for tasks: the key a thread caches its compiled form under, and the network or its text. */
export interface ModelRef {
  key: string;
  network?: Network;
  text?: string;
}

/** Blocks nested deeper than this go as text (the structured clone's recursion is safe far beyond). */
const CLONE_DEPTH = 64;

/** Whether the network survives a structured clone (plain data: any other value goes as text). */
function clonable(network: Network): boolean {
  try {
    structuredClone(network);
    return true;
  } catch {
    return false;
  }
}

function nestingDepth(network: Network): number {
  let deepest = 0;
  walkLayers(network.layers, {
    layer(_, at) {
      deepest = Math.max(deepest, at.depth);
      return 0;
    },
  });
  return deepest;
}

const refs = new WeakMap<Network, ModelRef>();

/** The network's reference for tasks (its key made, and its text written if need be, once per network object). */
export function modelRef(network: Network): ModelRef {
  let ref = refs.get(network);
  if (ref === undefined) {
    ref = nestingDepth(network) <= CLONE_DEPTH && clonable(network) ? { key: randomUUID(), network } : { key: randomUUID(), text: stringifyNetwork(network) };
    refs.set(network, ref);
  }
  return ref;
}

/** Compiled networks of the last few keys a thread was sent (a pool serves one count at a time, mostly). */
const compiled = new Map<string, Compiled>();
const KEEP = 4;

/** Worker side: the compiled network of a reference, parsed once per thread. */
export function compiledOfRef(ref: ModelRef): Compiled {
  let c = compiled.get(ref.key);
  if (c === undefined) {
    c = prepare(ref.network ?? parseNetwork(ref.text as string));
    if (compiled.size >= KEEP) compiled.delete(compiled.keys().next().value as string);
    compiled.set(ref.key, c);
  }
  return c;
}
