/**
 * Every colour tessera draws with, in one place: the stable colour of an activation pattern
 * (the same pattern has the same colour in every picture, so maps at two epochs or over two
 * slices compare by eye), the palette of classes and outputs, and the ink of edges, boundaries
 * and text. The CLI's SVG maps, the HTML report, the explorer's canvas and its charts all read
 * them from here.
 */

/** Classes (data labels) and outputs, in order: a colour-blind-safe-leaning qualitative palette. */
export const CLASS_COLORS: readonly string[] = ["#1f4e9c", "#c0392b", "#1e8449", "#7d3c98", "#b9770e", "#117a65", "#555555", "#a04000", "#2e4053", "#6c3483"];

/** The colour of class (or output) `label`; the palette repeats past its length. */
export function classColor(label: number): string {
  return CLASS_COLORS[((label % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length];
}

/** Ink of the drawing: decision boundary, cell edges, frame and text, background. */
export const INK = {
  boundary: "#111111",
  edge: "rgba(40, 40, 40, 0.5)",
  frame: "#222222",
  text: "#222222",
  background: "#ffffff",
  grid: "#eeeeee",
  segment: "#dd1111",
} as const;

/** The font stack of every picture (DejaVu Sans is what the PNG rasteriser finds on Linux). */
export const FONT_FAMILY = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** A stable pastel colour (#rrggbb) for a 32-bit pattern hash: hue, saturation, lightness from its bits. */
export function patternColor(hash: number): string {
  const h = hash >>> 0;
  const hue = (h % 360) / 360;
  const saturation = 0.4 + (((h >>> 9) & 0xff) / 255) * 0.25;
  const lightness = 0.66 + (((h >>> 17) & 0xff) / 255) * 0.18;
  return hslToHex(hue, saturation, lightness);
}

function hslToHex(h: number, s: number, l: number): string {
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number): string => {
    let x = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    x = x < 1 / 6 ? p + (q - p) * 6 * x : x < 1 / 2 ? q : x < 2 / 3 ? p + (q - p) * (2 / 3 - x) * 6 : p;
    return Math.round(x * 255)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(h + 1 / 3)}${channel(h)}${channel(h - 1 / 3)}`;
}
