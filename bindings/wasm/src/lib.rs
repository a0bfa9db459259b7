//! `parindex-wasm`: parindex for JavaScript, in Node and in the browser.
//!
//! No logic lives here: each export converts its arguments (see `conversion`), makes one call
//! into `parindex` or `parindex-io`, and converts the answer back, so the same call gives the
//! same bytes in Rust, Python and JavaScript. Every export returns `Result<_, JsValue>`:
//! errors are thrown as JavaScript `Error`s with `code`, `path` and `errors`, never as panics
//! (a panic aborts the WebAssembly module).
//!
//! The TypeScript definitions are written by hand below (`TYPES`), next to the code they
//! describe; wasm-bindgen's generated ones are skipped. `tests/usage.ts` is checked against
//! them with `tsc --noEmit`.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

mod conversion;
mod dossiers;
mod published;
mod reports;
mod sensitivity;
mod survey;

use conversion::{bytes, error, parse_json, ExplainOpts, JsResult, PlanOpts, WriteOpts};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Text, or a file's bytes (the bytes let the reader refuse UTF-16 and legacy encodings with a clear message). */
export type Input = string | Uint8Array;

/** Where an issue is; `null` where unknown. */
export interface IssueLocation {
  file: string | null;
  /** The worksheet, for a workbook (`book.xlsx!Sheet!C14`). */
  sheet: string | null;
  row: number | null;
  column: number | null;
  unit: string | null;
  criterion: string | null;
  /** The survey item (question), for survey responses. */
  item: string | null;
}

/** One problem with an input. */
export interface Issue {
  /** A stable snake_case code to branch on, e.g. `above_max`, `missing_value`. */
  code: string;
  /** The location as text, e.g. `scores.csv:3:4: criterion 1.2` (empty when unknown). */
  path: string;
  /** The whole located message, as the CLI prints it. */
  message: string;
  location: IssueLocation;
}

/**
 * What every function throws on bad input: a real `Error` (name `ParIndexError`; a `TypeError`
 * with code `invalid_argument` for arguments of the wrong type). `message` holds every issue,
 * one per line; `code` and `path` are the first issue's; `errors` lists them all.
 */
export interface ParIndexError extends Error {
  code: string;
  path: string;
  errors: Issue[];
}

/** Options of the result writers. */
export interface WriteOptions {
  /** Round every number to this many places with the methodology's rounding mode (exact otherwise). */
  round?: number;
}

/** Options of `Results.explain`. */
export interface ExplainOptions {
  /** Round every number to this many places, half up (exact otherwise). */
  round?: number;
  /** How many of the largest losses `top_losses` lists (default 3). */
  top?: number;
}

/**
 * One row of the results table, as in the CSV: decimals are strings printed exactly as the
 * CLI prints them, ranks numbers; `null` for an empty cell (no name, group, band or rank) and
 * for a node that does not apply (`NA`). Each top-level node's points are under its code.
 */
export interface Row {
  unit: string;
  name: string | null;
  group: string | null;
  points: string;
  percent: string;
  /** `null` for a unit scored but not ranked. */
  rank: number | null;
  band: string | null;
  [code: string]: string | number | null;
}

/** A unit of a score set. */
export interface UnitInfo {
  unit: string;
  name: string | null;
  group: string | null;
  ranked: boolean;
}

/** One leaf of an explanation (the CLI's `explain --format json`). */
export interface LeafExplanation {
  code: string;
  name: string;
  max: string;
  self_assessed: string | null;
  /** The input that counts (appraised points, or the measured value); `null` when not applicable. */
  input: string | null;
  points: string | null;
  /** Self-assessed minus appraised points. */
  cut: string | null;
  /** What the leaf adds to the unit's total points. */
  contribution: string | null;
  /** What the unit's total would gain with this leaf at its maximum. */
  lost: string | null;
  /** How the rule turned the input into points, e.g. `99.4 ≥ 95 → 1.5 of 2`. */
  rule: string;
  note: string | null;
}

