// The rest of the API: methodologies, scores, explanations and comparisons.
import assert from "node:assert/strict";
import { test } from "node:test";

import { loadExample, Methodology, score, Scores } from "./helpers.mjs";

test("a methodology round-trips through JSON and the node table", () => {
  const m = Methodology.example("par-demo");
  assert.equal(m.id, "par-demo");
  assert.equal(m.leafCodes().length, 46);
  const again = Methodology.fromJson(m.toJson());
  assert.equal(again.toJson(), m.toJson());
  assert.equal(Methodology.fromCsv(m.toCsv(), "other-name.csv").toJson(), m.toJson());
  assert.deepEqual(
    ["par-demo", "par-2020", "pci-2016", "papi-2016"].map((n) => Methodology.example(n).leafCodes().length),
    [46, 4, 10, 22],
  );
});

test("scores from text or bytes, wide or long, give the same results", () => {
  const m = Methodology.fromCsv("code,parent,max\n1,,10\n2,,5\n", "tiny.csv");
  assert.equal(m.id, "tiny");
  const wide = Scores.fromCsv(m, "unit,name,group,1,2\nxa-a,Xã A,xã,7.5,NA\nxa-b,Xã B,xã,6,5\n");
  const long = Scores.fromCsv(
    m,
    new TextEncoder().encode(
      "unit,criterion,name,group,appraised\nxa-a,1,Xã A,xã,7.5\nxa-a,2,Xã A,xã,NA\nxa-b,1,Xã B,xã,6\nxa-b,2,Xã B,xã,5\n",
    ),
    "long.csv",
  );
  assert.equal(wide.length, 2);
  assert.deepEqual(wide.units()[0], { unit: "xa-a", name: "Xã A", group: "xã", ranked: true });
  const r = score(m, wide);
  assert.equal(r.toJson(), score(m, long).toJson());
  assert.equal(r.length, 2);
  assert.equal(r.methodology.id, "tiny");
  // xa-a is judged on the 10 points that apply to it: 75 %, above xa-b's 11 of 15.
  assert.deepEqual(
    r.toRows().map((row) => [row.unit, row.percent, row.rank, row["2"]]),
    [
      ["xa-a", "75", 1, null],
      ["xa-b", "73.333333333333333333333333333", 2, "5"],
    ],
  );
});

test("explain: where a unit lost its points, as `parindex explain --format json`", () => {
  const e = score(...loadExample("par-demo")).explain("so-y-te");
  assert.deepEqual(
    [e.unit, e.name, e.rank, e.of, e.group_rank, e.group_size, e.band],
    ["so-y-te", "Sở Y tế", 11, 12, 6, 6, "C"],
  );
  assert.equal(e.gap_to_above, "3.6798984771573604060913705584");
  assert.equal(e.top_losses.length, 3);
  assert.equal(e.leaves.length, 46);
  const first = e.leaves[0];
  assert.deepEqual([first.code, first.points, first.rule], ["1.1.1", "1", "yes → 1 of 1"]);
  const rounded = score(...loadExample("par-demo")).explain("so-y-te", { round: 2, top: 5 });
  assert.equal(rounded.top_losses.length, 5);
  assert.equal(rounded.gap_to_above, "3.68");
});

test("compare: this year against last, as `parindex compare --format json`", () => {
  const [m, now] = loadExample("par-demo");
  const [, before] = loadExample("par-demo-2022");
  const cmp = score(m, now).compare(score(m, before));
  assert.deepEqual(cmp.differing_nodes, []);
  assert.equal(cmp.units.length, 12);
  const first = cmp.units[0];
  assert.deepEqual(
    [first.unit, first.rank, first.previous_rank, first.movement, first.group_rank, first.points_change],
    ["so-noi-vu", "1", "3", "up 2", "1/6", "4.0101522842639593908629441624"],
  );
  const sonLa = score(m, now).compare(score(m, before), { round: 2 }).units.find((u) => u.unit === "tp-son-la");
  assert.equal(sonLa.points, "94.32");
});
