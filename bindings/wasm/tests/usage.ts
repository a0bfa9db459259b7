// Typed usage of the Node package, checked by `tsc --noEmit` (never run): it must compile, and
// each `@ts-expect-error` line must be rejected, so the definitions are neither missing nor loose.
import {
  dossierStats,
  type DossierStats,
  Questionnaire,
  SurveyResults,
  Tally,
  type SurveyRow,
  type SurveyUncertainty,
  exampleNames,
  loadExample,
  Methodology,
  methodologyNames,
  PublishedResults,
  type PublishedUnit,
  score,
  scoreFile,
  Scores,
  sheetNames,
  type Comparison,
  type Explanation,
  type NodeInfo,
  type ParIndexError,
  type Plan,
  type Results,
  type Row,
  type WhatIf,
} from "../pkg-node/parindex_wasm.js";

const names: string[] = exampleNames();
const [methodology, scores]: [Methodology, Scores] = loadExample(names[0] ?? "par-demo");
const results = score(methodology, scores);

const rows: Row[] = results.toRows({ round: 2 });
const first = rows[0];
if (first) {
  const unit: string = first.unit;
  const percent: string = first.percent;
  const rank: number | null = first.rank;
  const band: string | null = first.band;
  const domain: string | number | null = first["1"];
  void [unit, percent, rank, band, domain];
  // @ts-expect-error a rank may be null (a unit scored but not ranked)
  const wrong: number = first.rank;
  void wrong;
}

const json: string = results.toJson();
const csv: string = results.toCsv({ round: 2 });
// @ts-expect-error round is a number of places
results.toCsv({ round: "2" });
// @ts-expect-error no such option
results.toJson({ places: 2 });

const e: Explanation = results.explain("so-y-te", { top: 5 });
const losses: string[] = e.top_losses;
const lost: string | null = e.leaves[0]?.lost ?? null;
const nextBand: string | undefined = e.next_band?.band;

const [, before] = loadExample("par-demo-2022");
const cmp: Comparison = results.compare(score(methodology, before));
const movement: string | undefined = cmp.units[0]?.movement;
const published = PublishedResults.read(results.toCsv(), "2023.csv");
const asPublished: Comparison = results.comparePublished(published, { round: 2 });
const lastRank: number | null = (published.unit("so-y-te") as PublishedUnit).rank;
const yoy: string = results.withPreviousPublished(published).toHtml({ lang: "vi" });
const publishedCount: number = published.length + published.ranked + published.units().length;
// @ts-expect-error compare takes scored results; last year as published goes to comparePublished
results.compare(published);

const fromCsv = Methodology.fromCsv("code,parent,max\n1,,10\n", "tiny.csv");
const fromJson = Methodology.fromJson(fromCsv.toJson());
const fromBytes = Scores.fromCsv(fromJson, new TextEncoder().encode("unit,1\na,5\n"), "s.csv");
const ids: string[] = fromBytes.units().map((u) => u.unit);
const count: number = fromBytes.length + results.length;
const id: string = results.methodology.id;
const leaves: string[] = Methodology.example("pci-2016").leafCodes();
// @ts-expect-error the constructor is private: use fromJson, fromCsv or example
new Methodology();
// @ts-expect-error scores need their methodology
Scores.fromCsv("unit,1\na,5\n");

