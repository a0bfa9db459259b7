// Plans and what-ifs through the WebAssembly API: real values (the CLI's, see also
// parity.test.mjs), every error located, and the module still working after each error.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { expected, loadExample, Methodology, methodologyNames, score, scoreFile, Scores, thrown } from "./helpers.mjs";

const demo = () => score(...loadExample("par-demo"));

test("a plan to band B: the fewest points, checked by scoring", () => {
  const p = demo().plan("so-y-te", "band:B");
  assert.equal(p.required_percent, "79.995");
  assert.equal(p.gain, "2.62");
  assert.deepEqual(
    p.steps.map((s) => [s.code, s.from, s.to, s.gain]),
    [
      ["2.1", "2", "3", "1"],
      ["6.1", "1.5", "1.86", "0.36"],
      ["8.2", "2.24", "3.5", "1.26"],
    ],
  );
  assert.deepEqual([p.before.band, p.before.published_percent], ["C", "77.34"]);
  assert.deepEqual([p.after.band, p.after.published_percent, p.after.rank, p.after.of], ["B", "80.00", 11, 12]);
});

test("a plan to rank 1 for the unit already first is empty", () => {
  const p = demo().plan("so-noi-vu", "rank:1");
  assert.equal(p.already_met, true);
  assert.deepEqual(p.steps, []);
  assert.equal(p.gain, "0");
});

test("plan options: least cost, caps, costs, granularity, rule-based leaves left out, rounding", () => {
  const r = demo();
  const p = r.plan("van-ho", "percent:85", {
    objective: "least_cost",
    cost: { "8.2": 3, "2.1": "2" },
    cap: { "6.1": "0" },
    granularity: 0.05,
  });
  assert.equal(p.objective, "least_cost");
  assert.equal(p.granularity, "0.05");
  assert.equal(p.cost, "14.05");
  assert.ok(!p.steps.some((s) => ["6.1", "8.2", "2.1"].includes(s.code)), "capped and costly leaves stay");
  assert.deepEqual([p.after.published_percent, p.after.rank], ["85.03", 10]);
  const q = r.plan("so-y-te", "band:B", { ruleBased: false, round: 2 });
  assert.equal(q.after.percent, "80.00");
  assert.ok(q.steps.every((s) => !["1.1.1", "3.4.1"].includes(s.code)));
});

test("plan errors are ParIndexErrors with their codes, and the module keeps working", () => {
  const r = demo();
  const cases = [
    [() => r.plan("so-x", "band:A"), "unknown_unit", /^unknown unit "so-x"/],
    [() => r.plan("so-y-te", "rank:0"), "invalid_goal", /^invalid target "rank:0": a rank is a whole number from 1$/],
    [() => r.plan("so-y-te", "band:Z"), "invalid_goal", /band/],
    [
      () => r.plan("van-ho", "percent:101"),
      "goal_unreachable",
      /^unit van-ho: an index of 101 % cannot be reached: at best an index of 99\.65 %, with every criterion that can be planned at its cap$/,
    ],
    [() => r.plan("so-y-te", "band:A", { cap: { 9: "1" } }), "unknown_criterion", /criterion 9/],
    [() => r.plan("so-y-te", "band:A", { cap: { "8.2": "1,5" } }), "not_a_number", /^criterion 8\.2: "1,5" is not a number$/],
    [() => r.plan("so-y-te", "band:A", { granularity: "0" }), "invalid_setting", /granularity/],
  ];
  for (const [call, code, message] of cases) {
    const e = thrown(call);
    assert.equal(e.name, "ParIndexError");
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    assert.equal(e.errors[0].code, code);
    assert.equal(r.plan("so-y-te", "band:B").gain, "2.62", "the module still works");
  }
  for (const [call, pattern] of [
    [() => r.plan("so-y-te", "band:B", { objective: "cheapest" }), /unknown objective "cheapest"/],
    [() => r.plan("so-y-te", "band:B", { caps: {} }), /unknown field `caps`/],
    [() => r.plan("so-y-te", "band:B", { ruleBased: "no" }), /invalid options/],
  ]) {
    const e = thrown(call);
    assert.ok(e instanceof TypeError);
    assert.equal(e.code, "invalid_argument");
    assert.match(e.message, pattern);
  }
});

test("what-if: the unit's standing before and after, the others as they stand", () => {
  const r = demo();
  const w = r.whatIf("so-y-te", { "3.4.1": "98.5" });
  assert.deepEqual(w.changes.map((c) => [c.code, c.input_before, c.input_after, c.points_before, c.points_after]), [
    ["3.4.1", "91.3", "98.5", "1", "1.5"],
  ]);
  assert.equal(w.before.published_percent, "77.34");
  assert.equal(w.after.published_percent, "77.85");
  assert.equal(w.points_change, "0.5076142131979695431472081218");
  assert.equal(w.movement, "same");
  // An object, an array of pairs, numbers, booleans and null (not applicable) all work.
  const a = r.whatIf("van-ho", [["7.1.1", 100], ["8.2", 3.5], ["3.2.1", null], ["1.1.1", true]]);
  const b = r.whatIf("van-ho", { "7.1.1": "100", "8.2": "3.5", "3.2.1": "NA", "1.1.1": "có" });
  assert.deepEqual(a, b);
  assert.equal(a.after.published_percent, "72.83");
  // Enough to overtake: song-ma's 81.02 → van-ho gains rank.
  const up = r.whatIf("van-ho", { "8.2": 3.5, "8.3.1": 3, "1.4": 2.5, "2.3.1": 3, "5.2": 4.5, "5.3": 3.5, "6.1": 2.5, "2.1": 3, "3.3": 2.5, "4.2.1": 1.5 });
  assert.ok(up.after.rank < up.before.rank, `${up.before.rank} → ${up.after.rank}`);
  assert.equal(up.movement, `up ${up.before.rank - up.after.rank}`);
  // The results are untouched.
  assert.equal(r.toRows().find((row) => row.unit === "van-ho").rank, 12);
  assert.equal(r.whatIf("van-ho", {}).movement, "same");
});

