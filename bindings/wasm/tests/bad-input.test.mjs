// The bad-input corpus of tests/bad-input/ (one folder per case: s.csv, m.csv or the shared
// methodology.csv, and expected.txt: the exact error lines, or `ok`), read and scored through
// the WebAssembly API exactly as tests/integration/bad_input.rs does through Rust: the same
// lines, each issue's code as data/expected/bad-input.codes.txt lists it (pytest checks the same
// file), its path the start of its message — and the module still works after every error
// (a panic would poison it). UPDATE_GOLDEN=1 rewrites the codes file from this run.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { expected, loadExample, Methodology, score, scoreFile } from "./helpers.mjs";

const CORPUS = fileURLToPath(new URL("../../../tests/bad-input/", import.meta.url));
const CODES = fileURLToPath(new URL("../../../data/expected/bad-input.codes.txt", import.meta.url));

const cases = readdirSync(CORPUS)
  .filter((name) => statSync(join(CORPUS, name)).isDirectory())
  .sort();

/** What reading and scoring a case gives: `{lines, codes, issues}` (`ok` when accepted). */
function outcome(name) {
  const dir = join(CORPUS, name);
  let m_path = join(dir, "m.csv");
  try {
    statSync(m_path);
  } catch {
    m_path = join(CORPUS, "methodology.csv");
  }
  const m_bytes = new Uint8Array(readFileSync(m_path));
  const s_bytes = new Uint8Array(readFileSync(join(dir, "s.csv")));
  let m;
  try {
    m = Methodology.read(m_bytes, "m.csv");
    scoreFile(m, s_bytes, "s.csv").free();
    return { lines: "ok\n", codes: [], issues: [] };
  } catch (e) {
    assert.equal(e.name, "ParIndexError", `${name}: ${e.stack}`);
    return { lines: e.errors.map((i) => `${i.message}\n`).join(""), codes: e.errors.map((i) => i.code), issues: e.errors, error: e };
  } finally {
    m?.free();
  }
}

const golden = score(...loadExample("par-demo")).toCsv();
const results = new Map(cases.map((name) => [name, outcome(name)]));

test("the corpus has its cases", () => {
  assert.ok(cases.length >= 30, `${cases.length} cases`);
});

for (const name of cases) {
  test(`bad input ${name}: exactly its expected errors, and the module still works`, () => {
    const got = results.get(name);
    assert.equal(got.lines, readFileSync(join(CORPUS, name, "expected.txt"), "utf8"));
    for (const issue of got.issues) {
      assert.match(issue.code, /^[a-z][a-z0-9_]*$/);
      assert.ok(issue.path === "" || issue.message.startsWith(`${issue.path}: `), issue.message);
      if (issue.location.file) assert.ok(issue.path.startsWith(issue.location.file));
    }
    if (got.error) {
      assert.equal(got.error.code, got.codes[0]);
      assert.equal(got.error.message, got.lines.trimEnd());
    }
    assert.equal(score(...loadExample("par-demo")).toCsv(), golden);
  });
}

test("every issue's code is the one data/expected/bad-input.codes.txt lists (pytest checks it too)", () => {
  const text = cases.map((name) => `${name}: ${results.get(name).codes.join(" ") || "ok"}\n`).join("");
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(CODES, text);
  assert.equal(text, expected("bad-input.codes.txt"));
});
