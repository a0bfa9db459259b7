// Errors are real JavaScript Errors with a stable code, a location and the CLI's message;
// nothing panics (a panic would abort the module and fail every later test).
import assert from "node:assert/strict";
import { test } from "node:test";

import { loadExample, Methodology, Results, score, Scores, thrown } from "./helpers.mjs";

const tiny = () =>
  Methodology.fromCsv("# id: tiny\ncode,parent,name,max\n1,,Một,\n1.1,1,Leaf,1.5\n1.2,1,Leaf,2\n", "tiny.csv");

test("a value above its maximum: code, path and the exact message", () => {
  // Reading checks the text; scoring checks each value against the methodology.
  const scores = Scores.fromCsv(tiny(), "unit,name,1.1,1.2\na,A,1,2\nb,B,2,1\n");
  const e = thrown(() => score(tiny(), scores));
  assert.ok(e instanceof Error);
  assert.equal(e.name, "ParIndexError");
  assert.equal(e.code, "above_max");
  assert.equal(e.path, "scores.csv:3:3: criterion 1.1");
  assert.equal(e.message, "scores.csv:3:3: criterion 1.1: 2 exceeds its maximum 1.5");
  assert.deepEqual(e.errors, [
    {
      code: "above_max",
      path: "scores.csv:3:3: criterion 1.1",
      message: "scores.csv:3:3: criterion 1.1: 2 exceeds its maximum 1.5",
      location: { file: "scores.csv", sheet: null, row: 3, column: 3, unit: "b", criterion: "1.1", item: null },
    },
  ]);
});

test("every problem at once, in the errors array, located in the file named", () => {
  const scores = Scores.fromCsv(tiny(), "unit,1.1,1.2\na,9,\nb,2,3\n", "so-lieu.csv");
  const e = thrown(() => score(tiny(), scores));
  assert.deepEqual(
    e.errors.map((i) => [i.code, i.path]),
    [
      ["above_max", "so-lieu.csv:2:2: criterion 1.1"],
      ["missing_value", "so-lieu.csv:2:3: criterion 1.2"],
      ["above_max", "so-lieu.csv:3:2: criterion 1.1"],
      ["above_max", "so-lieu.csv:3:3: criterion 1.2"],
    ],
  );
  assert.equal(e.code, "above_max");
  assert.equal(e.path, "so-lieu.csv:2:2: criterion 1.1");
  assert.equal(e.message, e.errors.map((i) => i.message).join("\n"));
  assert.equal(
    e.errors[1].message,
    "so-lieu.csv:2:3: criterion 1.2: missing value (write NA if the criterion does not apply)",
  );

  const text = thrown(() => Scores.fromCsv(tiny(), 'unit,1.1,1.2\na,x,1\nb,"2,5",NA\n', "so-lieu.csv"));
  assert.equal(
    text.message,
    'so-lieu.csv:2:2: criterion 1.1: "x" is not a number\n' +
      'so-lieu.csv:3:2: criterion 1.1: "2,5" is not a number',
  );
  assert.deepEqual(
    text.errors.map((i) => i.code),
    ["not_a_number", "not_a_number"],
  );
});

test("a methodology's problems are located at their rows", () => {
  const e = thrown(() => Methodology.fromCsv("code,parent,max\n1,,10\n2,1,x\n2,9,1\n", "bad.csv"));
  assert.equal(
    e.message,
    'bad.csv:3:3: criterion 2: "x" is not a number\n' +
      "bad.csv:4: criterion 2: duplicate criterion code (first defined on row 3)\n" +
      "bad.csv:4: criterion 2: parent 9 does not exist",
  );
  assert.deepEqual(
    e.errors.map((i) => i.code),
    ["not_a_number", "duplicate_code", "unknown_parent"],
  );
  assert.equal(thrown(() => Methodology.fromJson("{}")).code, "syntax");
});

test("encodings: UTF-16 bytes are refused with advice, a UTF-8 byte-order mark is accepted", () => {
  const utf16 = new Uint8Array([0xff, 0xfe, ...Buffer.from("code,parent,max\n", "utf16le")]);
  const e = thrown(() => Methodology.fromCsv(utf16, "m.csv"));
  assert.equal(e.code, "encoding");
  assert.match(e.message, /^m\.csv: /);
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from("code,parent,max\n1,,10\n")]);
  assert.equal(Methodology.fromCsv(bom, "m.csv").id, "m");
});

test("unknown names and units", () => {
  const e = thrown(() => loadExample("pci-2016"));
  assert.equal(e.code, "unknown_name");
  assert.equal(e.message, 'unknown example "pci-2016" (known: par-demo, par-demo-2022, par-2020)');
  assert.equal(e.path, "");
  const u = thrown(() => score(...loadExample("par-2020")).explain("khong-co"));
  assert.equal(u.code, "unknown_unit");
  assert.match(u.message, /^unknown unit "khong-co" \(units: quang-ninh, /);
});

test("scores read for another methodology are refused", () => {
  const [, scores] = loadExample("par-2020");
  const e = thrown(() => score(tiny(), scores));
  assert.equal(e.code, "wrong_methodology");
  assert.equal(e.message, "scores were built for methodology par-2020, not tiny");
});

test("arguments of the wrong type are TypeErrors with code invalid_argument", () => {
  for (const bad of [42, null, undefined, {}, ["code"]]) {
    const e = thrown(() => Methodology.fromCsv(bad));
    assert.ok(e instanceof TypeError, String(bad));
    assert.equal(e.code, "invalid_argument");
    assert.equal(e.message, "text must be a string or a Uint8Array");
  }
  const results = score(...loadExample("par-2020"));
  for (const [options, message] of [
    [{ rund: 2 }, "invalid options: unknown field `rund`, expected `round`"],
    [{ round: "2" }, 'invalid options: invalid type: string "2", expected u32'],
    [{ round: -1 }, "invalid options: invalid value: integer `-1`, expected u32"],
    [[2], "options must be an object"],
    [2, "options must be an object"],
  ]) {
    const e = thrown(() => results.toRows(options));
    assert.ok(e instanceof TypeError);
    assert.deepEqual([e.code, e.message], ["invalid_argument", message]);
  }
  assert.equal(thrown(() => results.explain("quang-ninh", { top: 1, rund: 2 })).code, "invalid_argument");
  assert.ok(thrown(() => results.compare({})) instanceof Error);
});

test("the module survives every error above: scoring still works", () => {
  assert.ok(score(...loadExample("par-demo")) instanceof Results);
});
