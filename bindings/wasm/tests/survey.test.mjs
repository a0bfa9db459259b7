// Satisfaction surveys through the WebAssembly API: the same documents as the Rust CLI and
// Python (data/expected/sipas-demo.*), arrays against CSV, merging through JSON, survey values
// in a methodology leaf, and errors located by row, column and item.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { Questionnaire, SurveyResults, Tally, expected, loadExample, score, thrown } from "./helpers.mjs";

const data = (path) => readFileSync(fileURLToPath(new URL(`../../../data/${path}`, import.meta.url)), "utf8");
const questionnaire = () => Questionnaire.fromJson(data("survey/sipas-demo.questionnaire.json"));
const responses = () => data("survey/sipas-demo.responses.csv");

test("the golden documents are identical to the Rust CLI's", () => {
  const results = Tally.example("sipas-demo").results();
  assert.ok(results instanceof SurveyResults);
  assert.equal(results.toJson(), expected("sipas-demo.survey.json"));
  assert.equal(results.toCsv({ round: 6 }), expected("sipas-demo.survey.round6.csv"));
  const tally = new Tally(questionnaire());
  tally.addCsv(responses(), "sipas-demo.responses.csv");
  assert.equal(tally.respondents, 1136);
  assert.equal(tally.results().toJson(), expected("sipas-demo.survey.json"));
});

test("rows hold numbers and nulls", () => {
  const rows = Tally.example("sipas-demo").results({ by: ["all"] }).toRows({ round: 4 });
  const a1 = rows.find((r) => r.level === "item" && r.code === "A1");
  assert.deepEqual(
    [a1.domain, a1.id, a1.element, a1.respondents, a1.n, a1.share, a1.ci_low, a1.ci_high],
    ["all", "all", "access", 1136, 1093, 0.7556, 0.7084, 0.7974],
  );
  const overall = rows.find((r) => r.level === "overall");
  assert.equal(overall.code, null);
  assert.equal(typeof overall.share, "number");
});

test("arrays give the CSV results", () => {
  const q = questionnaire();
  const lines = responses().trim().split("\n");
  const header = lines[0].split(",");
  const col = (name) => header.indexOf(name);
  const names = { units: [], strata: [], clusters: [] };
  const index = (kind, name) => {
    let i = names[kind].indexOf(name);
    if (i < 0) i = names[kind].push(name) - 1;
    return i;
  };
  const units = [], strata = [], clusters = [], weights = [], answers = [];
  for (const line of lines.slice(1)) {
    const f = line.split(",");
    units.push(index("units", f[col("unit")]));
    strata.push(index("strata", f[col("stratum")]));
    clusters.push(index("clusters", f[col("cluster")]));
    weights.push(Number(f[col("weight")]));
    for (const c of q.columns) {
      const [item, option] = c.split(".");
      const cell = f[col(item)];
      if (cell === "") answers.push(255);
      else answers.push(option ? Number(cell.split(";").includes(option)) : Number(cell));
    }
  }
  const tally = new Tally(q);
  tally.addArrays({
    units: Uint32Array.from(units), unitNames: names.units, answers: Uint8Array.from(answers),
    weights: Float64Array.from(weights), strata, strataNames: names.strata, clusters, clusterNames: names.clusters,
  });
  const got = tally.results().toCsv({ round: 9 });
  assert.equal(got, Tally.example("sipas-demo").results().toCsv({ round: 9 }));
});

test("tallies merge through JSON", () => {
  const q = questionnaire();
  const [header, ...rows] = responses().trim().split("\n");
  const merged = new Tally(q);
  for (let i = 0; i < rows.length; i += 250) {
    const part = new Tally(q);
    part.addCsv([header, ...rows.slice(i, i + 250)].join("\n") + "\n");
    merged.merge(Tally.fromJson(q, part.toJson()));
  }
  assert.equal(merged.respondents, 1136);
  assert.equal(merged.results().toCsv({ round: 9 }), Tally.example("sipas-demo").results().toCsv({ round: 9 }));
});

