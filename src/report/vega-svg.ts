/**
 * A vega-lite spec -> an SVG string, rendered headless (no DOM, no canvas): vega-lite compiles
 * the spec to vega, and a vega View with the "none" renderer writes SVG markup. Works in Node
 * and in the browser. Charts stay declarative specs, so the web app can render the same spec
 * interactively.
 *
 *   const svg = await vegaLiteToSvg({ data: { values }, mark: "line", encoding: { ... } });
 */
import * as vega from "vega";
import * as vegaLite from "vega-lite";

export type VegaLiteSpec = vegaLite.TopLevelSpec;

export async function vegaLiteToSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
