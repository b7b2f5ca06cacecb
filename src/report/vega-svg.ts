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

/** A vega-lite chart specification. */
export type VegaLiteSpec = TopLevelSpec;

/** Render a vega-lite chart to an SVG string (vega is loaded on the first call). */
export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vegaLite, { expressionInterpreter }] = await Promise.all([import("vega"), import("vega-lite"), import("vega-interpreter")]);
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled, undefined, { ast: true }), { renderer: "none", expr: expressionInterpreter });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