test("the means' standard errors switch off in the questionnaire, nothing else changes", () => {
  const doc = JSON.parse(data("survey/sipas-demo.questionnaire.json"));
  doc.settings = { ...doc.settings, mean_se: false };
  const lean = new Tally(Questionnaire.fromJson(JSON.stringify(doc)));
  lean.addCsv(responses());
  assert.match(lean.toJson(), /"mean_se":false/);
  const items = (r) => JSON.parse(r.toJson()).domains.flatMap((d) => d.items);
  const [off, on] = [items(lean.results()), items(Tally.example("sipas-demo").results())];
  assert.ok(on.filter((i) => i.mean_se !== null).length > 20);
  assert.deepEqual(off, on.map((i) => ({ ...i, mean_se: null })));
});

test("element and overall indices carry their interval and standard error", () => {
  const survey = Tally.example("sipas-demo").results();
  const rows = survey.toRows().filter((r) => r.level !== "item");
  assert.equal(rows.length, 13 * 6);
  for (const r of rows) {
    assert.ok(r.se > 0 && r.ci_low < r.share && r.share < r.ci_high, JSON.stringify(r));
    assert.equal(r.mean, null);
  }
  const u = survey.uncertainty({ "8.1.1": "element:access", "8.1.2": "overall" });
  const row = rows.find((r) => r.id === "so-y-te" && r.level === "element" && r.code === "access");
  assert.equal(Number(u.sources[0].leaves["8.1.1"]["so-y-te"].se), row.se);
  const overall = rows.find((r) => r.id === "so-y-te" && r.level === "overall");
  assert.equal(Number(u.sources[0].leaves["8.1.2"]["so-y-te"].se), overall.se);
});

test("survey values go into a methodology leaf", () => {
  const [m, scores] = loadExample("par-demo");
  const survey = Tally.example("sipas-demo").results({ by: ["unit"] });
  const fed = survey.apply(scores, m, "8.1.3", "element:results");
  const leaf = score(m, fed).explain("so-y-te").leaves.find((l) => l.code === "8.1.3");
  assert.match(leaf.note, /^survey sipas-demo, element results: .* \(95% CI \d+\.\d\d–\d+\.\d\d%\)$/);
  const row = survey.toRows().find((r) => r.id === "so-y-te" && r.level === "element" && r.code === "results");
  assert.ok(Math.abs(Number(leaf.points) - 2 * row.share) < 1e-12);
});

test("bad responses throw with every problem located", () => {
  const tally = new Tally(questionnaire());
  const bad =
    "respondent,unit,group,weight,stratum,cluster,A1,A2,P1,P2,C1,C2,Y1,R1,R2,F1,E1\n" +
    "1,so-y-te,citizen,-1,a,b,6,4,4,4,4,4,0,1,4,4,1;2;3;4\n" +
    "1,so-y-te,business,1,a,b,4,4,4,4,4,4,0,1,4,4,\n";
  assert.throws(() => tally.addCsv(bad, "bad.csv"), (e) => {
    assert.ok(e instanceof Error);
    assert.deepEqual(e.errors.map((i) => i.code), ["invalid_weight", "out_of_scale", "too_many_choices", "duplicate_respondent"]);
    assert.deepEqual([e.errors[1].location.row, e.errors[1].location.column, e.errors[1].location.item], [2, 7, "A1"]);
    return true;
  });
  assert.equal(tally.respondents, 0);
  assert.throws(() => tally.results({ by: ["province"] }), (e) => e.code === "invalid_setting");
});

test("the bad-survey corpus gives the Rust messages", async () => {
  const { readdirSync, readFileSync: read, statSync } = await import("node:fs");
  const corpus = fileURLToPath(new URL("../../../tests/bad-survey/", import.meta.url));
  const q = Questionnaire.fromJson(read(`${corpus}questionnaire.json`, "utf8"));
  const cases = readdirSync(corpus).filter((c) => statSync(corpus + c).isDirectory());
  assert.ok(cases.length >= 25);
  for (const c of cases) {
    const expectedText = read(`${corpus}${c}/expected.txt`, "utf8");
    if (c.startsWith("q-")) {
      assert.throws(() => Questionnaire.fromJson(read(`${corpus}${c}/q.json`), "q.json"), (e) => {
        assert.equal(e.errors.map((i) => `${i.message}\n`).join(""), expectedText, c);
        return true;
      });
      continue;
    }
    const tally = new Tally(q);
    try {
      tally.addCsv(new Uint8Array(read(`${corpus}${c}/r.csv`)), "r.csv");
      assert.ok(expectedText.startsWith(`ok: ${tally.respondents} respondents,`), c);
    } catch (e) {
      assert.equal(e.errors.map((i) => `${i.message}\n`).join(""), expectedText, c);
    }
  }
});

