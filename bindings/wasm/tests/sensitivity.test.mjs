// Results.sensitivity, leaveOneOut and weightSweep through the WebAssembly API: the same
// numbers as Rust and Python for the same seed (checked against the CLI's JSON in
// parity with the core's determinism), exact at zero perturbation, errors with codes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { expected, loadExample, score, thrown } from "./helpers.mjs";

const demo = () => score(...loadExample("par-demo"));

test("zero perturbation gives the exact ranks, ties included", () => {
  const out = demo().sensitivity({ weights: "uniform:0", noise: 0, runs: 100, seed: 1 });
  assert.deepEqual(
    out.units.map((u) => u.nominal_rank),
    [1, 2, 3, 4, 5, 6, 6, 8, 9, 10, 11, 12],
  );
  for (const u of out.units) {
    assert.deepEqual([u.low, u.median, u.high], [u.nominal_rank, u.nominal_rank, u.nominal_rank]);
    assert.equal(u.histogram[u.nominal_rank - 1], 100);
  }
  assert.equal(out.mean_shift, 0);
});

test("seeded, with progress, and the uncertainty as an object", () => {
  const uncertainty = {
    format_version: 1,
    sources: [{ type: "weights", distribution: { type: "uniform", spread: "0.25" } }],
  };
  const seen = [];
  const options = { uncertainty, runs: 2000, seed: 7, attribution: true, progress: (d, t) => seen.push([d, t]) };
  const a = demo().sensitivity(options);
  assert.equal(typeof options.progress, "function", "the caller's options are untouched");
  assert.deepEqual(seen.at(-1), [2000, 2000]);
  const b = demo().sensitivity({ uncertainty: JSON.stringify(uncertainty), runs: 2000, seed: 7, attribution: true });
  assert.deepEqual(a, b);
  const moc = a.units.find((u) => u.id === "moc-chau");
  assert.deepEqual([moc.low, moc.high], [3, 4]);
  assert.deepEqual(moc.attribution.map((x) => x.source), ["weights uniform ±25% (all)"]);
});

test("exact leave-one-out and weight sweep", () => {
  const r = demo();
  const out = r.leaveOneOut(1);
  assert.deepEqual(out.map((o) => o.code), ["1", "2", "3", "4", "5", "6", "7", "8"]);
  assert.deepEqual(out[0].ranks.slice(0, 2), [1, 3]);
  const w = r.weightSweep("1", "so-tu-phap");
  assert.equal(w.nominal_rank, 4);
  assert.equal(w.weight, "10");
  assert.ok(Number(w.low) > 0 && Number(w.low) < 1 && Number(w.high) > 1);
});

test("bad input: codes", () => {
  const e = thrown(() => demo().sensitivity({ weights: "uniform:1.5", noise: -1, runs: 0 }));
  assert.deepEqual(e.errors.map((x) => x.code), ["zero_runs", "invalid_spread", "invalid_spread"]);
  assert.equal(thrown(() => demo().sensitivity({ weights: "dirichlet:0" })).code, "invalid_concentration");
  assert.equal(thrown(() => demo().sensitivity({ runs: 10, colour: "red" })).code, "invalid_argument");
  assert.equal(thrown(() => demo().weightSweep("9", "so-tu-phap")).code, "unknown_criterion");
});

test("the golden vector: the same numbers as Rust and Python for the same seed", () => {
  const golden = JSON.parse(expected("par-demo.sensitivity.json"));
  const out = demo().sensitivity({ weights: "uniform:0.25", noise: 0.1, runs: 500, seed: 11, attribution: true });
  assert.deepEqual(out, golden);
});
