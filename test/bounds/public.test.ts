/** Published settings (test/fixtures/bounds-public.json, copied from the shared reference). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { denseArchitecture } from "../../src/bounds/architecture.ts";
import { montufar2014Lower } from "../../src/bounds/montufar2014.ts";
import { montufar2017Upper } from "../../src/bounds/montufar2017.ts";
import { serra2018Exact1d, serra2018Upper } from "../../src/bounds/serra2018.ts";
import { trivialUpper } from "../../src/bounds/trivial.ts";
import { zaslavsky } from "../../src/bounds/zaslavsky.ts";

const data = JSON.parse(readFileSync(new URL("../fixtures/bounds-public.json", import.meta.url), "utf8"));
const value = (r: { value: { toString(): string } | null }): string | undefined => r.value?.toString();

test("Serra et al. Fig. 5b: two layers of 22 units on MNIST (n0 = 784)", () => {
  assert.equal(data.serra2018_two_layers_22_units_n0_784.length, 21);
  for (const row of data.serra2018_two_layers_22_units_n0_784) {
    const arch = denseArchitecture(row.n0, row.widths);
    assert.equal(value(serra2018Upper(arch)), row.serra2018_upper, `serra ${row.widths}`);
    assert.equal(value(montufar2017Upper(arch)), row.montufar2017_upper, `montufar2017 ${row.widths}`);
    assert.equal(value(trivialUpper(arch)), row["trivial_2^N"], `2^N ${row.widths}`);
  }
});

test("Serra et al. Fig. 3: 60 units at depths 1..6 for n0 = 10, 20, 40, 60", () => {
  assert.equal(data.serra2018_60_units.length, 24);
  for (const row of data.serra2018_60_units) {
    const arch = denseArchitecture(row.n0, row.widths);
    assert.equal(value(serra2018Upper(arch)), row.serra2018_upper, `serra n0=${row.n0} ${row.widths}`);
    if (row.exact_if_L1 !== null) assert.equal(value(zaslavsky(arch)), row.exact_if_L1);
    else assert.equal(zaslavsky(arch).applies, false);
  }
});

test("worked examples: Zaslavsky, Montufar's construction, the 1D maximum", () => {
  const [fig1, deep, oneD] = data.examples;
  assert.equal(value(zaslavsky(denseArchitecture(fig1.n0, fig1.widths))), fig1.zaslavsky);
  assert.equal(value(montufar2014Lower(denseArchitecture(deep.n0, deep.widths))), deep.montufar2014_lower);
  assert.equal(value(montufar2014Lower(denseArchitecture(oneD.n0, oneD.widths))), oneD.montufar2014_lower);
  assert.equal(value(serra2018Exact1d(denseArchitecture(oneD.n0, oneD.widths))), oneD.serra2018_1d_exact);
});
