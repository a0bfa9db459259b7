// Typed usage of the Node package, checked by `tsc --noEmit` (never run): it must compile, and
// each `@ts-expect-error` line must be rejected, so the definitions are neither missing nor loose.
import {
  exampleNames,
  loadExample,
  Methodology,
  score,
  Scores,
  type Comparison,
  type Explanation,
  type ParIndexError,
  type Row,
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

void [json, csv, losses, lost, nextBand, movement, ids, count, id, leaves];
