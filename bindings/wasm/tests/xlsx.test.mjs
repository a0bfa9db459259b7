// Workbooks and reports from JavaScript: the fill-in template and the result annex written in
// WebAssembly and read back by the same module, sheets chosen as `book.xlsx!Sheet`, survey
// responses from a workbook, and located errors. (The reports' bytes are pinned against the
// Rust CLI by parity.test.mjs; openpyxl checks the Rust writer's cells in the Python tests.)
import assert from "node:assert/strict";
import { test } from "node:test";

import { readFileSync } from "node:fs";

import {
  Methodology,
  Questionnaire,
  Scores,
  Tally,
  expected,
  loadExample,
  score,
  scoreFile,
  sheetNames,
} from "./helpers.mjs";

const isZip = (bytes) => bytes instanceof Uint8Array && bytes[0] === 0x50 && bytes[1] === 0x4b;

test("a template holding the scores reads back to the same results", () => {
  const [m, s] = loadExample("par-demo");
  const results = score(m, s);
  const book = results.templateXlsx({ lang: "vi" });
  assert.ok(isZip(book));
  assert.deepEqual(sheetNames(book), ["Chấm điểm"]);
  assert.equal(scoreFile(m, book, "t.xlsx").toCsv(), results.toCsv());
  assert.equal(score(m, Scores.read(m, book, "t.xlsx!1")).toCsv(), results.toCsv());
  assert.equal(score(m, Scores.read(m, book, "t.xlsx!Chấm điểm")).toCsv(), results.toCsv());
});

test("a blank template lists every criterion as missing, located in the workbook", () => {
  const m = Methodology.example("par-demo");
  const blank = m.templateXlsx({ units: ["so-y-te"] });
  assert.throws(
    () => scoreFile(m, blank, "blank.xlsx"),
    (err) => {
      assert.equal(err.errors.length, m.leafCodes().length);
      assert.equal(err.code, "missing_value");
      assert.equal(err.errors[0].location.sheet, "Scores");
      assert.match(err.path, /^blank\.xlsx!Scores!I\d+: criterion 1\.1\.1$/);
      return true;
    },
  );
});

test("the result workbook holds a sheet per group, a summary and the year over year", () => {
  const now = score(...loadExample("par-demo"));
  const before = score(...loadExample("par-demo-2022"));
  const plain = sheetNames(now.toXlsx());
  const withYear = sheetNames(now.withPrevious(before).toXlsx({ lang: "en", explanations: true }));
  assert.deepEqual(plain.slice(0, 2), ["Results", "Group - department"]);
  assert.ok(withYear.length > plain.length + now.length - 1, withYear.join(", "));
  assert.ok(withYear.includes("so-y-te"));
  // withPrevious leaves the results it was called on as they were.
  assert.equal(now.toHtml().includes("tăng"), false);
  assert.ok(now.withPrevious(before).toHtml({ lang: "vi" }).includes("tăng"));
});

test("survey responses typed into Excel give the golden survey results", () => {
  // data/survey/sipas-demo.responses.xlsx: written by openpyxl (make_responses_xlsx.py) with an
  // instructions sheet first, a title block, and the table from column B.
  const data = new URL("../../../data/survey/", import.meta.url);
  const q = Questionnaire.fromJson(readFileSync(new URL("sipas-demo.questionnaire.json", data), "utf8"));
  const book = new Uint8Array(readFileSync(new URL("sipas-demo.responses.xlsx", data)));
  assert.deepEqual(sheetNames(book), ["Hướng dẫn", "Phiếu"]);
  for (const name of ["r.xlsx", "r.xlsx!Phiếu", "r.xlsx!2"]) {
    const t = new Tally(q);
    t.addCsv(book, name);
    assert.equal(t.results().toJson(), expected("sipas-demo.survey.json"), name);
  }
  const t = new Tally(q);
  assert.throws(
    () => t.addCsv(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2]), "r.xlsx!Phiếu"),
    (err) => err.code === "not_xlsx" && err.path === "r.xlsx",
  );
  assert.equal(t.respondents, 0);
});

test("bad arguments and unknown sheets are errors, never panics", () => {
  const [m, s] = loadExample("par-demo");
  const results = score(m, s);
  assert.throws(() => results.toHtml({ lang: "fr" }), (err) => err.code === "invalid_argument");
  assert.throws(() => results.toXlsx({ colour: true }), (err) => err.code === "invalid_argument");
  assert.throws(
    () => Scores.read(m, results.templateXlsx(), "t.xlsx!Nope"),
    (err) => err.code === "unknown_sheet" && err.message === 't.xlsx: no sheet "Nope" in the workbook (sheets: Scores)',
  );
  assert.throws(() => sheetNames("unit,1\n"), (err) => err.code === "not_xlsx");
});
