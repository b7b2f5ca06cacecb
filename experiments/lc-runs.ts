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

export interface LcSetting {
  name: string;
  label: string;
}

export const LC_SETTINGS: LcSetting[] = [
  { name: "small-wd0.1", label: "784-64-64-64-10, weight decay 0.1" },
  { name: "small-wd0", label: "784-64-64-64-10, no weight decay" },
];

/** The paper's setting (LC_SETTING=paper-w200d4 in local-complexity.ts), read back on request only. */
export const PAPER_SETTING: LcSetting = { name: "paper-w200d4", label: "784-200x4-10, weight decay 0.01" };

export interface LcRun {
  setting: LcSetting;
  seed: number;
  dir: string;
  config: RunConfig;
  data: Dataset;
  /** Rows [0, cut) trained on; the `holdout` rows after them held out. */
  cut: number;
  holdout: number;
  stepsPerEpoch: number;
}

/** Every run of `settings` (the small ones unless said) and seeds 0..seeds-1 found on disk (none on a fresh checkout). */
export async function* lcRuns(seeds: number, settings: LcSetting[] = LC_SETTINGS): AsyncGenerator<LcRun> {
  for (const setting of settings)
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
