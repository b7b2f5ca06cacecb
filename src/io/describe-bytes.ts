/**
 * Describing a file that is not what was expected, without printing it: binary data (an image,
 * an archive, a Keras .h5) is named by its signature and first bytes, never echoed raw into a
 * one-line error. Pure: the browser uses it too.
 */

/** Known file signatures, with a hint where tessera can read the model in another form. */
const SIGNATURES: [number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47], "a PNG image"],
  [[0xff, 0xd8, 0xff], "a JPEG image"],
  [[0x47, 0x49, 0x46, 0x38], "a GIF image"],
  [[0x25, 0x50, 0x44, 0x46], "a PDF document"],
  [[0x50, 0x4b, 0x03, 0x04], "a zip archive (a PyTorch .pt/.pth checkpoint? export the model to ONNX)"],
  [[0x1f, 0x8b], "gzip-compressed data"],
  [[0x89, 0x48, 0x44, 0x46], "an HDF5 file (a Keras .h5? convert it with tensorflowjs_converter or export to ONNX)"],
  [[0x80], "a Python pickle (a PyTorch checkpoint? export the model to ONNX)"],
  [[0x7f, 0x45, 0x4c, 0x46], "an executable (ELF)"],
];

/** Whether the start of a file is binary data rather than text. */
export function looksBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 1024);
  for (const b of head) if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return true;
  // Not valid UTF-8: binary too.
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head.length < bytes.length ? head.subarray(0, Math.max(0, head.length - 4)) : head);
    return false;
  } catch {
    return true;
  }
}

/** "binary data, a PNG image (starts 89 50 4e 47 0d 0a 1a 0a)". */
export function describeBinary(bytes: Uint8Array): string {
  const known = SIGNATURES.find(([sig]) => sig.every((b, i) => bytes[i] === b))?.[1];
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return `binary data${known ? `, ${known}` : ""} (${bytes.length} bytes, starting ${hex})`;
}

/** Text safe for a one-line message: control and unprintable characters escaped, length capped. */
export function printable(text: string, max = 120): string {
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => (c === "\ufffd" ? "?" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}
