// Last year as published: results read back with PublishedResults.read compare as last
// year's scores do, feed the reports, and every case of tests/bad-results/ gives the Rust
// messages (the module keeps working after each error).
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { PublishedResults, loadExample, score } from "./helpers.mjs";

const now = score(...loadExample("par-demo"));
const before = score(...loadExample("par-demo-2022"));
const standings = (c) => c.units.map((u) => [u.unit, u.rank, u.previous_rank, u.movement, u.group_movement, u.band, u.previous_band]);

test("last year's CSV and JSON read back compare as its scores do", () => {
  const expected = now.compare(before, { round: 2 });
  for (const [text, name] of [[before.toCsv(), "2022.csv"], [before.toJson(), "2022.json"]]) {
    const published = PublishedResults.read(text, name);
    assert.equal(published.length, 12);
    assert.equal(published.ranked, 12);
    const got = now.comparePublished(published, { round: 2 });
    assert.deepEqual(standings(got), standings(expected));
    assert.deepEqual(got.units.map((u) => u.points_change), expected.units.map((u) => u.points_change), name);
  }
});

test("last year's report workbook read back gives its published values to the reports", () => {
  const book = before.toXlsx({ lang: "vi" });
  const published = PublishedResults.read(book, "2022.xlsx!Kết quả");
  assert.equal(published.unit("so-tu-phap").percent, "94.12");
  assert.equal(published.unit("so-tu-phap").rank, 1 + published.units().indexOf("so-tu-phap"));
  const cmp = now.comparePublished(published, { round: 2 });
  const tuPhap = cmp.units.find((u) => u.unit === "so-tu-phap");
  assert.equal(tuPhap.points_change, "-1.70"); // to 94.12 as published; -1.71 from the scores
  const md = now.withPreviousPublished(published).toMarkdownReport();
  assert.ok(md.includes("## Compared with last year"));
  assert.equal(md, now.withPreviousPublished(PublishedResults.read(book, "2022.xlsx")).toMarkdownReport());
});

test("the bad-results corpus gives the Rust messages", () => {
  const corpus = fileURLToPath(new URL("../../../tests/bad-results/", import.meta.url));
  const cases = readdirSync(corpus).filter((c) => statSync(corpus + c).isDirectory());
  assert.ok(cases.length >= 25);
  for (const c of cases) {
    const name = existsSync(`${corpus}${c}/p.json`) ? "p.json" : "p.csv";
    const expectedText = readFileSync(`${corpus}${c}/expected.txt`, "utf8");
    try {
      const r = PublishedResults.read(new Uint8Array(readFileSync(`${corpus}${c}/${name}`)), name);
      assert.equal(expectedText, `ok: ${r.length} units, ${r.ranked} ranked\n`, c);
    } catch (e) {
      if (e.code === "ERR_ASSERTION") throw e;
      assert.ok(e instanceof Error && typeof e.code === "string", c);
      assert.equal(e.errors.map((i) => `${i.message}\n`).join(""), expectedText, c);
    }
    // No panic poisoned the module: it still scores.
    assert.equal(score(...loadExample("par-demo")).length, 12);
  }
});
