//! Last year as published, from JavaScript: results read back (the CSV or JSON the CLI
//! writes, a typed annex, the report workbook) for comparisons and reports. Conversions only;
//! the reader lives in `parindex-io`, the comparison in `parindex`.

use std::rc::Rc;

use serde_json::json;
use wasm_bindgen::prelude::*;

use crate::conversion::{self, bytes, error, parse_json, JsResult, WriteOpts};
use crate::{Previous, Results};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** One unit of a year's published results; decimals as strings, `null` where the file gives nothing. */
export interface PublishedUnit {
  unit: string;
  name: string | null;
  group: string | null;
  points: string | null;
  percent: string | null;
  published_percent: string | null;
  rank: number | null;
  group_rank: number | null;
  band: string | null;
  /** Node code → points (`null`: did not apply). */
  nodes: Record<string, string | null>;
}

/**
 * A year's results as published, read back for a comparison when that year's scores are not
 * at hand: the CSV or JSON `parindex score` writes, a decision's annex typed as such a table
 * (`unit`, `points` or `percent`, `rank`, `band`, node columns), or the workbook `toXlsx`
 * writes. Ranks are taken as given.
 */
export class PublishedResults {
  private constructor();
  free(): void;
  [Symbol.dispose](): void;
  /** Reads the file's bytes (or text); `fileName` says CSV, JSON or `.xlsx` (`book.xlsx!Sheet`). */
  static read(input: Uint8Array | string, fileName?: string): PublishedResults;
  /** The number of units. */
  readonly length: number;
  /** The number of ranked units. */
  readonly ranked: number;
  /** The unit ids, in file order. */
  units(): string[];
  /** One unit; throws for an unknown id. */
  unit(id: string): PublishedUnit;
}

export interface Results {
  /** These results (this year) against last year's as published, unit by unit. */
  comparePublished(previous: PublishedResults, options?: WriteOptions): Comparison;
  /** These results with last year's as published: the reports then show the year-over-year parts. */
  withPreviousPublished(previous: PublishedResults): Results;
}
"#;

/// A year's results as published.
#[wasm_bindgen(skip_typescript)]
pub struct PublishedResults {
    pub(crate) inner: Rc<parindex::PublishedResults>,
}

#[wasm_bindgen]
impl PublishedResults {
    /// Reads published results: CSV, JSON or a workbook.
    #[wasm_bindgen(skip_typescript)]
    pub fn read(input: JsValue, file_name: Option<String>) -> JsResult<PublishedResults> {
        let bytes = bytes(&input, "input")?;
        let file = file_name.unwrap_or_else(|| "results.csv".into());
        let inner = parindex_io::read_published_results(&bytes, &file).map_err(error)?;
        Ok(PublishedResults { inner: Rc::new(inner) })
    }

    /// The number of units.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn length(&self) -> usize {
        self.inner.units().len()
    }

    /// The number of ranked units.
    #[wasm_bindgen(getter, skip_typescript)]
    pub fn ranked(&self) -> u32 {
        self.inner.ranked_len()
    }

    /// The unit ids.
    #[wasm_bindgen(skip_typescript)]
    pub fn units(&self) -> Vec<String> {
        self.inner.units().iter().map(|u| u.id.clone()).collect()
    }

    /// One unit as a plain object.
    #[wasm_bindgen(skip_typescript)]
    pub fn unit(&self, id: &str) -> JsResult<JsValue> {
        let u = self.inner.unit(id).ok_or_else(|| {
            let known: Vec<&str> = self.inner.units().iter().map(|u| u.id.as_str()).collect();
            error(parindex::Error::single(
                parindex::Location::default(),
                parindex::IssueKind::UnknownUnit { unit: id.to_owned(), known: known.join(", ") },
            ))
        })?;
        let text = |d: Option<parindex::Decimal>| d.map(|d| d.to_string());
        let nodes: serde_json::Map<String, serde_json::Value> =
            u.nodes.iter().map(|n| (n.code.clone(), json!(text(n.points)))).collect();
        let doc = json!({
            "unit": u.id,
            "name": u.name,
            "group": u.group,
            "points": text(u.points),
            "percent": text(u.percent),
            "published_percent": text(u.published_percent),
            "rank": u.rank,
            "group_rank": self.inner.group_rank(&u.id).map(|g| g.0),
            "band": u.band,
            "nodes": nodes,
        });
        parse_json(&doc.to_string())
    }
}

#[wasm_bindgen]
impl Results {
    /// Compares these results (this year) with last year's as published.
    #[wasm_bindgen(js_name = comparePublished, skip_typescript)]
    pub fn compare_published(&self, previous: &PublishedResults, options: JsValue) -> JsResult<JsValue> {
        let opts: WriteOpts = conversion::options(&options)?;
        let cmp = parindex::compare_published(&self.inner, &previous.inner);
        parse_json(&parindex_io::write_comparison(&cmp, parindex_io::OutputFormat::Json, opts.round(), None))
    }

    /// These results with last year's as published, for the reports' year-over-year columns.
    #[wasm_bindgen(js_name = withPreviousPublished, skip_typescript)]
    pub fn with_previous_published(&self, previous: &PublishedResults) -> Results {
        Results {
            inner: self.inner.clone(),
            scores: Rc::clone(&self.scores),
            previous: Some(Previous::Published(Rc::clone(&previous.inner))),
        }
    }
}
