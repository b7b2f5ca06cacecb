/**
 * How fast can the line engine's walk of issue 17's workload (1,000 segments through 2-128x4-1,
 * `countSegments`) go on this machine? Counts the multiply-adds its products need, measures what
 * this machine's WebAssembly does with float64 pairs (one 128x128 layer streamed per broadcast
 * value, as the propagated product reads it, and a compute-only loop), and prints the floor
 * those rates put under the walk beside the engine's own time, all in this one process.
 *
 *   npx tsx bench/line-floor.ts [PEER_SECONDS]
 *
 * With PEER_SECONDS (a peer's time on the same workload, e.g. Regioncam's from
 * bench/peers/run.ts), also the time issue 17 asks for: half of it.
 *
 * The multiply-adds: a piece's maps differ from the previous piece's by one unit's crossing; the
 * walk carries the change to the deeper layers, a rank-one update in the next layer and then one
 * product per layer over the units on in the layer before (regions/line.ts, "propagated maps").
 * That is the least a walk that keeps every unit's map along the segment does: a product by
 * layers, with the states of each piece known, reads each active unit's column once.
 */
import { loadavg } from "node:os";
import wabtFactory from "wabt";
import { mlp } from "../src/model/build/mlp.ts";
import { prepare } from "../src/model/forward.ts";
import { linePartition } from "../src/regions/line.ts";
import { countSegments } from "../src/regions/line-segments.ts";
import { benchSegments } from "./segments.ts";

const widths = [2, 128, 128, 128, 128, 1];
const compiled = prepare(mlp(widths, { init: "uniform", seed: 0 }));
const wabt = await wabtFactory();
const peer = process.argv[2] === undefined ? null : Number(process.argv[2]);

const flat = benchSegments();

/** Multiply-adds of the propagated products, from each segment's pieces and their patterns. */
function productMultiplyAdds(): { pieces: number; crossings: number; multiplyAdds: number } {
  const hidden = widths.slice(1, -1);
  const offsets = hidden.map((_, l) => hidden.slice(0, l).reduce((a, b) => a + b, 0));
  const words = compiled.layout.words;
  let pieces = 0;
  let crossings = 0;
  let multiplyAdds = 0;
  for (let g = 0; g < flat.length / 4; g++) {
    const p = linePartition(compiled, flat.subarray(4 * g, 4 * g + 4));
    pieces += p.cellCount;
    const bit = (c: number, u: number): number => (p.patterns[c * words + (u >>> 5)] >>> (u & 31)) & 1;
    for (let c = 0; c + 1 < p.cellCount; c++) {
      const changed = (l: number): boolean => {
        for (let u = offsets[l]; u < offsets[l] + hidden[l]; u++) if (bit(c, u) !== bit(c + 1, u)) return true;
        return false;
      };
      const layer = hidden.findIndex((_, l) => changed(l));
      if (layer < 0) continue;
      crossings++;
      // a crossing in layer L: a rank-one update of layer L + 1, then a product into each of
      // layers L + 2 .. over the units on in the layer before
      for (let l = layer + 2; l < hidden.length; l++) {
        let on = 0;
        for (let u = offsets[l - 1]; u < offsets[l - 1] + hidden[l - 1]; u++) on += bit(c + 1, u);
        multiplyAdds += on * hidden[l];
      }
    }
  }
  return { pieces, crossings, multiplyAdds };
}

/** G multiply-adds per second of float64 pairs in WebAssembly: streaming a layer, and compute only. */
function rates(): { streamed: number; compute: number } {
  const accumulators = 12;
  const acc = Array.from({ length: accumulators }, (_, i) => i);
  const wat = `(module (memory (export "mem") 4)
  (func (export "compute") (param $n i32) (result f64)
    ${acc.map((i) => `(local $a${i} v128)`).join(" ")} (local $x v128) (local $y v128)
    (local.set $x (f64x2.splat (f64.const 1.0000001))) (local.set $y (f64x2.splat (f64.const 0.999999)))
    (loop $l
      ${acc.map((i) => `(local.set $a${i} (f64x2.add (local.get $a${i}) (f64x2.mul (local.get $x) (local.get $y))))`).join("\n      ")}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (f64x2.extract_lane 0 ${acc.slice(1).reduce((e, i) => `(f64x2.add ${e} (local.get $a${i}))`, "(local.get $a0)")}))
  (func (export "stream") (param $n i32) (param $bytes i32) (result f64)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $p v128) (local $o i32)
    (local.set $p (f64x2.splat (f64.const 0.5)))
    (loop $rep
      (local.set $o (i32.const 0))
      (loop $l
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (v128.load offset=0 (local.get $o)) (local.get $p))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (v128.load offset=16 (local.get $o)) (local.get $p))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (v128.load offset=32 (local.get $o)) (local.get $p))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (v128.load offset=48 (local.get $o)) (local.get $p))))
        (local.set $o (i32.add (local.get $o) (i32.const 64)))
        (br_if $l (i32.lt_u (local.get $o) (local.get $bytes))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $rep (local.get $n)))
    (f64x2.extract_lane 0 (f64x2.add (f64x2.add (local.get $a0) (local.get $a1)) (f64x2.add (local.get $a2) (local.get $a3))))))`;
  const module = wabt.parseWat("floor.wat", wat, { simd: true });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(module.toBinary({}).buffer)));
  const exports = instance.exports as { compute(n: number): number; stream(n: number, bytes: number): number };
  const layer = 128 * 128 * 8;
  const best = { streamed: 0, compute: 0 };
  for (let r = 0; r < 7; r++) {
    let t = performance.now();
    exports.compute(2e7);
    best.compute = Math.max(best.compute, (2e7 * accumulators * 2) / ((performance.now() - t) * 1e6));
    t = performance.now();
    exports.stream(400, layer);
    best.streamed = Math.max(best.streamed, (400 * layer) / 8 / ((performance.now() - t) * 1e6));
  }
  return best;
}

function engineSeconds(): { min: number; median: number } {
  for (let w = 0; w < 3; w++) countSegments(compiled, flat);
  const times: number[] = [];
  for (let r = 0; r < 11; r++) {
    const start = process.cpuUsage();
    countSegments(compiled, flat);
    const d = process.cpuUsage(start);
    times.push((d.user + d.system) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { min: times[0], median: times[times.length >> 1] };
}

const load0 = loadavg()[0];
const work = productMultiplyAdds();
const engine = engineSeconds();
const rate = rates();
const g = work.multiplyAdds / 1e9;
console.log(`load average (1 min) ${load0.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end`);
console.log(`pieces ${work.pieces}, crossings ${work.crossings}, propagated products ${g.toFixed(3)} G multiply-adds`);
console.log(`float64 pairs in WebAssembly: ${rate.streamed.toFixed(2)} G multiply-adds/s streaming a 128x128 layer, ${rate.compute.toFixed(2)} G/s compute only`);
console.log(`the products alone: ${(g / rate.streamed).toFixed(3)} s streamed, ${(g / rate.compute).toFixed(3)} s at the compute rate`);
console.log(`countSegments: CPU s min ${engine.min.toFixed(3)}, median ${engine.median.toFixed(3)}`);
if (peer !== null && Number.isFinite(peer)) console.log(`issue 17's target: half of ${peer} s = ${(peer / 2).toFixed(3)} s`);
