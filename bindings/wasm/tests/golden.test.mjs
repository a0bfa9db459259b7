// The golden vectors of data/expected/, which the Rust tests and pytest check too: the
// WebAssembly build must give the same bytes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { exampleNames, expected, loadExample, parseCsv, score } from "./helpers.mjs";

const NAMES = ["par-demo", "par-demo-2022", "par-2020"];

test("the bundled examples are the golden ones", () => {
  assert.deepEqual(exampleNames(), NAMES);
});

for (const name of NAMES) {
  test(`${name}: toJson() is ${name}.results.json byte for byte`, () => {
    assert.equal(score(...loadExample(name)).toJson(), expected(`${name}.results.json`));
  });

  test(`${name}: toCsv() is ${name}.results.csv byte for byte`, () => {
    assert.equal(score(...loadExample(name)).toCsv(), expected(`${name}.results.csv`));
  });

  for (const options of [undefined, { round: 2 }, { round: 0 }]) {
    test(`${name}: toRows(${JSON.stringify(options) ?? ""}) holds the CSV's cells`, () => {
      const results = score(...loadExample(name));
      const [header, ...lines] = parseCsv(results.toCsv(options));
      const rows = results.toRows(options);
      assert.equal(rows.length, lines.length);
      const nodes = header.slice(7);
      rows.forEach((row, i) => {
        const cells = Object.fromEntries(header.map((h, k) => [h, lines[i][k]]));
        const blank = (s) => (s === "" ? null : s);
        assert.deepEqual(Object.keys(row).sort(), [...header].sort());
        assert.equal(row.unit, cells.unit);
        assert.equal(row.name, blank(cells.name));
        assert.equal(row.group, blank(cells.group));
        assert.equal(row.points, cells.points);
        assert.equal(row.percent, cells.percent);
        assert.equal(row.rank, cells.rank === "" ? null : Number(cells.rank));
        assert.equal(row.band, blank(cells.band));
        for (const code of nodes) {
          assert.equal(row[code], cells[code] === "NA" ? null : cells[code], `${row.unit} ${code}`);
        }
      });
    });
  }
}

test("rows are decimals as text, exactly as the CLI prints them", () => {
  const rows = score(...loadExample("par-demo")).toRows();
  assert.deepEqual(
    { ...rows[0] },
    {
      unit: "so-noi-vu",
      name: "Sở Nội vụ",
      group: "department",
      points: "95.76649746192893401015228426",
      percent: "95.76649746192893401015228426",
      rank: 1,
      band: "A",
      1: "9.5",
      2: "10",
      3: "13.942307692307692307692307692",
      4: "10.75",
      5: "15",
      6: "7",
      7: "15",
      8: "14.58",
    },
  );
  const top = score(...loadExample("par-2020")).toRows({ round: 2 })[0];
  assert.deepEqual([top.unit, top.percent, top.rank], ["quang-ninh", "91.05", 1]);
});
