//! Workbooks and reports from JavaScript: the result annex (`.xlsx`), the fill-in template,
//! the HTML and Markdown reports, and a workbook's sheet names. Conversions only; the writers
//! live in `parindex-io`.

use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::conversion::{self, bytes, error, invalid_argument, JsResult};
use crate::{Methodology, Previous, Results};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options of `Results.toHtml`, `toMarkdownReport` and `toXlsx` (the CLI's `report` options). */
export interface ReportOptions {
  /** The labels' language (default `en`). */
  lang?: "en" | "vi";
  /** How many places where each unit lost the most points to list (default 3; HTML and Markdown). */
  top?: number;
  /** Workbooks: add a sheet per unit with its explanation, leaf by leaf (default false). */
  explanations?: boolean;
}

/** Options of `templateXlsx` (the CLI's `template` options). */
export interface TemplateOptions {
  /** The labels' language (default `en`). */
  lang?: "en" | "vi";
  /** A blank block of rows for each of these unit ids (default: one block with a blank id when there are no scores). */
  units?: string[];
}

export interface Results {
  /** These results with last year's: the reports then show the year-over-year table and movements. */
  withPrevious(previous: Results): Results;
  /** The self-contained HTML report (`parindex report --out report.html`): opens offline, prints to PDF. */
  toHtml(options?: ReportOptions): string;
  /** The Markdown report (`parindex report --out report.md`). */
  toMarkdownReport(options?: ReportOptions): string;
  /** The result workbook, a decision's annex (`parindex report --out report.xlsx`). */
  toXlsx(options?: ReportOptions): Uint8Array;
  /** The fill-in template (`.xlsx`) holding these scores, to hand back to the units. */
  templateXlsx(options?: TemplateOptions): Uint8Array;
}

export interface Methodology {
  /** The blank fill-in template (`parindex template --out sheet.xlsx`): a row per leaf, its maximum enforced by data validation. */
  templateXlsx(options?: TemplateOptions): Uint8Array;
}

/**
 * The sheet names of an `.xlsx` workbook, in tab order. A reader's `fileName` may choose a
 * sheet as `book.xlsx!Sheet` (by name, or by tab number counting from 1); by default it reads
 * the first sheet holding its table.
 */
export function sheetNames(input: Uint8Array, fileName?: string): string[];
"#;

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportOpts {
    lang: Option<String>,
    top: Option<usize>,
    explanations: Option<bool>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateOpts {
    lang: Option<String>,
    units: Option<Vec<String>>,
}

fn lang(name: Option<&str>) -> JsResult<parindex_io::Lang> {
    let name = name.unwrap_or("en");
    parindex_io::Lang::from_name(name).ok_or_else(|| {
        invalid_argument(&format!("invalid options: lang must be \"en\" or \"vi\", not {name:?}"))
    })
}

impl ReportOpts {
    fn report_options<'a>(&self, previous: Option<&'a Previous>) -> JsResult<parindex_io::ReportOptions<'a>> {
        let mut options = parindex_io::ReportOptions::new()
            .lang(lang(self.lang.as_deref())?)
            .explanations(self.explanations.unwrap_or(false));
        if let Some(top) = self.top {
            options = options.top(top);
        }
        match previous {
            Some(Previous::Scored(p)) => options = options.previous(p),
            Some(Previous::Published(p)) => options = options.previous_published(p),
            None => {}
        }
        Ok(options)
    }
}

#[wasm_bindgen]
impl Results {
    /// These results with last year's, for the reports' year-over-year columns.
    #[wasm_bindgen(js_name = withPrevious, skip_typescript)]
    pub fn with_previous(&self, previous: &Results) -> Results {
        Results {
            inner: self.inner.clone(),
            scores: Rc::clone(&self.scores),
            previous: Some(Previous::Scored(Rc::new(previous.inner.clone()))),
        }
    }

    /// The self-contained HTML report.
    #[wasm_bindgen(js_name = toHtml, skip_typescript)]
    pub fn to_html(&self, options: JsValue) -> JsResult<String> {
        let opts: ReportOpts = conversion::options(&options)?;
        let options = opts.report_options(self.previous.as_ref())?;
        Ok(parindex_io::write_report_html(&self.inner, &self.scores, &options))
    }

    /// The Markdown report.
    #[wasm_bindgen(js_name = toMarkdownReport, skip_typescript)]
    pub fn to_markdown_report(&self, options: JsValue) -> JsResult<String> {
        let opts: ReportOpts = conversion::options(&options)?;
        let options = opts.report_options(self.previous.as_ref())?;
        Ok(parindex_io::write_report_markdown(&self.inner, &self.scores, &options))
    }

    /// The result workbook (a decision's annex).
    #[wasm_bindgen(js_name = toXlsx, skip_typescript)]
    pub fn to_xlsx(&self, options: JsValue) -> JsResult<Vec<u8>> {
        let opts: ReportOpts = conversion::options(&options)?;
        let options = opts.report_options(self.previous.as_ref())?;
        parindex_io::write_results_xlsx(&self.inner, &self.scores, &options).map_err(error)
    }

    /// The fill-in template holding these scores.
    #[wasm_bindgen(js_name = templateXlsx, skip_typescript)]
    pub fn template_xlsx(&self, options: JsValue) -> JsResult<Vec<u8>> {
        template(self.inner.methodology(), Some(&self.scores), &options)
    }
}

#[wasm_bindgen]
impl Methodology {
    /// The blank fill-in template.
    #[wasm_bindgen(js_name = templateXlsx, skip_typescript)]
    pub fn template_xlsx(&self, options: JsValue) -> JsResult<Vec<u8>> {
        template(&self.inner, None, &options)
    }
}

fn template(
    m: &parindex::Methodology,
    scores: Option<&parindex::Scores>,
    options: &JsValue,
) -> JsResult<Vec<u8>> {
    let opts: TemplateOpts = conversion::options(options)?;
    let mut options = parindex_io::TemplateOptions::new().lang(lang(opts.lang.as_deref())?);
    for id in opts.units.unwrap_or_default() {
        options = options.unit(parindex::Unit::new(id));
    }
    parindex_io::write_template_xlsx(m, scores, &options).map_err(error)
}

/// The sheet names of a workbook.
#[wasm_bindgen(js_name = sheetNames, skip_typescript)]
pub fn sheet_names(input: JsValue, file_name: Option<String>) -> JsResult<js_sys::Array> {
    let file = file_name.unwrap_or_else(|| "workbook.xlsx".into());
    let names = parindex_io::sheet_names(&bytes(&input, "input")?, parindex_io::split_sheet(&file).0)
        .map_err(error)?;
    Ok(conversion::strings(names.iter().map(String::as_str)))
}