test("what-if errors are located at the unit and criterion", () => {
  const r = demo();
  let e = thrown(() => r.whatIf("so-y-te", { "1.2": 3, "8.2": "x", "9.9": 1 }));
  assert.equal(e.name, "ParIndexError");
  assert.deepEqual(e.errors.map((i) => [i.code, i.path]), [["not_a_number", "criterion 8.2"]]);
  e = thrown(() => r.whatIf("so-y-te", { "9.9": 1 }));
  assert.deepEqual(e.errors.map((i) => [i.code, i.path]), [["unknown_criterion", "unit so-y-te: criterion 9.9"]]);
  assert.equal(e.message, "unit so-y-te: criterion 9.9: unknown criterion (not in methodology par-demo)");
  e = thrown(() => r.whatIf("so-y-te", { "1.2": 3 }));
  assert.deepEqual([e.code, e.path], ["above_max", "unit so-y-te: criterion 1.2"]);
  assert.equal(e.message, "unit so-y-te: criterion 1.2: 3 exceeds its maximum 1.5");
  e = thrown(() => r.whatIf("so-x", {}));
  assert.equal(e.code, "unknown_unit");
  e = thrown(() => r.whatIf("so-y-te", { "1.1.1": "maybe" }));
  assert.deepEqual([e.code, e.path], ["not_yes_no", "criterion 1.1.1"]);
  for (const bad of ["1.2=1", 3, [["1.2"]], [[1, 2]], { "1.2": {} }]) {
    const t = thrown(() => r.whatIf("so-y-te", bad));
    assert.ok(t instanceof TypeError, String(bad));
    assert.equal(t.code, "invalid_argument");
  }
  assert.equal(r.whatIf("so-y-te", { "1.2": 1.5 }).after.rank, 11, "the module still works");
});

test("a methodology lists its nodes with their effective maxima", () => {
  const nodes = Methodology.example("par-demo").nodes();
  assert.equal(nodes.filter((n) => n.leaf).length, 46);
  const domains = nodes.filter((n) => n.parent === null);
  assert.deepEqual(domains.map((n) => n.max), ["10", "10", "14.5", "11", "16", "7", "16", "15.5"]);
  const yesNo = nodes.find((n) => n.code === "1.1.1");
  assert.deepEqual([yesNo.leaf, yesNo.rule, yesNo.parent], [true, "yes_no", "1.1"]);
  assert.equal(nodes.find((n) => n.code === "3.4.1").rule, ">=100:2 | >=95:1.5 | >=80:1 | else:0");
  assert.equal(nodes.find((n) => n.code === "2.1").rule, "");
  assert.deepEqual(methodologyNames(), ["par-demo", "par-2020", "pci-2016", "papi-2016"]);
  const m = Methodology.fromCsv("code,parent,name,name_en,max\n1,,Một,One,\n1.1,1,A,,2\n1.2,1,B,,3.5\n");
  assert.deepEqual(m.nodes()[0], { code: "1", parent: null, name: "Một", nameEn: "One", max: "5.5", leaf: false, rule: "" });
  void Scores;
});

test("Methodology.read takes JSON (by name or content) or a node table; scoreFile reports reading and scoring together", () => {
  const m = Methodology.example("par-demo");
  const json = m.toJson();
  assert.equal(Methodology.read(json, "index.json").toJson(), json);
  assert.equal(Methodology.read(new TextEncoder().encode(json), "index.txt").toJson(), json);
  assert.equal(Methodology.read(m.toCsv(), "par-demo.csv").toJson(), json);
  const e = thrown(() => Methodology.read("{", "bad.json"));
  assert.equal(e.code, "syntax");
  assert.match(e.path, /^bad\.json/);
  const tiny = Methodology.read("code,parent,max\n1,,10\n2,,5\n", "m.csv");
  const err = thrown(() => scoreFile(tiny, "unit,1,2\na,x,6\nb,3,\n", "s.csv"));
  assert.deepEqual(
    err.errors.map((i) => [i.code, i.path]),
    [
      ["not_a_number", "s.csv:2:2: criterion 1"],
      ["above_max", "s.csv:2:3: criterion 2"],
      ["missing_value", "s.csv:3:3: criterion 2"],
    ],
  );
  const r = scoreFile(tiny, "unit,1,2\na,7.5,NA\nb,6,5\n");
  assert.deepEqual(r.toRows().map((row) => [row.unit, row.percent, row.rank]), [["a", "75", 1], ["b", "73.333333333333333333333333333", 2]]);
  assert.equal(r.explain("b").points, "11");
  assert.equal(r.whatIf("b", { 1: 10 }).after.rank, 1);
});

test("an Excel score sheet (the CLI's filled template) scores as its CSV does", () => {
  // tests/fixtures/par-2020.scores.xlsx: `parindex template --example par-2020 --scores
  // data/examples/par-2020.scores.csv --out …` (rust_xlsxwriter), read here by the same reader.
  const bytes = new Uint8Array(readFileSync(new URL("./fixtures/par-2020.scores.xlsx", import.meta.url)));
  const m = Methodology.example("par-2020");
  assert.equal(scoreFile(m, bytes, "par-2020.scores.xlsx").toCsv(), expected("par-2020.results.csv"));
  assert.equal(Scores.fromCsv(m, bytes, "par-2020.scores.xlsx").length, 10);
});
