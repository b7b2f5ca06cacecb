import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULTS, parseHidden, parseSettings, type Settings, SettingsError, sameModel, settingsFragment } from "../../src/web/settings.ts";

test("defaults give an empty fragment, and an empty fragment gives the defaults", () => {
  assert.equal(settingsFragment(DEFAULTS as Settings), "");
  assert.deepEqual(parseSettings(""), DEFAULTS);
  assert.deepEqual(parseSettings("#"), DEFAULTS);
});

test("every setting survives the URL round trip", () => {
  const s: Settings = {
    data: "spirals",
    count: 1234,
    noise: 0.07,
    hidden: [8, 4],
    activation: "hard-tanh",
    init: "glorot",
    seed: 42,
    optimizer: "sgd",
    learningRate: 0.05,
    batchSize: 17,
    epoch: 33,
    view: [-2.5, 3],
    boundary: false,
    edges: false,
    points: false,
    segment: [-1, 0.5, 2, -0.25],
    plane: { kind: "points", indices: [3, 9, 1] },
  };
  const fragment = settingsFragment(s);
  assert.match(fragment, /hidden=8,4/);
  assert.deepEqual(parseSettings(`#${fragment}`), s);
  const random: Settings = {
    ...s,
    plane: { kind: "random", seed: 7, radius: 2.5 },
    hidden: [],
  };
  assert.deepEqual(parseSettings(settingsFragment(random)), random);
});

test("bad values are named in one line", () => {
  const cases: [string, RegExp][] = [
    ["data=swiss", /data: expected one of moons/],
    ["hidden=4,x", /hidden widths/],
    ["hidden=100000", /hidden widths: expected an integer from 1 to 256/],
    ["hidden=1,1,1,1,1,1,1,1,1", /at most 8 layers/],
    ["lr=-1", /lr: expected a learning rate/],
    ["view=2,1", /view: LO must be less than HI/],
    ["view=1", /view: expected 2/],
    ["seg=1,1,1,1", /seg: the two ends are the same point/],
    ["plane=points:1,1,2", /must differ/],
    ["plane=cube:1", /plane: expected/],
    ["epoch=999999", /epoch: expected an integer from 0 to 5000/],
    ["n=5", /n \(data points\)/],
  ];
  for (const [fragment, message] of cases) {
    assert.throws(
      () => parseSettings(fragment),
      (e: Error) => e instanceof SettingsError && message.test(e.message) && !e.message.includes("\n"),
      fragment,
    );
  }
});

test("unknown keys are ignored and flags accept 0/false", () => {
  const s = parseSettings("utm=1&boundary=0&edges=false&points=1");
  assert.equal(s.boundary, false);
  assert.equal(s.edges, false);
  assert.equal(s.points, true);
});

test("parseHidden: an empty list is a linear model", () => {
  assert.deepEqual(parseHidden(""), []);
  assert.deepEqual(parseHidden(" 3, 5 "), [3, 5]);
});

test("sameModel ignores the view and the epoch", () => {
  const a = parseSettings("epoch=3&view=-1,1");
  const b = parseSettings("epoch=9&seg=0,0,1,1");
  assert.ok(sameModel(a, b));
  assert.ok(!sameModel(a, parseSettings("seed=2")));
});
