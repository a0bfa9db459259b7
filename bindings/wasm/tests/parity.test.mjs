// Cross-runtime parity: every golden file listed in data/expected/cases.txt was written by the
// Rust CLI (data/expected/regenerate.sh); the same call through the WebAssembly API must give
// the same document. pytest reads the same list (bindings/python/tests/test_parity.py).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { expected, loadExample, PublishedResults, score } from "./helpers.mjs";

/** The repository's root: the CLI's relative paths in cases.txt start there. */
const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The cases: `{file, command, args}` with the CLI's arguments parsed into a map of lists. */
function cases() {
  return expected("cases.txt")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => {
      const [file, command, ...rest] = line.trim().split(/\s+/);
      const args = {};
      for (let i = 0; i < rest.length; i++) {
        const key = rest[i].replace(/^--/, "");
        const value = rest[i + 1] !== undefined && !rest[i + 1].startsWith("--") ? rest[++i] : true;
        (args[key] ??= []).push(value);
      }
      return { file, command, args };
    });
}

const one = (args, key) => args[key]?.at(-1);
const pairs = (list) => (list ?? []).map((text) => [text.slice(0, text.indexOf("=")), text.slice(text.indexOf("=") + 1)]);

/** What the WebAssembly API gives for one case, as text comparable with the golden file. */
function run({ command, args }) {
  const results = score(...loadExample(one(args, "example")));
  const round = one(args, "round") === undefined ? undefined : Number(one(args, "round"));
  const json = (doc) => JSON.stringify(doc, null, 2) + "\n";
  switch (command) {
    case "score":
      return one(args, "format") === "csv" ? results.toCsv({ round }) : results.toJson({ round });
    case "explain": {
      const top = one(args, "top") === undefined ? undefined : Number(one(args, "top"));
      return json(results.explain(one(args, "unit"), { round, top }));
    }
    case "plan": {
      const options = { round };
      if (args.cap) options.cap = Object.fromEntries(pairs(args.cap));
      if (args.cost) options.cost = Object.fromEntries(pairs(args.cost));
      if (args.objective) options.objective = one(args, "objective").replace("-", "_");
      if (args.granularity) options.granularity = one(args, "granularity");
      if (args["no-rule-based"]) options.ruleBased = false;
      return json(results.plan(one(args, "unit"), one(args, "target"), options));
    }
    case "what-if":
      return json(results.whatIf(one(args, "unit"), pairs(args.set), { round }));
    case "report": {
      const previous = one(args, "previous-example");
      const withYear = previous ? results.withPrevious(score(...loadExample(previous))) : results;
      const options = { lang: one(args, "lang"), top: one(args, "top") === undefined ? undefined : Number(one(args, "top")) };
      return one(args, "format") === "md" ? withYear.toMarkdownReport(options) : withYear.toHtml(options);
    }
    case "compare": {
      const previous = one(args, "previous-example");
      const doc = previous
        ? results.compare(score(...loadExample(previous)), { round })
        : results.comparePublished(PublishedResults.read(readFileSync(root + one(args, "previous-results")), one(args, "previous-results")), { round });
      if (one(args, "format") !== "csv") return json(doc);
      // The CSV holds the document's rows, the columns in the CLI's order (no cell here needs quotes).
      const columns = Object.keys(doc.units[0]).sort((a, b) => COMPARISON_COLUMNS.indexOf(a) - COMPARISON_COLUMNS.indexOf(b));
      return [columns, ...doc.units.map((u) => columns.map((c) => u[c] ?? ""))].map((r) => r.join(",")).join("\n") + "\n";
    }
    default:
      throw new Error(`no binding call for the command ${command}`);
  }
}

const all = cases();

const KNOWN = ["compare", "explain", "plan", "report", "score", "what-if"];
/** The comparison CSV's columns (parindex_io::COMPARISON_COLUMNS). */
const COMPARISON_COLUMNS = ["unit", "name", "group", "points", "points_change", "percent", "percent_change", "rank",
  "previous_rank", "movement", "group_rank", "group_movement", "band", "previous_band"];

test("the parity list covers every command mapped here", () => {
  const commands = new Set(all.map((c) => c.command));
  for (const command of KNOWN) assert.ok(commands.has(command), command);
  assert.ok(all.length >= 21, `${all.length} cases`);
});

for (const c of all) {
  // A command added to the list by another capability is checked by that capability's tests.
  const skip = KNOWN.includes(c.command) ? false : `no mapping for \`parindex ${c.command}\` here`;
  test(`${c.file} is what the API gives, byte for byte`, { skip }, () => {
    assert.equal(run(c), expected(c.file));
  });
}
