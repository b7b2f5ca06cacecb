import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mlp } from "../../src/model/build/mlp.ts";
import { prepare } from "../../src/model/forward.ts";
import { Budget } from "../../src/regions/limits.ts";
import { boxSlice, type PlaneShare, planePartition, planePartitionShare } from "../../src/regions/plane.ts";
import { kernelParts, kernelRuns } from "../../src/regions/plane-cut.ts";
import { mergePlaneShares } from "../../src/regions/plane-merge.ts";

/** A share's record and partition, every array to the bit (NaN-safe, -0 distinct). */
function flat(p: object): unknown {
  return JSON.stringify(p, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength)) : x));
}

/** A claim as one thread of parallel/plane.ts makes it (shared-budget.ts's claimChunk: each chunk once, in order), and the chunks it was asked about. */
function claimer(take: (chunk: number) => boolean): { claim: (chunk: number) => boolean; asked: number[] } {
  const asked: number[] = [];
  let next = 0;
  return {
    asked,
    claim: (chunk) => {
      asked.push(chunk);
      if (chunk !== next) return false; // taken before (by this share or another)
      next++;
      return take(chunk);
    },
  };
}

describe("a share of the plane count on the WebAssembly kernel", () => {
  // A budget keeps the kernel out: the JavaScript descent's share.
  const javascript = () => new Budget({ maxCells: 1e9 });
  // 4,563 top pieces (at least 16 runs of 257: the automatic chunk is 257), 7,720 cells.
  const net = prepare(mlp([2, 100, 16, 16, 1], { init: "he", seed: 1 }));
  const { slice, domain } = boxSlice(-3, 3);

  it("gives the JavaScript share's record and cells, array for array, for every part and chunk", () => {
    let shares = 0;
    for (const parts of [2, 3]) {
      // 1, 3 and 16: maps of other shares' pieces made for the next piece's rank-one update; 257 and
      // 0 (automatic: 257 here): whole runs between full products, other shares' pieces passed over.
      for (const chunk of [1, 3, 16, 0, 257]) {
        for (let part = 0; part < parts; part++) {
          const share: PlaneShare = { parts, part, chunk };
          const before = { ...kernelRuns };
          const fast = planePartitionShare(net, slice, domain, share);
          assert.equal(kernelRuns.made, before.made + 1, "the kernel made the share's cells");
          const reference = planePartitionShare(net, slice, domain, share, javascript());
          assert.equal(kernelRuns.made + kernelRuns.gaveUp, before.made + before.gaveUp + 1, "the JavaScript descent made the reference");
          assert.equal(flat(fast), flat(reference), `parts ${parts}, part ${part}, chunk ${chunk}`);
          shares += fast.topPieces.length > 0 ? 1 : 0;
        }
      }
    }
    assert.equal(shares, 25, `${shares} shares took top pieces`);
  });

  it("asks for the chunks as the JavaScript descent does, and writes into the buffers given", () => {
    for (const chunk of [2, 257]) {
      const take = (c: number) => c % 3 !== 1;
      const k = claimer(take);
      const j = claimer(take);
      const fast = planePartitionShare(net, slice, domain, { parts: 1, part: 0, chunk, claim: k.claim });
      const reference = planePartitionShare(net, slice, domain, { parts: 1, part: 0, chunk, claim: j.claim }, javascript());
      assert.ok(k.asked.length > 1);
      assert.deepEqual(k.asked, j.asked);
      assert.equal(flat(fast), flat(reference));
    }
  });

  it("gives the same share when its cells come in many parts", () => {
    const net = prepare(mlp([2, 16, 16, 16, 1], { init: "he", seed: 1 }));
    const { slice, domain } = boxSlice(-1, 1);
    const share: PlaneShare = { parts: 2, part: 1, chunk: 5 };
    const saved = kernelParts.handoverBytes;
    kernelParts.handoverBytes = 256;
    const before = { ...kernelRuns };
    let fast: ReturnType<typeof planePartitionShare>;
    try {
      fast = planePartitionShare(net, slice, domain, share);
    } finally {
      kernelParts.handoverBytes = saved;
    }
    assert.equal(kernelRuns.made, before.made + 1);
    assert.ok(kernelRuns.parts - before.parts > 10, `${kernelRuns.parts - before.parts} parts`);
    assert.equal(flat(fast), flat(planePartitionShare(net, slice, domain, share, javascript())));
  });

  it("keeps the chunks it claimed when it gives up (a claim is taken once)", () => {
    // Zero biases: the kernel gives up at the second step's cut, after claiming the first chunk;
    // the JavaScript descent that counts instead must still own it.
    const zero = prepare(mlp([2, 8, 8, 1], { init: "zero-bias", seed: 4 }));
    const k = claimer(() => true);
    const before = { ...kernelRuns };
    const counted = planePartitionShare(zero, slice, domain, { parts: 1, part: 0, chunk: 1, claim: k.claim });
    assert.equal(kernelRuns.gaveUp, before.gaveUp + 1, "the kernel gave up");
    const reference = planePartitionShare(zero, slice, domain, { parts: 1, part: 0, chunk: 1, claim: claimer(() => true).claim }, javascript());
    assert.ok(reference.topPieces.length > 1);
    assert.equal(flat(counted), flat(reference));
  });
});

describe("joined plane shares", () => {
  it("count a slanted domain's inexact edges once, as the whole count does (kernel and JavaScript)", () => {
    const net = prepare(mlp([2, 8, 8, 1], { seed: 3 }));
    const { slice } = boxSlice(-1, 1);
    const domain = Float64Array.of(0, 0, 0.7, 0.1, 0.9, 0.8, 0.2, 0.6);
    const whole = planePartition(net, slice, { domain });
    assert.ok((whole.uncertain ?? 0) > 0);
    for (const budget of [null, () => new Budget({ maxCells: 1e9 })]) {
      const shares = [0, 1, 2].map((part) => planePartitionShare(net, slice, domain, { parts: 3, part, chunk: 1 }, budget?.() ?? null));
      const joined = mergePlaneShares(shares, slice, domain, net.layout, net.outputSize);
      assert.equal(joined.cellCount, whole.cellCount);
      assert.equal(joined.uncertain, whole.uncertain);
    }
  });
});
