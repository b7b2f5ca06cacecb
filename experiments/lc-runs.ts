/**
 * The small local-complexity runs that local-complexity.ts trains (section 2 of
 * docs/experiments.md), as the checkpoint studies read them back: each setting and seed whose
 * run folder exists, with its configuration, its data and where the held-out digits start.
 */
import { existsSync, readFileSync } from "node:fs";
import type { RunConfig } from "../src/train/config.ts";
import type { Dataset } from "../src/train/data/dataset.ts";
import { loadDataset } from "../src/train/node/load-data.ts";
import { RUNS_DIR } from "./lib.ts";

export const LC_SETTINGS = [
  { name: "small-wd0.1", label: "784-64-64-64-10, weight decay 0.1" },
  { name: "small-wd0", label: "784-64-64-64-10, no weight decay" },
];

export interface LcRun {
  setting: (typeof LC_SETTINGS)[number];
  seed: number;
  dir: string;
  config: RunConfig;
  data: Dataset;
  /** Rows [0, cut) trained on; the `holdout` rows after them held out. */
  cut: number;
  holdout: number;
  stepsPerEpoch: number;
}

/** Every run of seeds 0..seeds-1 found on disk (none on a fresh checkout). */
export async function* lcRuns(seeds: number): AsyncGenerator<LcRun> {
  for (const setting of LC_SETTINGS)
    for (let seed = 0; seed < seeds; seed++) {
      const dir = `${RUNS_DIR}lc-${setting.name}-seed${seed}`;
      if (!existsSync(`${dir}/config.json`)) continue;
      const config = JSON.parse(readFileSync(`${dir}/config.json`, "utf8")) as RunConfig;
      const data = await loadDataset(config.data);
      const holdout = config.data.holdout ?? 0;
      const cut = data.count - holdout;
      yield { setting, seed, dir, config, data, cut, holdout, stepsPerEpoch: Math.ceil(cut / config.train.batchSize) };
    }
}
