//! Satisfaction surveys from JavaScript (DESIGN.md §12): conversions only; the core computes,
//! with the same bits as Rust and Python.

use parindex::{Answers, Batch, DomainKind, Labels, Measure, SurveyOptions, UncertaintySource};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::conversion::{self, bytes, error, invalid_argument, JsResult};
use crate::{Methodology, Scores};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `Tally.results`. */
export interface SurveyOptions {
  /** The domains, in order: any of `unit`, `group`, `all` (default `["unit", "all"]`). */
  by?: ("unit" | "group" | "all")[];
  /** Each unit's population N, for the sample-size rule n = N / (1 + N·e²). */
  populations?: Record<string, number>;
}

/** Options of the survey writers. */
export interface SurveyWriteOptions {
  /** Round every estimate to this many places (full precision otherwise). */
  round?: number;
}

/** Respondents as arrays (`Tally.addArrays`). Labels are one index per respondent into a list of names. */
export interface SurveyArrays {
  /** One unit index per respondent. */
  units: Uint32Array | number[];
  unitNames: string[];
  /** Row-major answers: respondents × `questionnaire.columns`, 255 = no answer. */
  answers: Uint8Array | number[];
  weights?: Float64Array | number[];
  groups?: Uint32Array | number[];
  groupNames?: string[];
  strata?: Uint32Array | number[];
  strataNames?: string[];
  clusters?: Uint32Array | number[];
  clusterNames?: string[];
}

/**
 * One row of the survey results CSV (`level` item, element or overall); `null` for an empty cell.
 * Element and overall rows have the index as `share` with its interval and `se` (no mean or deff).
 */
export interface SurveyRow {
  domain: "unit" | "group" | "all";
  id: string;
  level: "item" | "element" | "overall";
  code: string | null;
  element: string | null;
  respondents: number;
  n: number | null;
  share: number | null;
  ci_low: number | null;
  ci_high: number | null;
  mean: number | null;
  se: number | null;
  deff: number | null;
  n_eff: number | null;
}

/** A survey questionnaire: elements → items with their answer scales. */
export class Questionnaire {
  private constructor();
  free(): void;
  /** Reads the JSON form. */
  static fromJson(text: Input, fileName?: string): Questionnaire;
  /** The bundled questionnaire (`sipas-demo`). */
  static example(name: string): Questionnaire;
  toJson(): string;
  readonly id: string;
  /** The answer columns of array input: item codes, `CODE.OPTION` per option of a priority item. */
  readonly columns: string[];
}

/** The mergeable aggregation state of survey responses. */
export class Tally {
  free(): void;
  constructor(questionnaire: Questionnaire);
  /** The bundled survey's tally (`sipas-demo`). */
  static example(name: string): Tally;
  /**
   * Adds a responses file: CSV (streamed in batches), or an `.xlsx` workbook's bytes (`fileName`
   * `book.xlsx!Sheet` picks a sheet). Nothing is added when a row has a problem.
   */
  addCsv(input: Input, fileName?: string): void;
  /** Adds respondents from arrays. */
  addArrays(arrays: SurveyArrays): void;
  /** Adds another tally of the same questionnaire. */
  merge(other: Tally): void;
  toJson(): string;
  static fromJson(questionnaire: Questionnaire, text: string): Tally;
  readonly respondents: number;
  results(options?: SurveyOptions): SurveyResults;
}

/** Survey estimates. */
export class SurveyResults {
  private constructor();
  free(): void;
  toRows(options?: SurveyWriteOptions): SurveyRow[];
  toCsv(options?: SurveyWriteOptions): string;
  toJson(options?: SurveyWriteOptions): string;
  /** A copy of `scores` whose leaf `criterion` takes the survey `measure` (`overall`, `element:CODE`, `item:CODE`). */
  apply(scores: Scores, methodology: Methodology, criterion: string, measure: string): Scores;
  /**
   * The uncertainty document for `Results.sensitivity({uncertainty})` (the JSON of `parindex survey
   * --uncertainty-leaf`): one survey source in which each leaf code of `leaves` takes each unit's
   * share of the item (`item:CODE`) or index (`element:CODE`, `overall`) with its standard error
   * (DESIGN.md §11).
   */
  uncertainty(leaves: Record<string, string>): SurveyUncertainty;
}

/** One unit's survey estimate on a leaf: the share in [0, 1] and its standard error (decimal text). */
export interface SurveyShare { share: string; se: string; }

/** An uncertainty document with one survey source, per leaf code and unit id. */
export interface SurveyUncertainty {
  format_version: 1;
  sources: { type: "survey"; leaves: Record<string, Record<string, SurveyShare>> }[];
}
"#;