/** Why a unit has its score: the CLI's `explain --format json` document. */
export interface Explanation {
  unit: string;
  name: string | null;
  group: string | null;
  points: string;
  percent: string;
  published_percent: string;
  rank: number | null;
  of: number | null;
  group_rank: number | null;
  group_size: number | null;
  band: string | null;
  /** Points behind the ranked unit just above. */
  gap_to_above: string | null;
  next_band: { band: string; gap_percent: string } | null;
  /** Codes of the leaves where the unit lost the most, largest first. */
  top_losses: string[];
  leaves: LeafExplanation[];
}

/** One unit across two years (the CLI's `compare --format json`: every cell is text, `""` when empty). */
export interface UnitComparison {
  unit: string;
  name: string;
  group: string;
  points: string;
  points_change: string;
  percent: string;
  percent_change: string;
  rank: string;
  previous_rank: string;
  /** `up 8`, `down 2`, `same`, `new`, `no longer ranked`, `not ranked`. */
  movement: string;
  /** `3/12`. */
  group_rank: string;
  group_movement: string;
  band: string;
  previous_band: string;
}

/** Two years compared: the CLI's `compare --format json` document. */
export interface Comparison {
  units: UnitComparison[];
  /** Nodes that could not be compared, with why (`only this year`, `maximum 2 → 2.5`). */
  differing_nodes: { code: string; reason: string }[];
}

/** Options of `Results.plan` (the CLI's `plan` options). */
export interface PlanOptions {
  /** The most points a leaf may gain, by code (`0` leaves it alone): the CLI's `--cap CODE=POINTS`. */
  cap?: Record<string, string | number>;
  /** A leaf's cost per point gained, by code (default 1): `--cost CODE=COST`. */
  cost?: Record<string, string | number>;
  /** What to minimise (default `fewest_points`). */
  objective?: "fewest_points" | "least_cost";
  /** Gains on points leaves in whole steps of this (default: the scores' last decimal place). */
  granularity?: string | number;
  /** `false` leaves yes/no and threshold leaves out of the plan (`--no-rule-based`). */
  ruleBased?: boolean;
  /** Round every number to this many places, half up (exact otherwise). */
  round?: number;
}

/** A unit's points, index, ranks and band (a plan's or a what-if's `before` and `after`). */
export interface Standing {
  points: string;
  percent: string;
  published_percent: string;
  /** `null` for a unit not ranked. */
  rank: number | null;
  of: number | null;
  group_rank: number | null;
  group_size: number | null;
  band: string | null;
}

/** One leaf to raise. */
export interface PlanStep {
  code: string;
  name: string;
  /** The input now: points, or the measured value of a threshold leaf (1/0 for yes/no). */
  from: string;
  /** The input the plan needs. */
  to: string;
  /** Points gained on the leaf. */
  gain: string;
  /** `gain × cost per point`. */
  cost: string;
  /** The unit's total points gained through it. */
  effect: string;
}

/** The least a unit must gain to reach a target: the CLI's `plan --format json` document. */
export interface Plan {
  unit: string;
  name: string | null;
  group: string | null;
  /** `rank:5`, `band:A`, `percent:90`. */
  target: string;
  objective: "fewest_points" | "least_cost";
  granularity: string;
  /** The exact index (%) the target requires: at least this, or above it when `strict`. */
  required_percent: string;
  strict: boolean;
  /** The target holds already: no steps. */
  already_met: boolean;
  gain: string;
  cost: string;
  steps: PlanStep[];
  before: Standing;
  /** The unit with the plan, as scored. */
  after: Standing;
}

/** A changed value of `whatIf`: text as in a score sheet (`"98.5"`, `"yes"`, `"NA"`), a number, a boolean (yes/no) or `null` (not applicable). */
export type ChangeValue = string | number | boolean | null;

/** One leaf whose input changed in a what-if. */
export interface LeafChange {
  code: string;
  name: string;
  max: string;
  /** `null`: not applicable. */
  input_before: string | null;
  input_after: string | null;
  points_before: string | null;
  points_after: string | null;
}

/** A unit before and after a what-if: the CLI's `what-if --format json` document. */
export interface WhatIf {
  unit: string;
  name: string | null;
  group: string | null;
  changes: LeafChange[];
  before: Standing;
  after: Standing;
  points_change: string | null;
  percent_change: string | null;
  /** `same`, `up 2`, `down 1`, `not ranked`. */
  movement: string;
}

