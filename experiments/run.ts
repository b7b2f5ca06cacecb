/**
 * `npm run experiments [-- NAME...] [--quick] [--seeds N] [--update-docs]`: run the experiments
 * of docs/experiments.md. Pictures and numbers go to experiments/output/ (untracked) unless
 * --update-docs asks for the docs' own folders (docs/img/experiments/, experiments/results/).
 */
import { configure, log, type Options } from "./lib.ts";

const all: Record<string, () => Promise<{ run: (options: Options) => Promise<unknown> }>> = {
  cnn: () => import("./cnn-mnist.ts"),
  "hanin-rolnick": () => import("./hanin-rolnick.ts"),
  "hanin-rolnick-seeds": () => import("./hanin-rolnick-seeds.ts"),
  "local-complexity": () => import("./local-complexity.ts"),
  "local-complexity-checkpoints": () => import("./local-complexity-checkpoints.ts"),
  "local-complexity-migration": () => import("./local-complexity-migration.ts"),
  "robustness-checkpoints": () => import("./robustness-checkpoints.ts"),
  xiong: () => import("./xiong.ts"),
  "xiong-average": () => import("./xiong-average.ts"),
  "xiong-box": () => import("./xiong-box.ts"),
  qi: () => import("./qi.ts"),
  "qi-width": () => import("./qi-width.ts"),
  "qi-intricacy": () => import("./qi-intricacy.ts"),
  balduzzi: () => import("./balduzzi.ts"),
  "balduzzi-bn": () => import("./balduzzi-bn.ts"),
  serra: () => import("./serra.ts"),
};

/**
 * Experiments whose seeds are not theirs to choose: `--seeds N` does not apply to them, and
 * naming one with it is an error rather than a silently ignored option.
 */
const fixedSeeds: Record<string, string> = {
  serra: "one trained network per width split, as in Serra et al. (the seed is n1)",
  "local-complexity-checkpoints": "it measures the checkpoints of the runs local-complexity made, with their seeds",
  "local-complexity-migration": "it measures the checkpoints of the runs local-complexity made, with their seeds",
};

function fail(message: string): never {
  process.stderr.write(`experiments: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const options: Options = { quick: false, seeds: null, updateDocs: false };
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--quick") options.quick = true;
  else if (a === "--update-docs") options.updateDocs = true;
  else if (a === "--seeds") {
    const n = Number(args[++i]);
    if (!Number.isInteger(n) || n < 1) fail(`--seeds: expected a positive integer, got "${args[i]}"`);
    options.seeds = n;
  } else if (a.startsWith("--")) fail(`unknown option ${a} (--quick, --seeds N, --update-docs)`);
  else if (!(a in all)) fail(`unknown experiment "${a}" (known: ${Object.keys(all).join(", ")})`);
  else names.push(a);
}
if (options.seeds !== null) for (const name of names) if (name in fixedSeeds) fail(`${name}: --seeds does not apply: ${fixedSeeds[name]}`);
configure(options);
const started = performance.now();
for (const name of names.length ? names : Object.keys(all)) {
  const start = performance.now();
  if (options.seeds !== null && name in fixedSeeds) log(`${name}: --seeds does not apply (${fixedSeeds[name]})`);
  const module = await all[name]();
  await module.run(options);
  log(`${name}: done in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
log(`all done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
