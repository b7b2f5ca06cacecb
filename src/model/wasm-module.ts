/**
 * The engines' and trainer's embedded WebAssembly modules (base64 from scripts/build-engine-wasm.ts):
 * one way to instantiate them and to grow their memory. WebAssembly is standard in browsers and
 * Node, so the core stays portable; where it (or SIMD) is missing, `instantiateEmbedded` returns
 * null and each caller uses its JavaScript loop, which gives the same results.
 */

/** Compiled modules by their base64, so a second instance (own memory) costs no compile. */
const compiled = new Map<string, WebAssembly.Module>();

/** The bytes of a base64 string (a plain loop: `Uint8Array.from(text, callback)` makes a call per character through the string iterator). */
function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * A new instance's exports (each with its own memory), or null where WebAssembly or SIMD is
 * unavailable. `imports`: the functions the module calls back (plane-cut.as's claimChunk).
 */
export function instantiateEmbedded<T extends { memory: WebAssembly.Memory }>(base64: string, imports: WebAssembly.Imports = {}): T | null {
  try {
    let module = compiled.get(base64);
    if (module === undefined) {
      module = new WebAssembly.Module(decode(base64));
      compiled.set(base64, module);
    }
    return new WebAssembly.Instance(module, imports).exports as unknown as T;
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
