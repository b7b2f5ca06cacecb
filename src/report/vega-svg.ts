/**
 * A vega-lite spec -> an SVG string, rendered headless (no DOM, no canvas): vega-lite compiles
 * the spec to vega, and a vega View with the "none" renderer writes SVG markup. Works in Node
 * and in the browser. Charts stay declarative specs, so the web app can render the same spec
 * interactively. vega is loaded on first use: importing it costs ~0.7 s, which every CLI
 * command would otherwise pay. Expressions run in vega's interpreter, not through `new
 * Function`, so charts also render under the explorer's Content-Security-Policy (no eval).
 *
 *   const svg = await vegaLiteToSvg({ data: { values }, mark: "line", encoding: { ... } });
 */
import type { TopLevelSpec } from "vega-lite";

/**
 * A vega-lite chart specification, as plain JSON. Not vega-lite's own `TopLevelSpec` type: that
 * one refers to DOM types, and this type is part of tessera's public declarations, which must
 * type-check in a Node project without the DOM library. vega-lite validates the spec when it
 * compiles it.
 */
export type VegaLiteSpec = { readonly [key: string]: unknown };

/** Render a vega-lite chart to an SVG string (vega is loaded on the first call). */
export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite, { expressionInterpreter }] = await Promise.all([import("vega"), import("vega-lite"), import("vega-interpreter")]);
  const compiled = vegaLite.compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled, undefined, { ast: true }), { renderer: "none", expr: expressionInterpreter });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