/// A survey questionnaire.
#[wasm_bindgen(skip_typescript)]
pub struct Questionnaire {
    inner: parindex::Questionnaire,
}

#[wasm_bindgen]
impl Questionnaire {
    /// Reads the JSON form.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: JsValue, file_name: Option<String>) -> JsResult<Questionnaire> {
        let file = file_name.unwrap_or_else(|| "questionnaire.json".into());
        let inner =
            parindex_io::read_questionnaire(&bytes(&text, "the questionnaire")?, &file).map_err(error)?;
        Ok(Questionnaire { inner })
    }

    /// The bundled questionnaire.
    pub fn example(name: &str) -> JsResult<Questionnaire> {
        parindex_io::examples::survey(name).map(|(inner, _)| Questionnaire { inner }).map_err(error)
    }

    /// The JSON form.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    /// The answer columns of array input.
    #[wasm_bindgen(getter)]
    pub fn columns(&self) -> js_sys::Array {
        conversion::strings(self.inner.columns())
    }
}

/// The mergeable aggregation state of survey responses.
#[wasm_bindgen(skip_typescript)]
pub struct Tally {
    questionnaire: parindex::Questionnaire,
    inner: parindex::Tally,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Arrays {
    units: Vec<u32>,
    unit_names: Vec<String>,
    answers: Vec<u8>,
    weights: Option<Vec<f64>>,
    groups: Option<Vec<u32>>,
    group_names: Option<Vec<String>>,
    strata: Option<Vec<u32>>,
    strata_names: Option<Vec<String>>,
    clusters: Option<Vec<u32>>,
    cluster_names: Option<Vec<String>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    by: Option<Vec<String>>,
    populations: Option<std::collections::HashMap<String, u64>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteOpts {
    round: Option<u32>,
}

#[wasm_bindgen]
impl Tally {
    /// An empty tally.
    #[wasm_bindgen(constructor)]
    pub fn new(questionnaire: &Questionnaire) -> Tally {
        Tally {
            questionnaire: questionnaire.inner.clone(),
            inner: parindex::Tally::new(&questionnaire.inner),
        }
    }

    /// The bundled survey's tally.
    pub fn example(name: &str) -> JsResult<Tally> {
        let (questionnaire, inner) = parindex_io::examples::survey(name).map_err(error)?;
        Ok(Tally { questionnaire, inner })
    }

    /// Adds a responses file: CSV, or an `.xlsx` workbook's bytes.
    #[wasm_bindgen(js_name = addCsv)]
    pub fn add_csv(&mut self, input: JsValue, file_name: Option<String>) -> JsResult<()> {
        let file = file_name.unwrap_or_else(|| "responses.csv".into());
        let data = bytes(&input, "the responses")?;
        let part = parindex_io::read_responses_file(&data, &file, &self.questionnaire, &Default::default())
            .map_err(error)?;
        self.inner.merge(&part).map_err(error)
    }

    /// Adds respondents from arrays.
    #[wasm_bindgen(js_name = addArrays)]
    pub fn add_arrays(&mut self, arrays: JsValue) -> JsResult<()> {
        let a: Arrays = serde_wasm_bindgen::from_value(arrays)
            .map_err(|e| invalid_argument(&format!("invalid survey arrays: {e}")))?;
        let pair = |index: &Option<Vec<u32>>,
                    names: &Option<Vec<String>>,
                    what: &str|
         -> JsResult<Option<(Vec<u32>, Vec<String>)>> {
            match (index, names) {
                (Some(i), Some(n)) => Ok(Some((i.clone(), n.clone()))),
                (None, None) => Ok(None),
                _ => Err(invalid_argument(&format!("give both {what} and {what}Names, or neither"))),
            }
        };
        let groups = pair(&a.groups, &a.group_names, "groups")?;
        let strata = pair(&a.strata, &a.strata_names, "strata")?;
        let clusters = pair(&a.clusters, &a.cluster_names, "clusters")?;
        let mut batch =
            Batch::new(Labels { index: &a.units, names: &a.unit_names }, Answers::Rows(&a.answers));
        if let Some(w) = &a.weights {
            batch = batch.weights(w);
        }
        if let Some((i, n)) = &groups {
            batch = batch.groups(Labels { index: i, names: n });
        }
        if let Some((i, n)) = &strata {
            batch = batch.strata(Labels { index: i, names: n });
        }
        if let Some((i, n)) = &clusters {
            batch = batch.clusters(Labels { index: i, names: n });
        }
        self.inner.add(&self.questionnaire, &batch).map_err(error)
    }

    /// Adds another tally of the same questionnaire.
    pub fn merge(&mut self, other: &Tally) -> JsResult<()> {
        self.inner.merge(&other.inner).map_err(error)
    }

    /// The tally as JSON.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads a tally written by `toJson`.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(questionnaire: &Questionnaire, text: &str) -> JsResult<Tally> {
        let inner = parindex::Tally::from_json(text).map_err(error)?;
        Ok(Tally { questionnaire: questionnaire.inner.clone(), inner })
    }

    /// Respondents tallied.
    #[wasm_bindgen(getter)]
    pub fn respondents(&self) -> f64 {
        self.inner.respondents() as f64
    }

    /// The estimates.
    pub fn results(&self, options: JsValue) -> JsResult<SurveyResults> {
        let o: Options = conversion::options(&options)?;
        let mut opts = SurveyOptions::new();
        if let Some(by) = &o.by {
            opts = opts.by(&DomainKind::parse_list(by).map_err(error)?);
        }
        for (unit, n) in o.populations.unwrap_or_default() {
            opts = opts.population(unit, n);
        }
        let inner = parindex::survey_results(&self.questionnaire, &self.inner, &opts).map_err(error)?;
        Ok(SurveyResults { inner })
    }
}

/// Survey estimates.
#[wasm_bindgen(skip_typescript)]
pub struct SurveyResults {
    inner: parindex::SurveyResults,
}

#[wasm_bindgen]
impl SurveyResults {
    /// The CSV rows as plain objects (numbers; `null` for empty cells).
    #[wasm_bindgen(js_name = toRows)]
    pub fn to_rows(&self, options: JsValue) -> JsResult<js_sys::Array> {
        let csv = self.to_csv(options)?;
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
        let rows = js_sys::Array::new();
        for line in lines {
            let row = js_sys::Object::new();
            for (key, cell) in header.iter().zip(line.split(',')) {
                let text = ["domain", "id", "level", "code", "element"].contains(key);
                let value = match (cell.is_empty(), text) {
                    (true, _) => JsValue::NULL,
                    (false, true) => JsValue::from_str(cell),
                    (false, false) => cell.parse::<f64>().map(JsValue::from).unwrap_or(JsValue::NULL),
                };
                let _ = js_sys::Reflect::set(&row, &JsValue::from_str(key), &value);
            }
            rows.push(&row);
        }
        Ok(rows)
    }

