/**
 * A network for worker threads, compiled once per thread, not once per task: the calling thread
 * tags it with a key (once per network object), and a thread keeps the compiled network of the
 * last keys it saw. The network is serialized once per network object into shared memory (V8's
 * serialization: its weights as typed arrays), so a task carries only the key and a view of
 * shared bytes (no copy per task: 2-128x4-1 took 2-6 ms to clone, on the calling thread, for
 * every task), and a thread decodes them only the first time it sees the key. Networks whose
 * blocks nest deeper than CLONE_DEPTH go as tessera JSON text instead, written and read without
 * recursion (V8's serializer recurses and overflows on networks thousands of blocks deep; the
 * text is slower: 4 MB for 2-256x4-1, 50-300 ms to read).
 *
 * Networks are treated as values, as everywhere in tessera: a network object changed in place
 * after a parallel count must not be counted again on the same pool (build a new one).
 */
import { randomUUID } from "node:crypto";
import { deserialize, serialize } from "node:v8";
import { parseNetwork, stringifyNetwork } from "../io/network-json.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";
import { walkLayers } from "../model/walk.ts";

/** A network for tasks: the key a thread caches its compiled form under, and its bytes in shared memory. */
export interface ModelRef {
  key: string;
  /** V8-serialized network, or (format "json") tessera JSON text as UTF-8. */
  bytes: Uint8Array;
  format: "v8" | "json";
}

/** Blocks nested deeper than this go as text (the structured clone's recursion is safe far beyond). */
const CLONE_DEPTH = 64;

/** The network serialized by V8, or null when it holds what V8 cannot serialize (it then goes as text). */
function serialized(network: Network): Uint8Array | null {
  try {
    return serialize(network);
  } catch {
    return null;
  }
}

/** The bytes copied into shared memory (a task then carries a view, never a copy). */
function shared(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.length));
  out.set(bytes);
  return out;
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
    const v8 = nestingDepth(network) <= CLONE_DEPTH ? serialized(network) : null;
    ref =
      v8 !== null
        ? { key: randomUUID(), bytes: shared(v8), format: "v8" }
        : { key: randomUUID(), bytes: shared(new TextEncoder().encode(stringifyNetwork(network))), format: "json" };
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
    // Decoded from a copy: neither decoder reads from shared memory.
    const bytes = ref.bytes.slice();
    c = prepare(ref.format === "v8" ? (deserialize(bytes) as Network) : parseNetwork(new TextDecoder().decode(bytes)));
    if (compiled.size >= KEEP) compiled.delete(compiled.keys().next().value as string);
    compiled.set(ref.key, c);
  }
  return c;
}
