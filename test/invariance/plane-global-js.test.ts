/**
 * plane-global.test.ts's cases without WebAssembly (removed before the engine loads, as
 * bench/identical.ts --no-wasm does): the JavaScript engine's bounds relative to the exact map.
 */
(globalThis as { WebAssembly?: unknown }).WebAssembly = undefined;
await import("./plane-global.test.ts");

export {};