/** A node of the criteria tree (`Methodology.nodes()`). */
export interface NodeInfo {
  code: string;
  /** `null` for a domain (a top-level node). */
  parent: string | null;
  /** The Vietnamese name. */
  name: string;
  /** The English name, when given. */
  nameEn: string | null;
  /** Its maximum: given on a leaf, the sum of its children's maxima by default. */
  max: string;
  /** True for a leaf (where scores are entered). */
  leaf: boolean;
  /** A leaf's rule as a node table writes it: `""` for points, `yes_no`, `proportional:100`, `>=100:2 | else:0`. */
  rule: string;
}

/** A methodology (bộ tiêu chí): the criteria tree and its settings. */
export class Methodology {
  private constructor();
  /** Reads the strict, versioned JSON form. Errors are located in `fileName` (default `methodology.json`). */
  static fromJson(text: Input, fileName?: string): Methodology;
  /** Reads a node table CSV. The id defaults to the stem of `fileName` (default `methodology.csv`). */
  static fromCsv(text: Input, fileName?: string): Methodology;
  /**
   * Reads a methodology file as the CLI does: an `.xlsx` workbook's bytes (`fileName`
   * `book.xlsx!Sheet` picks a sheet), the JSON form when `fileName` ends in `.json` or the
   * text starts with `{`, the node table CSV otherwise.
   */
  static read(input: Input, fileName: string): Methodology;
  /** A bundled methodology: `par-demo`, `par-2020`, `pci-2016`, `papi-2016`. */
  static example(name: string): Methodology;
  /** Its id. */
  readonly id: string;
  /** Its name. */
  readonly name: string;
  /** The codes of its leaves, in declaration order. */
  leafCodes(): string[];
  /** Every node of the tree, in declaration order, with its effective maximum. */
  nodes(): NodeInfo[];
  /** The strict JSON form (no trailing newline). */
  toJson(): string;
  /** The node table CSV. */
  toCsv(): string;
  free(): void;
  [Symbol.dispose](): void;
}

/** The scores of a set of units against one methodology. */
export class Scores {
  private constructor();
  /** Reads a wide or long score sheet. Errors are located in `fileName` (default `scores.csv`). */
  static fromCsv(methodology: Methodology, text: Input, fileName?: string): Scores;
  /**
   * Reads a score sheet file as the CLI does: CSV, or an `.xlsx` workbook's bytes (the first
   * sheet holding a `unit` column, or the one `fileName` `book.xlsx!Sheet` names), errors
   * located as `book.xlsx!Sheet!C14`.
   */
  static read(methodology: Methodology, input: Input, fileName: string): Scores;
  /** The number of units. */
  readonly length: number;
  /** The units, in input order. */
  units(): UnitInfo[];
  free(): void;
  [Symbol.dispose](): void;
}

/** Every unit scored, ranked and banded. */
export class Results {
  private constructor();
  /** The number of units. */
  readonly length: number;
  /** The methodology scored. */
  readonly methodology: Methodology;
  /** The results table as plain objects, by rank, the units not ranked last. */
  toRows(options?: WriteOptions): Row[];
  /** Exactly the bytes of `parindex score --format json` (and `parindex_io::write_results`). */
  toJson(options?: WriteOptions): string;
  /** Exactly the bytes of `parindex score --format csv`. */
  toCsv(options?: WriteOptions): string;
  /** Where a unit's points come from and where it lost them. Throws `unknown_unit`. */
  explain(unit: string, options?: ExplainOptions): Explanation;
  /** These results (this year) against `previous` (last year), unit by unit. */
  compare(previous: Results, options?: WriteOptions): Comparison;
  /**
   * The fewest points (or the least cost) a unit must gain, leaf by leaf, to reach a target:
   * `rank:5`, `band:A` or `percent:90`. The plan is checked by scoring it. Throws
   * `unknown_unit`, `invalid_goal`, `goal_unreachable`, `unknown_criterion`, `not_a_leaf`,
   * `invalid_setting`.
   */
  plan(unit: string, target: string, options?: PlanOptions): Plan;
  /**
   * The unit's standing with some of its leaves changed, every other unit as it is. The
   * results are untouched. Throws `unknown_unit`, `unknown_criterion`, `not_a_leaf`,
   * `above_max`, `not_a_number`, `not_yes_no`… located at the unit and criterion.
   */
  whatIf(unit: string, changes: Record<string, ChangeValue> | [string, ChangeValue][], options?: WriteOptions): WhatIf;
  free(): void;
  [Symbol.dispose](): void;
}

