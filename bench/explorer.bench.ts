/**
 * The explorer's work per frame while training, in Node (the same Session code the Web Worker
 * runs): one epoch, the exact plane partition, the decision boundary, the evaluation and the
 * segment. Baseline, timed in the same run: a sampled picture of the same network (forward passes
 * on a 200 x 200 grid, what a pixel-colouring renderer would pay). The browser's own frame rate
 * (drawing and messaging included) is measured by test/web/explorer.test.ts.
 */
import { forward, prepare } from "../src/model/forward.ts";
import { Session } from "../src/web/session.ts";
import { parseSettings } from "../src/web/settings.ts";
import { fmt, table, time } from "./timing.ts";

export default async function (): Promise<string> {
  const rows: (string | number)[][] = [];
  for (const [hidden, epochs] of [
    ["16,16,16", 20],
    ["32,32,32", 20],
  ] as const) {
    const session = new Session();
    session.build(parseSettings(`hidden=${hidden}&n=400&epoch=${epochs}&seg=-1,-0.5,2,1`));
    let regions = 0;
    const frame = time(() => {
      session.trainEpoch();
      regions = session.frame().activationRegions;
    }, 10);
    const compiled = prepare(session.network as NonNullable<typeof session.network>);
    const x = new Float64Array(2);
    const grid = time(() => {
      for (let i = 0; i < 200; i++) {
        for (let j = 0; j < 200; j++) {
          x[0] = -1.6 + (4.1 * i) / 199;
          x[1] = -1.6 + (4.1 * j) / 199;
          forward(compiled, x);
        }
      }
    }, 3);
    rows.push([`2-${hidden.replace(/,/g, "-")}-2`, regions, fmt(1000 * frame.median), fmt(1 / frame.median), fmt(1000 * grid.median), fmt(frame.median / grid.median, 2)]);
  }
  return [
    "## Explorer",
    "",
    "Work per training frame in the engine worker (epoch + exact partition + boundary + evaluation + segment), moons, 400 points, batch 32, after 20 epochs; median of 10. Baseline: forward passes on a 200 x 200 grid of the same network.",
    "",
    table(["network", "regions", "ms per frame", "frames/s (engine only)", "baseline ms (grid of 40,000 forward passes)", "ratio frame/baseline"], rows),
  ].join("\n");
}
