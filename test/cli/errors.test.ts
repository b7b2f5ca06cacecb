/**
 * The user-error contract of the CLI: a problem the user can fix (missing file, bad JSON, a bad
 * model, a point of the wrong dimension, bad numbers) prints one line "tessera: ..." naming what
 * and where, prints nothing on stdout and exits non-zero, without a stack trace. The common cases
 * run as real processes; the long tail of option checks runs the same CLI in-process.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringifyNetwork } from "../../src/io/network-json.ts";
import { mlp } from "../../src/model/build/mlp.ts";
import { assertUserError, scratch, tesseraAll, tesseraInProcess } from "./cli-harness.ts";

const { dir, cleanup } = scratch();
after(cleanup);

const m2 = join(dir, "m2.json");
const m3 = join(dir, "m3.json");
const m1 = join(dir, "m1.json");
writeFileSync(m1, stringifyNetwork(mlp([1, 4, 1], { seed: 1 })));
writeFileSync(m2, stringifyNetwork(mlp([2, 4, 1], { seed: 1 })));
writeFileSync(m3, stringifyNetwork(mlp([3, 4, 1], { seed: 1 })));
writeFileSync(join(dir, "bad.json"), '{"format": "tessera.network", "version": 1, "inputShape": [2], "layers": [');
writeFileSync(
  join(dir, "shape.json"),
  JSON.stringify({ format: "tessera.network", version: 1, inputShape: [2], layers: [{ type: "relu" }, { type: "dense", weight: [[1, 2], [3]], bias: [0, 0] }] }),
);
writeFileSync(join(dir, "unknown.json"), JSON.stringify({ format: "tessera.network", version: 1, inputShape: [2], layers: [{ type: "gelu" }] }));
mkdirSync(join(dir, "folder.json"));

test("common user errors, as real processes: one line, exit 1, no stack trace", async () => {
  const cases: [string[], RegExp][] = [
    [["count", "missing.json", "--box", "-1,1"], /^tessera: missing\.json: cannot read model file \(ENOENT\)$/],
    [["count", "bad.json", "--box", "-1,1"], /^tessera: bad\.json: not valid JSON/],
    [["count", "m2.json", "--line", "0,0;1,1,1"], /--line: point 2 has 3 coordinates, the model has 2 inputs/],
    [["count", "m2.json", "--box", "a,1"], /--box: expected comma-separated decimal numbers, got "a,1"/],
  ];
  const results = await tesseraAll(
    cases.map(([args]) => args),
    dir,
  );
  results.forEach((r, i) => {
    assert.equal(r.code, 1, cases[i][0].join(" "));
    assertUserError(r, cases[i][1], cases[i][0].join(" "));
  });
});

test("the long tail of bad options and inputs, in-process", async () => {
  const cases: [string[], RegExp][] = [
    [["count", join(dir, "shape.json"), "--box", "-1,1"], /layers\[1\] \(dense\)\.weight\[1\]: expected 2 numbers, got 1/],
    [["map", m2, "--box", "-1,1", "--out", "pic.jpg"], /--out: "pic\.jpg" must end in \.svg or \.png/],
    [["count", join(dir, "unknown.json"), "--box", "-1,1"], /layers\[0\]: unknown layer type "gelu"/],
    [["count", join(dir, "folder.json"), "--box", "-1,1"], /is a directory, expected a model file/],
    [["count", m2, "--box", "1,-1"], /--box: LO must be less than HI, got 1,-1/],
    [["count", m2, "--box", "-1,1", "--split", "4"], /--split N splits a count across the machines of --queue/],
    [["count", m2, "--box", "1,1"], /--box: LO must be less than HI/],
    [["count", m2, "--box", "-1,1,2"], /--box: expected LO,HI \(two numbers\)/],
    [["count", m2, "--box", "nan,1"], /--box: expected comma-separated decimal numbers/],
    [["count", m2, "--box", "-1e999,1"], /--box: expected comma-separated decimal numbers/],
    [["count", m2, "--box", "-1,"], /--box: expected comma-separated decimal numbers/],
    [["count", m2], /say where to look: one of --box, --line, --plane/],
    [["count", m2, "--box", "-1,1", "--line", "0,0;1,1"], /give only one of --box, --line, --plane, --slice \(got --box and --line\)/],
    [["count", m2, "--line", "0,0"], /--line: expected at least 2 points/],
    [["count", m2, "--line", "0,0;0,0"], /--line: points 1 and 2 are the same/],
    [["count", m2, "--line", "0,0;1,x"], /--line: expected comma-separated decimal numbers, got "1,x"/],
    [["count", m2, "--plane", "0,0;1,1"], /--plane: expected 3 points separated by ";", got 2/],
    [["count", m2, "--plane", "0,0;1,1;2,2"], /--plane: the three points lie on one line/],
    [["count", m3, "--plane", "0,0;1,0;0,1"], /--plane: point 1 has 2 coordinates, the model has 3 inputs/],
    [["map", m2, "--box", "-1,1"], /--out FILE\.svg\|FILE\.png is required/],
    [["map", m2, "--box", "-1,1", "--out", join(dir, "x.png"), "--size", "big"], /--size: expected an integer of at least 16, got "big"/],
    [["map", m3, "--box", "-1,1", "--out", join(dir, "x.png")], /--box draws the input square of a 2-input model; .* has 3 inputs: use --plane/],
    [["map", m1, "--box", "-1,1", "--out", join(dir, "x.png")], /has 1 input: there is no plane to draw; count its pieces with tessera count/],
    [["map", m2, "--line", "0,0;1,1", "--out", join(dir, "x.png")], /unknown option '--line'/],
    [["map", m2, "--box", "-1,1", "--out", join(dir, "folder.json", "sub", "\0bad.png")], /cannot write/],
    [["demo", "--model", join(dir, "missing.json")], /missing\.json: cannot read model file \(ENOENT\)/],
  ];
  for (const [args, pattern] of cases) {
    const r = await tesseraInProcess(args);
    if (/unknown option/.test(pattern.source)) {
      // Commander's own usage errors: exit 2, the error (and a "did you mean" hint), no stack.
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr.split("\n")[0], pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      continue;
    }
    assertUserError(r, pattern, args.join(" "));
  }
});

test("domains take decimal numbers only; build applies the loader's size limits before allocating", async () => {
  const cases: [string[], RegExp][] = [
    [["count", m2, "--box", "0x10,1"], /--box: expected comma-separated decimal numbers, got "0x10,1" \("0x10" is not a decimal number\)/],
    [["count", m2, "--box", "0,1,"], /--box: .* \(an empty entry\)/],
    [["count", m2, "--box", "0b1,1"], /"0b1" is not a decimal number/],
    [["count", m2, "--box", "1e999,1e999"], /"1e999" is too large/],
    [["count", m2, "--line", "0x1,0;1,1"], /--line: .*"0x1" is not a decimal number/],
    [["count", m2, "--line", "0,0;;1,1"], /--line: .*an empty entry/],
    [["build", "mlp", "--widths", "2,0x10,1"], /--widths: .*"0x10" is not a decimal number/],
    [["build", "mlp", "--widths", "2,16,1", "--seed", "0x10"], /--seed: expected an integer of at least 0, got "0x10"/],
    [["build", "mlp", "--widths", "2,16,1", "--activation", "leaky-relu:0x1"], /--activation: "0x1" in "leaky-relu:0x1" is not a number/],
    [["build", "mlp", "--widths", "2,1e9,1"], /--widths: 1000000000 units in one layer, more than the limit of 10000000/],
    [["build", "mlp", "--widths", "2,100000,100000,1"], /--widths: 1\.00e\+10 weights and biases, more than the 2\.24e\+7 a model file tessera reads back can hold/],
    [["build", "mlp", "--widths", "2,4000000,1", "--activation", "maxout:3"], /12000000 units in one layer/],
  ];
  for (const [args, pattern] of cases) assertUserError(await tesseraInProcess(args), pattern, args.join(" "));
  const ok = await tesseraInProcess(["count", m2, "--box", " -.5 , +.5e0 ", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).domain, { kind: "box", lo: -0.5, hi: 0.5 });
});

test("binary garbage is described (kind, size, first bytes), never printed raw", async () => {
  const png = join(dir, "m.png");
  writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x1b, 0x5b, 0x32, 0x4a]));
  const zip = join(dir, "m.pt");
  writeFileSync(zip, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 0xff, 0xfe]));
  const noise = join(dir, "noise.json");
  writeFileSync(noise, Buffer.from([0x7b, 0x22, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0xc3, 0x28]));
  for (const [path, pattern] of [
    [png, /m\.png: not a model file: binary data, a PNG image \(20 bytes, starting 89 50 4e 47 0d 0a 1a 0a\)$/],
    [zip, /m\.pt: not a model file: binary data, a zip archive \(a PyTorch \.pt\/\.pth checkpoint\? export the model to ONNX\) \(10 bytes, starting 50 4b 03 04 14 00 00 00\)$/],
    [noise, /noise\.json: not a model file: binary data \(9 bytes, starting 7b 22 1b 5b 32 4a 07 c3\)$/],
  ] as const) {
    for (const command of ["inspect", "count"]) {
      const r = await tesseraInProcess(command === "count" ? [command, path, "--box", "0,1"] : [command, path]);
      assertUserError(r, pattern, `${command} ${path}`);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: no raw control bytes may reach the terminal.
      assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f\ufffd]/, "printable");
    }
  }
});