/** Scores, ranks and bands every unit. */
export function score(methodology: Methodology, scores: Scores): Results;
/**
 * Reads a score sheet (wide or long) and scores it, reporting the problems of reading and of
 * scoring together, in file order, as `parindex score` does. Errors are located in `fileName`
 * (default `scores.csv`).
 */
export function scoreFile(methodology: Methodology, input: Input, fileName?: string): Results;
/** A bundled example, `[methodology, scores]`: `par-demo`, `par-demo-2022`, `par-2020`. */
export function loadExample(name: string): [Methodology, Scores];
/** The names `loadExample` accepts. */
export function exampleNames(): string[];
/** The names `Methodology.example` accepts (bundled methodologies, some without scores). */
export function methodologyNames(): string[];
"#;

/// A methodology (bộ tiêu chí): the criteria tree and its settings.
#[wasm_bindgen(skip_typescript)]
pub struct Methodology {
    pub(crate) inner: parindex::Methodology,
}

#[wasm_bindgen]
impl Methodology {
    /// Reads the strict JSON form.
    #[wasm_bindgen(js_name = fromJson, skip_typescript)]
    pub fn from_json(text: JsValue, file_name: Option<String>) -> JsResult<Methodology> {
        let (bytes, file) = (bytes(&text, "text")?, file_name.unwrap_or_else(|| "methodology.json".into()));
        let text = parindex_io::decode(&bytes, &file).map_err(error)?;
        let inner = parindex::Methodology::from_json(text).map_err(|e| error(e.in_file(&file)))?;
        Ok(Methodology { inner })
    }

    /// Reads a node table CSV.
    #[wasm_bindgen(js_name = fromCsv, skip_typescript)]
    pub fn from_csv(text: JsValue, file_name: Option<String>) -> JsResult<Methodology> {
        let (bytes, file) = (bytes(&text, "text")?, file_name.unwrap_or_else(|| "methodology.csv".into()));
        let text = parindex_io::decode(&bytes, &file).map_err(error)?;
        let inner = parindex_io::read_methodology_csv(text, &file).map_err(error)?;
        Ok(Methodology { inner })
    }

    /// Reads a methodology file: JSON or the node table CSV, as the CLI does.
    #[wasm_bindgen(skip_typescript)]
    pub fn read(input: JsValue, file_name: String) -> JsResult<Methodology> {
        let bytes = bytes(&input, "input")?;
        let inner = parindex_io::read_methodology(&bytes, &file_name).map_err(error)?;
        Ok(Methodology { inner })
    }

    /// A bundled methodology.
    #[wasm_bindgen(skip_typescript)]
    pub fn example(name: &str) -> JsResult<Methodology> {
        let inner = parindex_io::examples::methodology(name).map_err(error)?;
        Ok(Methodology { inner })
    }

    /// Its id.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn id(&self) -> String {
        self.inner.info().id.clone()
    }

    /// Its name.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn name(&self) -> String {
        self.inner.info().name.clone()
    }

    /// The codes of its leaves.
    #[wasm_bindgen(js_name = leafCodes, skip_typescript)]
    pub fn leaf_codes(&self) -> js_sys::Array {
        conversion::strings(self.inner.leaf_codes())
    }

    /// Every node, with its effective maximum.
    #[wasm_bindgen(skip_typescript)]
    pub fn nodes(&self) -> js_sys::Array {
        conversion::nodes(&self.inner)
    }

    /// The strict JSON form.
    #[wasm_bindgen(js_name = toJson, skip_typescript)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The node table CSV.
    #[wasm_bindgen(js_name = toCsv, skip_typescript)]
    pub fn to_csv(&self) -> String {
        parindex_io::write_methodology_csv(&self.inner)
    }
}