    /// The CSV form.
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&self, options: JsValue) -> JsResult<String> {
        let o: WriteOpts = conversion::options(&options)?;
        Ok(parindex_io::write_survey(&self.inner, parindex_io::OutputFormat::Csv, o.round))
    }

    /// The JSON form.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&self, options: JsValue) -> JsResult<String> {
        let o: WriteOpts = conversion::options(&options)?;
        Ok(parindex_io::write_survey(&self.inner, parindex_io::OutputFormat::Json, o.round))
    }

    /// A copy of `scores` whose leaf takes the survey measure.
    pub fn apply(
        &self,
        scores: &Scores,
        methodology: &Methodology,
        criterion: &str,
        measure: &str,
    ) -> JsResult<Scores> {
        let measure: Measure = measure.parse().map_err(error)?;
        let mut copy = (*scores.inner).clone();
        self.inner.apply(&mut copy, &methodology.inner, criterion, &measure).map_err(error)?;
        Ok(Scores { inner: std::rc::Rc::new(copy) })
    }

    /// The uncertainty document with one survey source over `leaves` (code → measure).
    pub fn uncertainty(&self, leaves: JsValue) -> JsResult<JsValue> {
        let leaves: std::collections::BTreeMap<String, String> = serde_wasm_bindgen::from_value(leaves)
            .map_err(|_| invalid_argument("leaves must be an object of leaf code → measure text"))?;
        let mut merged = std::collections::BTreeMap::new();
        let mut issues = Vec::new();
        for (code, measure) in leaves {
            match measure.parse().and_then(|m| UncertaintySource::survey(&self.inner, &code, &m)) {
                Ok(UncertaintySource::Survey { leaves }) => merged.extend(leaves),
                Ok(_) => {}
                Err(e) => issues.extend(e.issues().iter().map(|i| {
                    let mut location = i.location.clone();
                    location.criterion.get_or_insert_with(|| code.clone());
                    parindex::Issue::new(location, i.kind.clone())
                })),
            }
        }
        if let Some(e) = parindex::Error::from_issues(issues) {
            return Err(error(e));
        }
        let u = parindex::Uncertainty::new().source(UncertaintySource::Survey { leaves: merged });
        conversion::parse_json(&u.to_json())
    }
}
