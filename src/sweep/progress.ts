/** A sweep's progress on stderr: a bar with jobs and the estimated time left (cli-progress) on a terminal, else nothing. */
import cliProgress from "cli-progress";

export interface SweepProgress {
  tick(ok: boolean): void;
  stop(): void;
}

export function sweepProgress(total: number, label: string): SweepProgress {
  if (!process.stderr.isTTY || total === 0) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} {bar} {value}/{total} jobs | {failed} failed | {duration_formatted} elapsed, ETA {eta_formatted}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let failed = 0;
  bar.start(total, 0, { failed });
  return {
    tick(ok) {
      if (!ok) failed++;
      bar.increment(1, { failed });
    },
    stop: () => bar.stop(),
  };
}
