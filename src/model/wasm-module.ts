/**
 * The engines' and trainer's embedded WebAssembly modules (base64 from scripts/build-engine-wasm.ts):
 * one way to instantiate them and to grow their memory. WebAssembly is standard in browsers and
 * Node, so the core stays portable; where it (or SIMD) is missing, `instantiateEmbedded` returns
 * null and each caller uses its JavaScript loop, which gives the same results.
 */

/** Compiled modules by their base64, so a second instance (own memory) costs no compile. */
const compiled = new Map<string, WebAssembly.Module>();

/**
 * The bytes of a base64 string. A plain loop: `Uint8Array.from(text, callback)` goes through the
 * string iterator and a call per character, 5-70 ms for the dense kernel's 6 KB on a fresh
 * process (this loop: 0.3 ms), all of it at import.
 */
function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Whether a memory was grown once already (see instantiateEmbedded).
 * Growing a WebAssembly memory detaches its old buffer, and the first detached buffer in a
 * process makes V8 throw away every optimised function that reads a typed array (it compiles
 * them without a check for detached buffers until then): on a small plane count that happened
 * at the seventh call, when the dense kernel's memory first grew, and cost that call and the
 * next ones 30-60 ms each while everything was optimised again. Growing a memory by nothing
 * at instantiation (import), before anything is optimised, makes that happen when it costs
 * nothing; the code V8 then optimises checks for detached buffers from the start, as it does
 * anyway after the first growth.
 */
let detachedOnce = false;

/** A new instance's exports (each with its own memory), or null where WebAssembly or SIMD is unavailable. */
export function instantiateEmbedded<T extends { memory: WebAssembly.Memory }>(base64: string): T | null {
  try {
    let module = compiled.get(base64);
    if (module === undefined) {
      module = new WebAssembly.Module(decode(base64));
      compiled.set(base64, module);
    }
    const exports = new WebAssembly.Instance(module, {}).exports as unknown as T;
    if (!detachedOnce) {
      detachedOnce = true;
      exports.memory.grow(0);
    }
    return exports;
  } catch {
    return null;
  }
}

/** Grow `memory` to hold at least `bytes`; true when it grew (views of the old buffer are then stale). */
export function growMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return false;
  memory.grow(Math.ceil((bytes - have) / 65536));
  return true;
}