/// The scores of a set of units against one methodology.
#[wasm_bindgen(skip_typescript)]
pub struct Scores {
    /// Shared with the results scored from it (no copy per `score`).
    pub(crate) inner: Rc<parindex::Scores>,
}

#[wasm_bindgen]
impl Scores {
    /// Reads a wide or long score sheet.
    #[wasm_bindgen(js_name = fromCsv, skip_typescript)]
    pub fn from_csv(methodology: &Methodology, text: JsValue, file_name: Option<String>) -> JsResult<Scores> {
        let (bytes, file) = (bytes(&text, "text")?, file_name.unwrap_or_else(|| "scores.csv".into()));
        let inner = parindex_io::read_scores(&methodology.inner, &bytes, &file).map_err(error)?;
        Ok(Scores { inner: Rc::new(inner) })
    }

    /// Reads a score sheet file (CSV or `.xlsx`).
    #[wasm_bindgen(skip_typescript)]
    pub fn read(methodology: &Methodology, input: JsValue, file_name: String) -> JsResult<Scores> {
        Scores::from_csv(methodology, input, Some(file_name))
    }

    /// The number of units.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn length(&self) -> usize {
        self.inner.units().len()
    }

    /// The units, in input order.
    #[wasm_bindgen(skip_typescript)]
    pub fn units(&self) -> js_sys::Array {
        conversion::units(&self.inner)
    }
}

/// Every unit scored, ranked and banded, with the scores they came from (for explanations).
#[wasm_bindgen(skip_typescript)]
pub struct Results {
    pub(crate) inner: parindex::Results,
    pub(crate) scores: Rc<parindex::Scores>,
    /// Last year's results, for the reports' year-over-year columns (`withPrevious`,
    /// `withPreviousPublished`).
    pub(crate) previous: Option<Previous>,
}

/// Last year, scored or as published.
#[derive(Clone)]
pub(crate) enum Previous {
    Scored(Rc<parindex::Results>),
    Published(Rc<parindex::PublishedResults>),
}

