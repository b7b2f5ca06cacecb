/**
 * A network sent to worker threads once per thread, not once per task: the calling thread writes
 * it as tessera JSON text once per network object (written and read without recursion, whereas
 * the structured clone that carries objects to a thread recurses and overflows on networks
 * thousands of layers deep) and tags it with a key; a thread parses and compiles a key's text
 * once and keeps the compiled network for the next tasks (parsing 2-256x4-1's 4 MB of text and
 * compiling it took 50-300 ms a task).
 *
 * Networks are treated as values, as everywhere in tessera: a network object changed in place
 * after a parallel count must not be counted again on the same pool (build a new one).
 */
import { randomUUID } from "node:crypto";
import { parseNetwork, stringifyNetwork } from "../io/network-json.ts";
import { type Compiled, prepare } from "../model/forward.ts";
import type { Network } from "../model/layers.ts";

/** A network for tasks: its text and the key a thread caches its compiled form under. */
export interface ModelRef {
  key: string;
  text: string;
}

const refs = new WeakMap<Network, ModelRef>();

/** The network's reference for tasks (its text written once per network object). */
export function modelRef(network: Network): ModelRef {
  let ref = refs.get(network);
  if (ref === undefined) {
    ref = { key: randomUUID(), text: stringifyNetwork(network) };
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
    c = prepare(parseNetwork(ref.text));
    if (compiled.size >= KEEP) compiled.delete(compiled.keys().next().value as string);
    compiled.set(ref.key, c);
  }
  return c;
}