const plan: Plan = results.plan("so-y-te", "band:B", {
  cap: { "8.2": "0.5", "6.1": 0 },
  cost: { "2.1": 2 },
  objective: "least_cost",
  granularity: "0.05",
  ruleBased: false,
  round: 2,
});
const steps: [string, string][] = plan.steps.map((s) => [s.code, s.gain]);
const afterRank: number | null = plan.after.rank;
const met: boolean = plan.already_met;
// @ts-expect-error objectives are named
results.plan("so-y-te", "band:B", { objective: "cheapest" });
// @ts-expect-error the target is text: rank:5, band:A, percent:90
results.plan("so-y-te", 5);
const w: WhatIf = results.whatIf("so-y-te", { "3.4.1": 98.5, "1.1.1": true, "3.2.1": null, "8.2": "3.5" });
const w2: WhatIf = results.whatIf("so-y-te", [["3.4.1", "98.5"]], { round: 2 });
const moved: string = w.movement;
const changed: (string | null)[] = w2.changes.map((c) => c.input_after);
// @ts-expect-error values are text, numbers, booleans or null
results.whatIf("so-y-te", { "3.4.1": [98.5] });
const tree: NodeInfo[] = Methodology.example("par-demo").nodes();
const domainMax: string | undefined = tree.find((n) => n.parent === null)?.max;
const bundled: string[] = methodologyNames();
const read: Methodology = Methodology.read(new TextEncoder().encode("code,parent,max\n1,,10\n"), "m.csv");
const fromFile: Results = scoreFile(read, "unit,1\na,5\n", "s.csv");
// @ts-expect-error the file name says how to read it
Methodology.read("code,parent,max\n1,,10\n");

try {
  score(methodology, fromBytes);
} catch (err) {
  const error = err as ParIndexError;
  const code: string = error.code;
  const path: string = error.path;
  const message: string = error.message;
  const rowOf: (number | null)[] = error.errors.map((i) => i.location.row);
  void [code, path, message, rowOf];
}

{
  using disposable = score(methodology, scores);
  void disposable.length;
}
results.free();

void [steps, afterRank, met, moved, changed, domainMax, bundled, fromFile];
void [json, csv, losses, lost, nextBand, movement, ids, count, id, leaves, asPublished, lastRank, yoy, publishedCount];

// Surveys: questionnaire, tally from CSV and arrays, results, leaf values.
{
  const q: Questionnaire = Questionnaire.example("sipas-demo");
  const columns: string[] = q.columns;
  const tally = new Tally(q);
  tally.addCsv("respondent,unit,A1\n1,u,5\n", "r.csv");
  tally.addArrays({ units: new Uint32Array([0]), unitNames: ["u"], answers: new Uint8Array(columns.length).fill(255) });
  const merged: Tally = Tally.fromJson(q, tally.toJson());
  merged.merge(Tally.example("sipas-demo"));
  const survey: SurveyResults = merged.results({ by: ["unit", "all"], populations: { u: 1000 } });
  const rows: SurveyRow[] = survey.toRows({ round: 4 });
  const share: number | null = rows[0].share;
  const fed: Scores = survey.apply(scores, methodology, "8.1.3", "element:results");
  const source: SurveyUncertainty = survey.uncertainty({ "8.1.1": "item:A1" });
  const se: string | undefined = source.sources[0]?.leaves["8.1.1"]?.["so-y-te"]?.se;
  results.sensitivity({ uncertainty: source, runs: 10 });
  // @ts-expect-error leaves are a map of leaf code → measure text
  survey.uncertainty("8.1.1");
  void se;
  void [share, fed, survey.toCsv(), survey.toJson({ round: 2 }), merged.respondents, q.id, q.toJson()];
}

// Dossier statistics.
{
  const doc: DossierStats = dossierStats("unit,dossier_id,received,due,completed\n", "2024-03-29");
  const rate: string | null = doc.units.length ? doc.units[0].on_time_rate : null;
  void rate;
}

// Workbooks and reports.
{
  const before = score(...loadExample("par-demo-2022"));
  const html: string = results.withPrevious(before).toHtml({ lang: "vi", top: 2 });
  const md: string = results.toMarkdownReport({ lang: "en" });
  const annex: Uint8Array = results.toXlsx({ explanations: true });
  const filled: Uint8Array = results.templateXlsx({ lang: "vi" });
  const blank: Uint8Array = methodology.templateXlsx({ units: ["so-y-te"] });
  const sheets: string[] = sheetNames(annex);
  const again: Scores = Scores.read(methodology, filled, "t.xlsx!Scores");
  // @ts-expect-error: the language is en or vi
  results.toHtml({ lang: "fr" });
  void [html, md, blank, sheets, again];
}