#[wasm_bindgen]
impl Results {
    /// The number of units.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    /// The methodology scored.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn methodology(&self) -> Methodology {
        Methodology { inner: self.inner.methodology().clone() }
    }

    /// The results table as plain objects.
    #[wasm_bindgen(js_name = toRows, skip_typescript)]
    pub fn to_rows(&self, options: JsValue) -> JsResult<js_sys::Array> {
        let opts: WriteOpts = conversion::options(&options)?;
        Ok(conversion::rows(&self.inner, &opts))
    }

    /// The JSON results document.
    #[wasm_bindgen(js_name = toJson, skip_typescript)]
    pub fn to_json(&self, options: JsValue) -> JsResult<String> {
        let opts: WriteOpts = conversion::options(&options)?;
        Ok(parindex_io::write_results(&self.inner, parindex_io::OutputFormat::Json, &opts.write_options()))
    }

    /// The CSV results table.
    #[wasm_bindgen(js_name = toCsv, skip_typescript)]
    pub fn to_csv(&self, options: JsValue) -> JsResult<String> {
        let opts: WriteOpts = conversion::options(&options)?;
        Ok(parindex_io::write_results(&self.inner, parindex_io::OutputFormat::Csv, &opts.write_options()))
    }

    /// Explains one unit's score.
    #[wasm_bindgen(skip_typescript)]
    pub fn explain(&self, unit: &str, options: JsValue) -> JsResult<JsValue> {
        let opts: ExplainOpts = conversion::options(&options)?;
        let e = parindex::explain(&self.inner, &self.scores, unit)
            .ok_or_else(|| error(conversion::unknown_unit(&self.inner, unit)))?;
        let places = self.inner.methodology().settings().rounding.places;
        let json =
            parindex_io::write_explanation(&e, parindex_io::OutputFormat::Json, places, opts.round, opts.top);
        parse_json(&json)
    }

    /// Plans how a unit reaches a target (`rank:5`, `band:A`, `percent:90`).
    #[wasm_bindgen(skip_typescript)]
    pub fn plan(&self, unit: &str, target: &str, options: JsValue) -> JsResult<JsValue> {
        let opts: PlanOpts = conversion::options(&options)?;
        let plan_options = opts.plan_options()?;
        let goal: parindex::Goal = target.parse().map_err(error)?;
        let p = parindex::plan(&self.inner, &self.scores, unit, &goal, &plan_options).map_err(error)?;
        let places = self.inner.methodology().settings().rounding.places;
        parse_json(&parindex_io::write_plan(&p, parindex_io::OutputFormat::Json, places, opts.round))
    }

    /// A unit's standing with some of its leaves changed.
    #[wasm_bindgen(js_name = whatIf, skip_typescript)]
    pub fn what_if(&self, unit: &str, changes: JsValue, options: JsValue) -> JsResult<JsValue> {
        let opts: WriteOpts = conversion::options(&options)?;
        let m = self.inner.methodology();
        let changes = conversion::changes(m, &changes)?;
        let after = parindex::what_if(m, &self.scores, unit, &changes).map_err(error)?;
        let w = parindex::WhatIf::between(&self.inner, &after, unit)
            .ok_or_else(|| error(conversion::unknown_unit(&self.inner, unit)))?;
        let places = m.settings().rounding.places;
        parse_json(&parindex_io::write_what_if(&w, parindex_io::OutputFormat::Json, places, opts.round()))
    }

    /// Compares these results (this year) with `previous` (last year).
    #[wasm_bindgen(skip_typescript)]
    pub fn compare(&self, previous: &Results, options: JsValue) -> JsResult<JsValue> {
        let opts: WriteOpts = conversion::options(&options)?;
        let cmp = parindex::compare(&self.inner, &previous.inner);
        parse_json(&parindex_io::write_comparison(&cmp, parindex_io::OutputFormat::Json, opts.round(), None))
    }
}

/// Scores, ranks and bands every unit.
#[wasm_bindgen(skip_typescript)]
pub fn score(methodology: &Methodology, scores: &Scores) -> JsResult<Results> {
    let inner = parindex::score(&methodology.inner, &scores.inner).map_err(error)?;
    Ok(Results { inner, scores: Rc::clone(&scores.inner), previous: None })
}

/// Reads a score sheet and scores it, reporting reading and scoring problems together.
#[wasm_bindgen(js_name = scoreFile, skip_typescript)]
pub fn score_file(methodology: &Methodology, input: JsValue, file_name: Option<String>) -> JsResult<Results> {
    let (bytes, file) = (bytes(&input, "input")?, file_name.unwrap_or_else(|| "scores.csv".into()));
    let m = &methodology.inner;
    let scored = parindex_io::read_scores(m, &bytes, &file).and_then(|scores| {
        parindex::score(m, &scores).map(|inner| Results { inner, scores: Rc::new(scores), previous: None })
    });
    // On any problem, report those of reading and of scoring together, located in the file, as
    // `score_text` (and the CLI) does; the usual case reads the sheet once.
    scored.map_err(|e| error(parindex_io::score_text(m, &bytes, &file).err().unwrap_or(e)))
}

/// A bundled example: `[methodology, scores]`.
#[wasm_bindgen(js_name = loadExample, skip_typescript)]
pub fn load_example(name: &str) -> JsResult<js_sys::Array> {
    let (m, s) = parindex_io::examples::load(name).map_err(error)?;
    Ok(js_sys::Array::of2(&Methodology { inner: m }.into(), &Scores { inner: Rc::new(s) }.into()))
}

/// The names `loadExample` accepts.
#[wasm_bindgen(js_name = exampleNames, skip_typescript)]
pub fn example_names() -> js_sys::Array {
    conversion::strings(parindex_io::examples::NAMES)
}

/// The names `Methodology.example` accepts.
#[wasm_bindgen(js_name = methodologyNames, skip_typescript)]
pub fn methodology_names() -> js_sys::Array {
    conversion::strings(parindex_io::examples::METHODOLOGIES)
}
