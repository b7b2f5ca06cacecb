/**
 * SVG -> PNG with resvg (Rust, through @resvg/resvg-js). Node only: the browser draws SVG itself.
 * Text uses the system's fonts (DejaVu Sans where present); without any font the picture is the
 * same but its tick labels are missing, which is why nothing depends on text being rendered.
 */
import { Resvg } from "@resvg/resvg-js";

/** Width and background of `svgToPng`. */
export interface PngOptions {
  /** Output width in pixels (default: the SVG's own width); the height keeps the aspect ratio. */
  width?: number;
  /** CSS background colour (default: transparent where the SVG draws nothing). */
  background?: string;
}

/** An SVG picture as PNG bytes (Node only). */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: options.width ? { mode: "width", value: Math.round(options.width) } : { mode: "original" },
    background: options.background,
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
    logLevel: "off",
  });
  return new Uint8Array(resvg.render().asPng());
}
