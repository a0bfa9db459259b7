//! Dossier statistics from JavaScript: conversions only; the core counts.

use wasm_bindgen::prelude::*;

use crate::conversion::{bytes, error, parse_json, JsResult};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** One unit's dossiers (the CLI's `dossiers --format json`); the rate is an exact decimal string, `null` when nothing was completed. */
export interface DossierUnit {
  unit: string;
  received: number;
  early: number;
  on_time: number;
  late: number;
  open: number;
  overdue: number;
  on_time_rate: string | null;
}

/** Dossier statistics as of a day. */
export interface DossierStats {
  format_version: number;
  as_of: string | null;
  units: DossierUnit[];
}

/**
 * Dossier statistics (on-time rates) of a dossier list (`unit,dossier_id,received,due,completed`),
 * counted as of `asOf` (`YYYY-MM-DD` or `DD/MM/YYYY`), by default the last day something happened.
 */
export function dossierStats(input: Input, asOf?: string | null, fileName?: string | null): DossierStats;
"#;

/// Dossier statistics of a dossier list.
#[wasm_bindgen(js_name = dossierStats, skip_typescript)]
pub fn dossier_stats(input: JsValue, as_of: Option<String>, file_name: Option<String>) -> JsResult<JsValue> {
    let file = file_name.unwrap_or_else(|| "dossiers.csv".into());
    let list = parindex_io::read_dossiers(&bytes(&input, "the dossier list")?, &file).map_err(error)?;
    let day = match as_of {
        Some(text) => Some(parindex::Date::parse(&text).map_err(error)?),
        None => parindex::last_activity(&list),
    };
    let stats = match day {
        Some(day) => parindex::dossier_stats(&list, day).map_err(error)?,
        None => Vec::new(),
    };
    parse_json(&parindex_io::write_dossier_stats(&stats, parindex_io::OutputFormat::Json, None))
}