test("dossier statistics: the CLI's document, with located errors", async () => {
  const { dossierStats } = await import("./helpers.mjs");
  const doc = dossierStats(data("examples/dossiers-demo.csv"));
  assert.equal(doc.as_of, "2024-03-29");
  assert.deepEqual(doc.units[0], {
    unit: "so-noi-vu", received: 10, early: 7, on_time: 2, late: 0, open: 1, overdue: 0, on_time_rate: "100",
  });
  assert.throws(
    () => dossierStats("unit,dossier_id,received,due,completed\nu,1,31/02/2024,2024-03-10,\n", null, "d.csv"),
    (e) => e.code === "not_a_date" && e.path === "d.csv:2:3",
  );
});

test("the bad-dossier corpus gives the Rust messages", async () => {
  const { readdirSync, readFileSync: read, statSync } = await import("node:fs");
  const { dossierStats } = await import("./helpers.mjs");
  const corpus = fileURLToPath(new URL("../../../tests/bad-dossiers/", import.meta.url));
  const cases = readdirSync(corpus).filter((c) => statSync(corpus + c).isDirectory());
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    const expectedText = read(`${corpus}${c}/expected.txt`, "utf8");
    try {
      const doc = dossierStats(new Uint8Array(read(`${corpus}${c}/d.csv`)), null, "d.csv");
      const received = doc.units.reduce((s, u) => s + u.received, 0);
      assert.equal(expectedText, `ok: ${received} dossiers\n`, c);
    } catch (e) {
      if (e.code === "ERR_ASSERTION") throw e;
      assert.equal(e.errors.map((i) => `${i.message}\n`).join(""), expectedText, c);
    }
  }
});

test("a survey-fed uncertainty source gives the CLI's and Python's analysis for the same seed", () => {
  const survey = Tally.example("sipas-demo").results();
  const u = survey.uncertainty({ "8.1.1": "item:A1", "8.1.2": "item:C1" });
  // The document `parindex survey --uncertainty-leaf` wrote (data/expected/cases.txt).
  assert.deepEqual(u, JSON.parse(expected("sipas-demo.uncertainty.json")));
  const c1 = survey.toRows().find((r) => r.domain === "unit" && r.id === "so-y-te" && r.code === "C1");
  const est = u.sources[0].leaves["8.1.2"]["so-y-te"];
  assert.ok(Math.abs(Number(est.share) - c1.share) < 1e-12 && Math.abs(Number(est.se) - c1.se) < 1e-15);
  // The CLI puts its --weights source before the file's sources.
  const results = score(...loadExample("par-demo"));
  const weights = { type: "weights", nodes: { type: "all" }, distribution: { type: "uniform", spread: "0.1" } };
  const doc = { format_version: 1, sources: [weights, ...u.sources] };
  const out = results.sensitivity({ uncertainty: doc, runs: 300, seed: 7, attribution: true });
  assert.deepEqual(out, JSON.parse(expected("par-demo.sensitivity.survey.json")));
  assert.equal(out.sources[1], "survey (8.1.1, 8.1.2)");
  const asText = results.sensitivity({ uncertainty: JSON.stringify(u), runs: 20, seed: 1 });
  assert.deepEqual(asText, results.sensitivity({ uncertainty: u, runs: 20, seed: 1 }));
});

test("survey uncertainty: every bad measure located at its leaf", () => {
  const survey = Tally.example("sipas-demo").results();
  const e = thrown(() => survey.uncertainty({ "8.1.1": "element:zz", "8.1.2": "item:ZZ", "8.1.3": "nonsense" }));
  assert.equal(e.name, "ParIndexError");
  assert.deepEqual(e.errors.map((x) => x.location.criterion), ["8.1.1", "8.1.2", "8.1.3"]);
  assert.deepEqual(e.errors.map((x) => x.code), ["unknown_item", "unknown_item", "invalid_setting"]);
  // Estimated for everyone only: no unit's standard error to draw.
  const all = Tally.example("sipas-demo").results({ by: ["all"] });
  assert.equal(thrown(() => all.uncertainty({ "8.1.1": "element:access" })).code, "invalid_sensitivity");
  assert.equal(thrown(() => survey.uncertainty("8.1.1")).code, "invalid_argument");
});
